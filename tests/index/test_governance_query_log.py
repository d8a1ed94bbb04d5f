"""The query log of a searcher: one kept connection, safe to share between request threads."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from index.catalog import connect, transaction
from index.governance.config import GovernanceConfig
from index.governance.query_log import QueryLog
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
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM query_log").fetchone() == (40,)
        assert conn.execute("SELECT count(*) FROM uses WHERE doc_id = ?", (DOC_ID,)).fetchone() == (
            40,
        )


def test_an_unconfident_search_is_a_gap_and_an_unlogged_one_leaves_no_trace(
    tmp_path: Path,
) -> None:
    home = _home(tmp_path)
    log = QueryLog(home)
    log.record("waar staat de koffie", [_hit(0.1)], {1: 0.1}, LOGGED)
    log.record("niet loggen", [_hit(0.9)], {1: 0.9}, GovernanceConfig(log_queries=False))
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        assert conn.execute("SELECT query FROM query_log").fetchall() == [("waar staat de koffie",)]
        assert conn.execute("SELECT query, source FROM gaps").fetchall() == [
            ("waar staat de koffie", "search")
        ]
