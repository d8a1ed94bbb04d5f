"""Request limits: too fast → 429 with Retry-After, too large → 413, too busy → 503."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from index.build import RunSummary
from service.limits import LimitsConfig, RequestLimits
from service.settings import Settings
from tests.conftest import make_settings, serving
from tests.governance_support import copy_home


@pytest.fixture(scope="module")
def limited_home(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A private copy of the sample home."""
    return copy_home(sample_settings.home, tmp_path_factory.mktemp("limits") / "home")


@pytest.fixture
def limited_url(limited_home: Path) -> Iterator[str]:
    """The home served with a small rate and body limit (a fresh server: fresh counters)."""
    with serving(make_settings(limited_home, rate_limit="5/minute", max_body_bytes=2048)) as url:
        yield url


def test_a_caller_over_its_rate_gets_429_with_retry_after_and_others_do_not(
    limited_url: str,
) -> None:
    statuses = [
        httpx.get(f"{limited_url}/api/search", params={"q": "verlof"}, timeout=60).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    refused = httpx.get(f"{limited_url}/api/search", params={"q": "verlof"}, timeout=60)
    assert refused.status_code == 429
    assert "at most 5 per 1 minute" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert httpx.get(f"{limited_url}/healthz", timeout=60).status_code == 200
    other = httpx.get(
        f"{limited_url}/api/search",
        params={"q": "verlof"},
        headers={"Authorization": "Bearer not-a-real-token"},
        timeout=60,
    )
    assert other.status_code == 401  # counted apart from the anonymous caller, then refused


def test_a_body_over_the_limit_gets_413_before_any_work(limited_url: str) -> None:
    big = {"query": "verlof", "helpful": False, "note": "x" * 4096}
    declared = httpx.post(f"{limited_url}/api/feedback", json=big, timeout=60)
    assert declared.status_code == 413
    assert "larger than 2,048 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "verlof", "note": "'
        yield b"y" * 4096
        yield b'"}'

    streamed = httpx.post(
        f"{limited_url}/api/feedback",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert streamed.status_code == 413


async def _slow_app(scope: Scope, receive: Receive, send: Send) -> None:
    await asyncio.sleep(0.3)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_requests_past_the_in_flight_bound_get_503_at_once() -> None:
    app = RequestLimits(_slow_app, LimitsConfig(rate="", max_in_flight=2))

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wegwijs") as client:
            responses = await asyncio.gather(*(client.get("/api/search") for _ in range(5)))
        return sorted(response.status_code for response in responses)

    assert asyncio.run(burst()) == [200, 200, 503, 503, 503]
    assert app.in_flight == 0
