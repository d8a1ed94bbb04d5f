"""Hundreds of generated hostile files through a real ``wegwijs ingest``, under the socket guard.

Zip and XML bombs, XXE payloads, malformed, truncated and bit-flipped PDFs and Office files, a
file over the size limit, binary junk with office extensions, empty files, and naughty strings in
names, titles and bodies. The ingest must finish in bounded time without an outside connection;
every bad file is reported with a reason, the good files are searchable, and no external entity
(``/etc/passwd``) ever reaches the index.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.catalog import catalog_path
from index.encoder import SentenceTransformerEncoder
from index.search import Searcher
from ingest.offline import OFFLINE_ENV
from tests.conftest import MODEL_CACHE
from tests.ingest.hostile_corpus import GOOD_TOKENS, HostileFile, write_corpus
from tests.ingest.hostile_payloads import NAUGHTY, PASSWD_MARKERS

pytestmark = pytest.mark.slow
GUARD = Path(__file__).parents[1] / "guard"
INGEST_LIMIT_S = 600


class CanaryListener:
    """A loopback TCP listener that records every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.connections: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, address = self.server.accept()
            except TimeoutError:
                continue
            self.connections.append(repr(address))
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()


@dataclass(frozen=True)
class HostileRun:
    """The generated files, the home they were ingested into, and what the run left behind."""

    files: list[HostileFile]
    home: Path
    seconds: float
    returncode: int
    stderr: str
    guard_log: str
    canary_hits: list[str]
    errors: dict[str, str]
    documents: dict[str, str]


def _env(home: Path, log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env.update(OFFLINE_ENV)
    env["PYTHONPATH"] = f"{GUARD}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["WEGWIJS_GUARD_LOG"] = str(log)
    env["WEGWIJS_HOME"] = str(home)
    env["WEGWIJS_MODEL_CACHE_DIR"] = str(MODEL_CACHE)
    env["WEGWIJS_PARSE_TIMEOUT"] = "20"
    return env


def _wegwijs(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "service", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=INGEST_LIMIT_S)


def _catalog_documents(home: Path) -> dict[str, str]:
    conn = sqlite3.connect(catalog_path(home))
    rows = conn.execute("SELECT rel_path, title FROM documents").fetchall()
    conn.close()
    return dict(rows)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    base = tmp_path_factory.mktemp("hostile")
    listener = CanaryListener()
    try:
        files = write_corpus(base / "share", listener.url)
        log, home = base / "guard.log", base / "home"
        env = _env(home, log)
        started = time.monotonic()
        result = _wegwijs(env, "ingest", "--no-progress", str(base / "share"))
        seconds = time.monotonic() - started
        listed = _wegwijs(env, "errors", "--json")
    finally:
        listener.close()
    errors = {}
    for line in listed.stdout.splitlines():
        row = json.loads(line)
        errors[row["doc_id"].split("/", 1)[1]] = row["reason"]
    yield HostileRun(
        files=files,
        home=home,
        seconds=seconds,
        returncode=result.returncode,
        stderr=result.stderr[-3000:],
        guard_log=log.read_text() if log.exists() else "",
        canary_hits=listener.connections,
        errors=errors,
        documents=_catalog_documents(home) if result.returncode == 0 else {},
    )


def test_the_corpus_is_large_and_the_ingest_finishes_cleanly(hostile: HostileRun) -> None:
    assert len(hostile.files) >= 500
    assert hostile.returncode == 0, hostile.stderr
    assert hostile.seconds < INGEST_LIMIT_S


def test_no_process_connects_outside_or_to_the_canary(hostile: HostileRun) -> None:
    assert hostile.guard_log == ""
    assert hostile.canary_hits == []


def test_every_bad_file_is_reported_with_a_reason(hostile: HostileRun) -> None:
    for item in hostile.files:
        if item.expect == "error":
            assert item.rel_path in hostile.errors, item
        reason = hostile.errors.get(item.rel_path)
        assert reason is None or len(reason) > 5, item
        assert (item.rel_path in hostile.documents) != (reason is not None), item


def test_safe_files_with_hostile_text_are_indexed(hostile: HostileRun) -> None:
    missing = [
        (item.rel_path, hostile.errors.get(item.rel_path))
        for item in hostile.files
        if item.expect == "indexed" and item.rel_path not in hostile.documents
    ]
    assert missing == []


def test_external_entities_never_reach_the_index(hostile: HostileRun) -> None:
    conn = sqlite3.connect(catalog_path(hostile.home))
    texts = [row[0] for row in conn.execute("SELECT text FROM chunks")]
    texts += [row[0] for row in conn.execute("SELECT title FROM documents")]
    texts += [row[0] for row in conn.execute("SELECT name FROM owners")]
    conn.close()
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    for marker in (*PASSWD_MARKERS, *([hostname] if len(hostname) > 6 else [])):
        assert not [text for text in texts if marker in text], marker


def test_good_files_are_searchable_and_naughty_queries_are_answered(
    hostile: HostileRun, encoder: SentenceTransformerEncoder
) -> None:
    searcher = Searcher.open(hostile.home, encoder, encoder.profile.name)
    for number, token in enumerate(GOOD_TOKENS):
        holders = {f"good/goed-{number}.txt", f"good/goed-{number}.docx"}
        for mode in ("hybrid", "lexical"):
            hits = searcher.search(token, top_k=5, mode=mode)
            assert holders & {hit.doc_id.split("/", 1)[1] for hit in hits}, (token, mode)
    for query in NAUGHTY:
        searcher.search(query, top_k=5, mode="lexical")
