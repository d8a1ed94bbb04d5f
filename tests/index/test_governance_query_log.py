"""The query log of a searcher: entries queued by request threads, written in batches by one
writer thread through one kept connection."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index.catalog import connect, transaction
from index.governance.config import GovernanceConfig
from index.governance.query_log import QueryLog, close_query_logs
from index.models import Hit

DOC_ID = "r/verlof.txt"
LOGGED = GovernanceConfig(log_queries=True)


def _home(tmp_path: Path) -> Path:
    conn = connect(tmp_path / "catalog.sqlite")
    with transaction(conn):
        conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (DOC_ID, "r", "/r", "verlof.txt", "txt", "Verlof", "[]", "2026-01-01", 1, 1,
             "sha", "nl", None, 0, 0, 0o644, "u", "g", 1, 1, "now"),
        )  # fmt: skip
    conn.close()
    return tmp_path


def _hit(score: float) -> Hit:
    return Hit(
        f"{DOC_ID}#0", 1, DOC_ID, "r", "verlof.txt", "Verlof", "x", score, (),
        "2026-01-01", None, None, "txt", "nl",
    )  # fmt: skip


def test_concurrent_searches_are_all_logged(tmp_path: Path) -> None:
    home = _home(tmp_path)
    log = QueryLog(home)

    def search(number: int) -> None:
        for repeat in range(5):
            log.record(f"vraag {number}.{repeat}", [_hit(0.9)], {1: 0.9}, LOGGED)

    with ThreadPoolExecutor(8) as threads:
        list(threads.map(search, range(8)))
    log.flush()
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        logged = conn.execute("SELECT query, confidence, doc_ids FROM query_log").fetchall()
        assert sorted(logged) == sorted(
            (f"vraag {n}.{r}", 0.9, f'["{DOC_ID}"]') for n in range(8) for r in range(5)
        )
        assert conn.execute("SELECT count(*) FROM uses WHERE doc_id = ?", (DOC_ID,)).fetchone() == (
            40,
        )
        assert conn.execute("SELECT uses FROM use_totals").fetchall() == [(40,)]
        assert conn.execute("SELECT count(*) FROM gaps").fetchone() == (0,)


def test_an_unconfident_search_is_a_gap_and_an_unlogged_one_leaves_no_trace(
    tmp_path: Path,
) -> None:
    home = _home(tmp_path)
    log = QueryLog(home)
    log.record("waar staat de koffie", [_hit(0.1)], {1: 0.1}, LOGGED)
    log.record("niet loggen", [_hit(0.9)], {1: 0.9}, GovernanceConfig(log_queries=False))
    log.flush()
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        assert conn.execute("SELECT query FROM query_log").fetchall() == [("waar staat de koffie",)]
        assert conn.execute("SELECT query, source FROM gaps").fetchall() == [
            ("waar staat de koffie", "search")
        ]


def _logged(home: Path) -> list[str]:
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        return [query for (query,) in conn.execute("SELECT query FROM query_log ORDER BY query_id")]


def test_flush_commits_each_batch_in_order(tmp_path: Path) -> None:
    home = _home(tmp_path)
    log = QueryLog(home)
    log.flush()  # nothing queued: returns at once
    for number in range(3):
        log.record(f"vraag {number}", [_hit(0.9)], {1: 0.9}, LOGGED)
    log.flush()
    assert _logged(home) == ["vraag 0", "vraag 1", "vraag 2"]
    log.record("vraag 3", [_hit(0.9)], {1: 0.9}, LOGGED)
    log.flush()
    assert _logged(home) == ["vraag 0", "vraag 1", "vraag 2", "vraag 3"]


def test_close_writes_what_is_queued_and_a_later_search_is_still_logged(tmp_path: Path) -> None:
    home = _home(tmp_path)
    log = QueryLog(home)
    log.record("voor het sluiten", [_hit(0.9)], {1: 0.9}, LOGGED)
    log.close()
    assert _logged(home) == ["voor het sluiten"]
    log.record("na het sluiten", [_hit(0.9)], {1: 0.9}, LOGGED)
    close_query_logs()  # every log of the process, as at exit and at server shutdown
    assert _logged(home) == ["voor het sluiten", "na het sluiten"]


def test_a_process_that_exits_after_searching_leaves_its_entry(tmp_path: Path) -> None:
    home = _home(tmp_path)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.governance.config import GovernanceConfig\n"
        "from index.governance.query_log import QueryLog\n"
        "from tests.index.test_governance_query_log import _hit\n"
        "log = QueryLog(Path(sys.argv[1]))\n"
        "log.record('laatste vraag', [_hit(0.9)], {1: 0.9}, GovernanceConfig(log_queries=True))\n"
    )  # exits without flushing: the log is written at exit
    root = Path(__file__).resolve().parents[2]
    env = os.environ | {"PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", script, str(home)], check=True, cwd=root, env=env)
    assert _logged(home) == ["laatste vraag"]


def test_a_locked_catalog_loses_the_batch_with_a_warning_and_later_ones_are_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = _home(tmp_path)
    log = QueryLog(home)
    log.record("eerst", [_hit(0.9)], {1: 0.9}, LOGGED)
    log.flush()  # the writer's connection is open
    other = sqlite3.connect(home / "catalog.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock past BUSY_MS
    with caplog.at_level(logging.WARNING, logger="index.governance.query_log"):
        log.record("verloren", [_hit(0.9)], {1: 0.9}, LOGGED)
        log.flush()
    other.execute("ROLLBACK")
    other.close()
    assert "1 searches not logged" in caplog.text
    log.record("daarna", [_hit(0.9)], {1: 0.9}, LOGGED)
    log.flush()
    assert _logged(home) == ["eerst", "daarna"]
