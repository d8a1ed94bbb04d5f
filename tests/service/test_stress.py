"""8 searchers and 1 ingester against one home: no errors, each response from one generation.

The ingester changes the stress documents every round (same files, round N's text says
``Ronde N``) and publishes a new generation each time; the searchers query the phrase all rounds
share through a real uvicorn. A response that mixes rounds, or a client that sees an older round
after a newer one, means a reader saw two generations at once. A response without any round
means a changed document went missing between an ingest's batch commit and its publish (before
retired chunks, #7, 201 of 1,697 responses did). ``make test`` runs a short version;
``make stress`` sets ``WEGWIJS_TEST_STRESS_SECONDS=60``.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from index.build import RunSummary, ingest
from index.encoder import SentenceTransformerEncoder
from index.read_marks import MARKS_DIR
from ingest.pipeline import IngestConfig
from ingest.workers import WorkerConfig
from service.engine import model_info
from service.settings import Settings
from tests.conftest import make_settings, serving

pytestmark = pytest.mark.slow
SECONDS = float(os.environ.get("WEGWIJS_TEST_STRESS_SECONDS", "15"))
SEARCHERS = 8
PHRASE = "stresskanarie"
ROUND = re.compile(r"Ronde (\d+), deel")


@dataclass
class ClientLog:
    """What one searcher saw, response by response."""

    statuses: list[int] = field(default_factory=list)
    rounds: list[set[int]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def _write_round(share: Path, number: int) -> None:
    for part in range(2):
        text = f"Ronde {number}, deel {part}. Het woord {PHRASE} staat in dit verslag. " * 20
        (share / f"verslag-{part}.txt").write_text(text)


@pytest.fixture(scope="module")
def stress_home(
    tmp_path_factory: pytest.TempPathFactory,
    sample_ingest: RunSummary,
    sample_settings: Settings,
    encoder: SentenceTransformerEncoder,
) -> tuple[Settings, Path]:
    base = tmp_path_factory.mktemp("stress")
    home, share = base / "home", base / "share"
    shutil.copytree(sample_settings.home, home, ignore=shutil.ignore_patterns("models", MARKS_DIR))
    share.mkdir()
    _write_round(share, 0)
    ingest(home, [share], _config(), encoder, model_info(encoder))
    return make_settings(home, anonymous=True), share


def _config() -> IngestConfig:
    return IngestConfig(workers=WorkerConfig(workers=1, timeout_s=120))


@pytest.fixture(scope="module")
def stress_url(stress_home: tuple[Settings, Path]) -> Iterator[str]:

    with serving(stress_home[0]) as url:
        yield url


def _search_until(url: str, stop: threading.Event, log: ClientLog) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        while not stop.is_set():
            started = time.monotonic()
            response = client.get("/api/search", params={"q": PHRASE, "top_k": 10})
            log.seconds.append(time.monotonic() - started)
            log.statuses.append(response.status_code)
            hits = response.json().get("hits", []) if response.status_code == 200 else []
            found = (ROUND.search(hit["text"]) for hit in hits)
            log.rounds.append({int(match.group(1)) for match in found if match})


def test_searches_during_ingests_never_fail_or_mix_generations(
    stress_home: tuple[Settings, Path], stress_url: str, encoder: SentenceTransformerEncoder
) -> None:
    settings, share = stress_home
    stop = threading.Event()
    logs = [ClientLog() for _ in range(SEARCHERS)]
    threads = [threading.Thread(target=_search_until, args=(stress_url, stop, log)) for log in logs]
    for thread in threads:
        thread.start()
    rounds, deadline = 0, time.monotonic() + SECONDS
    while time.monotonic() < deadline or rounds < 2:
        rounds += 1
        _write_round(share, rounds)
        ingest(settings.home, [share], _config(), encoder, model_info(encoder))
    time.sleep(3)  # the server notices the last generation within its recheck interval
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    responses = [status for log in logs for status in log.statuses]
    assert responses and set(responses) == {200}
    for log in logs:
        assert all(len(seen) <= 1 for seen in log.rounds), "a response mixed two generations"
        newest = [max(seen) for seen in log.rounds if seen]
        assert newest == sorted(newest), "a client saw an older generation after a newer one"
        assert newest and newest[-1] == rounds
    missing = sum(1 for log in logs for seen in log.rounds if not seen)
    assert missing == 0, f"{missing} of {len(responses)} responses missed the changed documents"
    seconds = sorted(second for log in logs for second in log.seconds)
    print(
        f"\nstress: {rounds} generations, {len(responses)} searches, "
        f"p50 {seconds[len(seconds) // 2] * 1000:.0f} ms, p99 "
        f"{seconds[int(len(seconds) * 0.99)] * 1000:.0f} ms"
    )
