"""`wegwijs serve --workers 2`: every worker serves a newly published generation within 5 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from index.build import RunSummary
from service.commands import run_ingest
from service.settings import Settings
from tests.conftest import MODEL_CACHE, free_port, make_settings
from tests.governance_support import copy_home

pytestmark = pytest.mark.slow
PICKUP_SECONDS = 5.0
CANARY = "zeppelinhangaar"


def _health(url: str) -> dict[str, int]:
    body: dict[str, int] = httpx.get(f"{url}/healthz", timeout=30).json()
    return body


def _wait_for(url: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def _processes_serving(url: str, generation: int, probes: int = 40) -> dict[int, bool]:
    """Answering process → whether every answer it gave was from ``generation`` or later."""
    seen: dict[int, bool] = {}
    for _ in range(probes):
        body = _health(url)  # a new connection each time: the workers share the listening socket
        seen[body["process"]] = seen.get(body["process"], True) and body["generation"] >= generation
    return seen


def test_every_worker_serves_a_new_generation_within_five_seconds(
    tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    home = copy_home(sample_settings.home, tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env |= {
        "WEGWIJS_HOME": str(home),
        "WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "WEGWIJS_ANONYMOUS": "true",
        "WEGWIJS_THREADS": "1",
    }
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "service", "serve", "--workers", "2"]
    server = subprocess.Popen([*command, "--port", url.rsplit(":", 1)[1]], env=env)
    try:
        _wait_for(url)
        before = _processes_serving(url, 0)
        assert len(before) == 2, f"expected two serving processes, saw {sorted(before)}"
        share = tmp_path / "nieuw"
        share.mkdir()
        (share / "hangaar.txt").write_text(
            f"Hangaar\n\nHet {CANARY} op het bedrijfsterrein gaat in maart dicht.\n"
        )
        summary = run_ingest(make_settings(home), [share], (), (), progress=False)
        published = time.monotonic()
        while time.monotonic() - published < PICKUP_SECONDS:
            if all(_processes_serving(url, summary.generation, probes=10).values()):
                break
            time.sleep(0.2)
        took = time.monotonic() - published
        after = _processes_serving(url, summary.generation)
        assert len(after) == 2 and all(after.values()), after
        assert took < PICKUP_SECONDS, f"the workers took {took:.1f} s to serve the new generation"
        hits = httpx.get(f"{url}/api/search", params={"q": CANARY}, timeout=60).json()["hits"]
        assert hits and hits[0]["doc_path"].endswith("hangaar.txt")
    finally:
        server.terminate()
        server.wait(timeout=60)
