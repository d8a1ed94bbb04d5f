"""Store what people say about answers and hits in the catalog's own ``feedback`` table.

The table is created here (``CREATE TABLE IF NOT EXISTS``), independent of ingest. A query
and a comment are user text: they are stored, never logged.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.catalog import catalog_path, connect, transaction
from index.readers import Principal, can_read

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id INTEGER PRIMARY KEY AUTOINCREMENT,
    query TEXT NOT NULL,
    chunk_id TEXT,
    helpful INTEGER NOT NULL,
    comment TEXT,
    generation INTEGER,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_chunk ON feedback (chunk_id);
"""


@dataclass(frozen=True)
class Feedback:
    """One judgement: was this answer or hit (``chunk_id``) helpful for ``query``?"""

    query: str
    helpful: bool
    chunk_id: str | None = None
    comment: str | None = None
    generation: int | None = None


def record_feedback(home: Path, feedback: Feedback) -> int:
    """Append ``feedback`` to the catalog of ``home`` and return its ``feedback_id``.

    Uses its own short-lived writable connection; SQLite's busy timeout waits for a
    running ingest's transaction to commit.
    """
    conn = connect(catalog_path(home))
    try:
        conn.executescript(_SCHEMA)
        with transaction(conn):
            cursor = conn.execute(
                "INSERT INTO feedback (query, chunk_id, helpful, comment, generation, "
                "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    feedback.query,
                    feedback.chunk_id,
                    int(feedback.helpful),
                    feedback.comment,
                    feedback.generation,
                    datetime.now(UTC).isoformat(),
                ),
            )
        return int(cursor.lastrowid or 0)
    finally:
        conn.close()


def list_feedback(conn: sqlite3.Connection) -> list[Feedback]:
    """All recorded feedback, oldest first (empty when none was ever given)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
    ).fetchone()
    if exists is None:
        return []
    rows = conn.execute(
        "SELECT query, helpful, chunk_id, comment, generation FROM feedback ORDER BY feedback_id"
    )
    return [Feedback(row[0], bool(row[1]), row[2], row[3], row[4]) for row in rows]


def is_known_chunk(
    conn: sqlite3.Connection, chunk_id: str, reader: Principal | None = None
) -> bool:
    """True when ``chunk_id`` (``doc_id#ordinal``) names a chunk in the catalog (that
    ``reader``, when given, may read)."""
    doc_id, _, ordinal = chunk_id.rpartition("#")
    if not doc_id or not ordinal.isdigit():
        return False
    if reader is not None and not can_read(conn, doc_id, reader):
        return False
    row = conn.execute(
        "SELECT 1 FROM chunks WHERE doc_id = ? AND ordinal = ?", (doc_id, int(ordinal))
    ).fetchone()
    return row is not None
