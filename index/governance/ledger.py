"""The knowledge-gap ledger: questions nobody's documents answer, until one does."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Literal

from index.analyze import fold
from index.catalog import get_meta, set_meta

GapSource = Literal["search", "feedback"]  # no confident hit, or a thumbs-down
FEEDBACK_SEEN = "gaps_feedback_seen"


@dataclass(frozen=True)
class Gap:
    """One unanswered question as kept in the ledger."""

    gap_id: int
    query: str
    source: str
    times: int
    confidence: float | None
    first_asked: str
    last_asked: str
    closed_at: str | None
    answer_doc_id: str | None


def query_key(query: str) -> str:
    """The form under which repeats of a question are counted together."""
    return " ".join(re.findall(r"\w+", fold(query)))


def record_gap(
    conn: sqlite3.Connection, query: str, source: GapSource, confidence: float | None, at: str
) -> None:
    """Add a question to the ledger, or count it again (re-opening it if it was closed)."""
    conn.execute(
        "INSERT INTO gaps (query, query_key, source, confidence, first_asked, last_asked) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT (query_key) DO UPDATE SET times = times + 1, "
        "last_asked = excluded.last_asked, confidence = excluded.confidence, "
        "closed_at = NULL, answer_doc_id = NULL",
        (query.strip(), query_key(query), source, confidence, at, at),
    )


def close_gap(conn: sqlite3.Connection, gap_id: int, answer_doc_id: str, at: str) -> None:
    """Mark a question answered by ``answer_doc_id``."""
    conn.execute(
        "UPDATE gaps SET closed_at = ?, answer_doc_id = ? WHERE gap_id = ?",
        (at, answer_doc_id, gap_id),
    )


def read_gaps(conn: sqlite3.Connection, include_closed: bool = False) -> list[Gap]:
    """Gaps, most asked first (open ones only unless ``include_closed``)."""
    where = "" if include_closed else "WHERE closed_at IS NULL"
    rows = conn.execute(
        "SELECT gap_id, query, source, times, confidence, first_asked, last_asked, closed_at, "
        f"answer_doc_id FROM gaps {where} ORDER BY times DESC, last_asked DESC, gap_id"
    )
    return [Gap(*row) for row in rows]


def import_feedback(conn: sqlite3.Connection) -> int:
    """Take thumbs-down answers from ``/api/feedback`` (the ``feedback`` table) into the ledger.

    Runs inside the caller's transaction on a writable connection; each feedback row is taken
    once. Returns how many were taken.
    """
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
    ).fetchone()
    if exists is None:
        return 0
    seen = get_meta(conn, FEEDBACK_SEEN)
    rows = conn.execute(
        "SELECT feedback_id, query, recorded_at FROM feedback "
        "WHERE helpful = 0 AND feedback_id > ? ORDER BY feedback_id",
        (int(seen or 0),),
    ).fetchall()
    for row in rows:
        record_gap(conn, row[1], "feedback", None, row[2])
    if rows:
        set_meta(conn, FEEDBACK_SEEN, str(rows[-1][0]))
    return len(rows)
