"""kill -9 of a running ingest at random moments: the home always recovers to a consistent state."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import faiss
import pytest

from index import vectors
from index.catalog import catalog_path
from index.errors import IndexNotFoundError
from ingest.offline import OFFLINE_ENV
from tests.conftest import MODEL_CACHE

pytestmark = pytest.mark.slow
CYCLES = int(os.environ.get("WEGWIJS_TEST_CRASH_CYCLES", "20"))
MODEL = "minilm-en"


def _canary(number: int) -> str:
    return f"kanarie{number:04d}x"


def _write(share: Path, number: int, version: int = 0) -> None:
    text = f"Notitie {number}. Het codewoord is {_canary(number)}. " + "Overige tekst. " * 40
    (share / f"notitie_{number:04d}.txt").write_text(text + f"Versie {version}.\n")


def _mutate(share: Path, rng: random.Random, alive: set[int], next_number: int) -> int:
    for number in rng.sample(sorted(alive), k=min(2, len(alive))):
        (share / f"notitie_{number:04d}.txt").unlink()
        alive.discard(number)
    for number in rng.sample(sorted(alive), k=min(2, len(alive))):  # changed: retired chunks
        _write(share, number, version=next_number)
    for _ in range(3):
        _write(share, next_number)
        alive.add(next_number)
        next_number += 1
    return next_number


def _ingest(home: Path, share: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **OFFLINE_ENV, "WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE)}
    command = [sys.executable, "-m", "service", "--home", str(home), "--model", MODEL]
    return subprocess.Popen(
        [*command, "ingest", "--no-progress", str(share)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _check_consistent(home: Path) -> None:
    conn = sqlite3.connect(catalog_path(home))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    chunks = {row[0] for row in conn.execute("SELECT chunk_rowid FROM chunks")}  # retired too
    assert {row[0] for row in conn.execute("SELECT rowid FROM chunks_fts")} == chunks
    conn.close()
    try:
        manifest, index = vectors.load_newest_valid(home)
    except IndexNotFoundError:
        return
    assert index.ntotal == manifest.vector_count


def _lexical_docs(home: Path, phrase: str) -> set[str]:
    conn = sqlite3.connect(catalog_path(home))
    rows = conn.execute(
        "SELECT c.doc_id FROM chunks_fts f JOIN chunks c ON c.chunk_rowid = f.rowid "
        "WHERE chunks_fts MATCH ? AND c.retired_seq IS NULL",
        (f'"{phrase}"',),
    ).fetchall()
    conn.close()
    return {row[0] for row in rows}


def test_kill_9_at_random_moments_never_corrupts_the_home(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    share, home = tmp_path / "share", tmp_path / "home"
    share.mkdir()
    alive = set(range(12))
    for number in alive:
        _write(share, number)
    next_number = len(alive)
    for _cycle in range(CYCLES):
        process = _ingest(home, share)
        time.sleep(rng.uniform(0.5, 10.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (home / "catalog.sqlite").exists():
            _check_consistent(home)
        next_number = _mutate(share, rng, alive, next_number)
    assert _ingest(home, share).wait(timeout=600) == 0
    _check_consistent(home)
    manifest, index = vectors.load(home)
    conn = sqlite3.connect(catalog_path(home))
    current = "FROM chunks WHERE retired_seq IS NULL"
    assert index.ntotal == conn.execute(f"SELECT count(*) {current}").fetchone()[0]
    stored = {row[0] for row in conn.execute(f"SELECT chunk_rowid {current}")}
    conn.close()
    assert {int(i) for i in faiss.vector_to_array(index.id_map)} == stored
    for number in range(next_number):
        found = _lexical_docs(home, _canary(number))
        expected = {f"share/notitie_{number:04d}.txt"} if number in alive else set()
        assert found == expected, number
