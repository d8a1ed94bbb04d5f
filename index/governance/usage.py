"""Uses of documents: the ``uses`` events and the running totals that searches read.

Every logged search adds an event for its top document, so ``uses`` grows without bound.
Searches rank with each document's use count and last use, so they read ``use_totals``
instead: one row per ``(doc_id, sha256)`` key of ``uses`` with its event count and latest
``used_at``, kept in step in the transaction that adds an event and in the one that re-keys
events at ingest (``index.governance.marks.follow_documents``). A document's uses are the
events whose ``doc_id`` or ``sha256`` is its own, each counted once; summing the totals of the
keys that match gives the same answer, reading as many rows as there are keys, not events.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

from index.governance.schema import USE_TOTALS_SCHEMA

UseKind = Literal["top_hit", "clicked", "cited"]
UseKey = tuple[str, str]  # (doc_id, sha256)

_COUNT_EVENTS = (
    "INSERT INTO use_totals (doc_id, sha256, uses, last_used) "
    "SELECT doc_id, sha256, count(*), max(used_at) FROM uses"
)


def record_use(conn: sqlite3.Connection, doc_id: str, kind: UseKind, at: str) -> None:
    """Add a use of ``doc_id`` (inside the caller's transaction); unknown documents add none."""
    conn.execute(
        "INSERT INTO uses (doc_id, sha256, kind, used_at) "
        "SELECT doc_id, sha256, ?, ? FROM documents WHERE doc_id = ?",
        (kind, at, doc_id),
    )
    conn.execute(
        "INSERT INTO use_totals (doc_id, sha256, uses, last_used) "
        "SELECT doc_id, sha256, 1, ? FROM documents WHERE doc_id = ? "
        "ON CONFLICT (doc_id, sha256) DO UPDATE SET uses = uses + 1, "
        "last_used = max(last_used, excluded.last_used)",
        (at, doc_id),
    )


def usage_of(
    conn: sqlite3.Connection, documents: Mapping[str, str]
) -> dict[str, tuple[int, datetime | None]]:
    """doc_id → how often it was used and when last (by doc_id or, after a rename, by hash).

    Documents never used are left out.
    """
    usage: dict[str, tuple[int, datetime | None]] = {}
    items = sorted(documents.items())
    for start in range(0, len(items), 400):
        part = items[start : start + 400]
        rows = conn.execute(
            f"WITH wanted (doc_id, sha256) AS (VALUES {','.join(['(?, ?)'] * len(part))}) "
            "SELECT w.doc_id, sum(t.uses), max(t.last_used) FROM wanted w "
            "JOIN use_totals t ON t.doc_id = w.doc_id OR t.sha256 = w.sha256 GROUP BY w.doc_id",
            [value for pair in part for value in pair],
        )
        usage |= {row[0]: (int(row[1]), datetime.fromisoformat(row[2])) for row in rows}
    return usage


def recount_uses(conn: sqlite3.Connection, keys: Iterable[UseKey]) -> None:
    """Set the totals of ``keys`` from their events (inside the caller's transaction).

    Run after events were re-keyed: a key left without events loses its totals row.
    """
    for doc_id, sha256 in keys:
        conn.execute("DELETE FROM use_totals WHERE doc_id = ? AND sha256 = ?", (doc_id, sha256))
        conn.execute(
            f"{_COUNT_EVENTS} WHERE doc_id = ? AND sha256 = ? GROUP BY doc_id, sha256",
            (doc_id, sha256),
        )


def migrate_use_totals(conn: sqlite3.Connection) -> None:
    """Give a catalog without totals (or with none while it has events) totals from its events.

    Creating the table and counting happen in one transaction, so no use recorded by another
    writer meanwhile is lost or counted twice. Most connections see totals and return at once.
    """
    if _has_table(conn) and (_has_totals(conn) or not _has_events(conn)):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in USE_TOTALS_SCHEMA:
            conn.execute(statement)
        if not _has_totals(conn):
            conn.execute(f"{_COUNT_EVENTS} GROUP BY doc_id, sha256")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _has_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'use_totals'").fetchone()
    return row is not None


def _has_totals(conn: sqlite3.Connection) -> bool:
    return _has_table(conn) and conn.execute("SELECT 1 FROM use_totals").fetchone() is not None


def _has_events(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM uses").fetchone() is not None
