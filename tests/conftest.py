"""Shared fixtures: the generated sample share, one real ingest, a real server on loopback."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.offline import enforce_offline  # noqa: E402 - before any third-party import

enforce_offline()

ARTIFACTS = Path(os.environ.get("WEGWIJS_TEST_ARTIFACTS", "test-artifacts")).resolve()

from index.build import RunSummary  # noqa: E402 - after the offline environment is set
from index.encoder import SentenceTransformerEncoder  # noqa: E402
from index.search import Searcher  # noqa: E402
from service.commands import run_ingest  # noqa: E402
from service.engine import make_encoder, open_searcher  # noqa: E402
from service.sample_share import generate_sample_share  # noqa: E402
from service.settings import Settings  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("WEGWIJS_") and not key.startswith("WEGWIJS_TEST_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other artifacts kept after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def sample_share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample share, generated into a temporary folder."""
    share = tmp_path_factory.mktemp("share") / "sample-share"
    generate_sample_share(share)
    for path in share.rglob("*"):  # world-readable whatever the umask: anonymous tests read it
        path.chmod(0o755 if path.is_dir() else 0o644)
    return share


MODEL_CACHE = Path(
    os.environ.get("WEGWIJS_TEST_MODEL_CACHE", Path(tempfile.gettempdir()) / "wegwijs-test-models")
)


def make_settings(home: Path, **extra: object) -> Settings:
    """Settings for a test home, independent of the environment; models converted once per run.

    Anonymous access (public documents only) is on unless ``anonymous=False`` is given: the
    sample share is world-readable, and the auth tests (tests/service/test_auth.py) turn it off.
    No rate limit unless given: the browser, schemathesis and stress tests send many requests
    from one address on purpose (tests/service/test_limits.py tests the limits).
    """
    extra = {"anonymous": True, "rate_limit": ""} | extra
    return Settings(home=home, model_cache_dir=MODEL_CACHE, _env_file=None, **extra)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the session's sample home."""
    return make_settings(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def sample_ingest(sample_share: Path, sample_settings: Settings) -> RunSummary:
    """One real ingest of the sample share with the packaged model."""
    return run_ingest(sample_settings, [sample_share], (), (), progress=False)


@pytest.fixture(scope="session")
def searcher(sample_ingest: RunSummary, sample_settings: Settings) -> Searcher:
    """A searcher over the ingested sample share."""
    return open_searcher(sample_settings)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(url: str, seconds: float = 300) -> None:
    """Wait until a server started in another process answers ``url`` with 200 (start-up
    loads the index and the query model)."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app for ``settings`` served by a real uvicorn on a free loopback port, in a thread."""
    import uvicorn

    from service.api import create_app

    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=free_port(), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 300  # start-up loads the index and the query model
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"the test server for {settings.home} did not start")
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server_url(sample_ingest: RunSummary, sample_settings: Settings) -> Iterator[str]:
    """The app over the sample home, served by a real uvicorn on 127.0.0.1."""
    with serving(sample_settings) as url:
        yield url


@pytest.fixture(scope="session")
def encoder(sample_settings: Settings) -> SentenceTransformerEncoder:
    """The real packaged model of the default profile, loaded once."""
    return make_encoder(sample_settings)
