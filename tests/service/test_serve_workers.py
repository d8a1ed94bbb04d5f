"""`wegwijs serve --workers 2`: the workers share one mapped copy of the index and its postings,
answer as one worker does, and serve a newly published generation within 5 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.build import RunSummary
from index.vectors import current_generation
from service.commands import run_ingest
from service.settings import Settings
from tests.conftest import MODEL_CACHE, free_port, make_settings, wait_until_answering
from tests.governance_support import copy_home

pytestmark = pytest.mark.slow
PICKUP_SECONDS = 5.0
CANARY = "zeppelinhangaar"
QUESTIONS = ("Hoeveel vakantiedagen krijg ik?", "reiskosten declareren", "wachtwoord vergeten")


def _health(url: str) -> dict[str, int]:
    body: dict[str, int] = httpx.get(f"{url}/healthz", timeout=30).json()
    return body


def _processes_serving(url: str, generation: int, probes: int = 40) -> dict[int, bool]:
    """Answering process → whether every answer it gave was from ``generation`` or later.

    Probes until both workers have answered or ``probes`` ran out: the kernel hands each new
    connection to whichever worker accepts first, so a fixed count may reach only one.
    """
    seen: dict[int, bool] = {}
    for _ in range(probes):
        body = _health(url)  # a new connection each time: the workers share the listening socket
        seen[body["process"]] = seen.get(body["process"], True) and body["generation"] >= generation
        if len(seen) == 2 and all(seen.values()):
            break
    return seen


def _wait_for_both(url: str, seconds: float = 300) -> None:
    """Wait until both workers answer: the first may serve while the second still loads."""
    deadline = time.monotonic() + seconds
    while len(_processes_serving(url, 0, probes=20)) < 2:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only one worker of {url} answered within {seconds} s")
        time.sleep(0.5)


def _mapped(pid: int) -> set[str]:
    """The files process ``pid`` maps from a home's index folder."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if "/index/gen-" in line}


@pytest.fixture
def two_workers(
    tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings
) -> Iterator[tuple[str, Path]]:
    """``wegwijs serve --workers 2`` over a copy of the sample home: its URL and the home."""
    home = copy_home(sample_settings.home, tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env |= {
        "WEGWIJS_HOME": str(home),
        "WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "WEGWIJS_ANONYMOUS": "true",
        "WEGWIJS_THREADS": "1",
        "WEGWIJS_RATE_LIMIT": "",  # the test asks in a tight loop; a fast machine passes 20/s
    }
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "service", "serve", "--workers", "2"]
    server = subprocess.Popen([*command, "--port", url.rsplit(":", 1)[1]], env=env)
    try:
        wait_until_answering(f"{url}/healthz")
        _wait_for_both(url)
        yield url, home
    finally:
        server.terminate()
        server.wait(timeout=60)


def _answers(url: str, question: str, mode: str) -> tuple[int, list[dict[str, object]]]:
    """The answering process and the hits, over a new connection (either worker may answer)."""
    with httpx.Client(base_url=url, timeout=120) as client:
        process = client.get("/healthz").json()["process"]
        hits = client.get("/api/search", params={"q": question, "mode": mode}).json()["hits"]
    return process, hits


def test_two_workers_map_one_copy_and_answer_as_one_worker(
    two_workers: tuple[str, Path], server_url: str
) -> None:
    url, _home = two_workers
    answered: set[int] = set()
    for question in QUESTIONS:
        for mode in ("hybrid", "lexical", "dense"):
            _, expected = _answers(server_url, question, mode)
            assert expected
            for _ in range(6):
                process, hits = _answers(url, question, mode)
                answered.add(process)
                assert hits == expected, (question, mode, process)
    assert len(answered) == 2, f"expected both workers to answer, saw {sorted(answered)}"
    maps = [_mapped(process) for process in answered]
    assert maps[0] == maps[1]
    assert any(path.endswith("/vectors.faiss") for path in maps[0])
    assert any("/postings-" in path and path.endswith("/indices.npy") for path in maps[0])


def test_every_worker_serves_a_new_generation_within_five_seconds(
    two_workers: tuple[str, Path],
) -> None:
    url, home = two_workers
    old = current_generation(home)
    before = _processes_serving(url, 0, probes=200)
    assert len(before) == 2, f"expected two serving processes, saw {sorted(before)}"
    share = home.parent / "nieuw"
    share.mkdir()
    (share / "hangaar.txt").write_text(
        f"Hangaar\n\nHet {CANARY} op het bedrijfsterrein gaat in maart dicht.\n"
    )
    summary = run_ingest(make_settings(home), [share], (), (), progress=False)
    published = time.monotonic()
    while time.monotonic() - published < PICKUP_SECONDS:
        seen = _processes_serving(url, summary.generation, probes=20)
        if len(seen) == 2 and all(seen.values()):
            break
        time.sleep(0.2)
    took = time.monotonic() - published
    after = _processes_serving(url, summary.generation, probes=200)
    assert len(after) == 2 and all(after.values()), after
    assert took < PICKUP_SECONDS, f"the workers took {took:.1f} s to serve the new generation"
    hits = httpx.get(f"{url}/api/search", params={"q": CANARY}, timeout=60).json()["hits"]
    assert hits and hits[0]["doc_path"].endswith("hangaar.txt")
    # The workers drop the old generation's searcher: its mapped files are let go.
    old_files = f"/index/gen-{old:06d}/"
    deadline = time.monotonic() + 10
    while any(old_files in path for pid in after for path in _mapped(pid)):
        assert time.monotonic() < deadline, f"a worker still maps {old_files}"
        _processes_serving(url, summary.generation, probes=4)
        time.sleep(0.2)
