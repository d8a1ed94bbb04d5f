"""Record searches, the documents they used, and the gaps they revealed, in the catalog.

Writes go through writable connections of their own (never the searcher's read-only ones): a
searcher's ``QueryLog`` keeps one, feedback opens a short-lived one. A busy catalog loses the
entry with a warning rather than slowing a search.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from index.catalog import catalog_path, connect, transaction
from index.governance.config import GovernanceConfig
from index.governance.ledger import record_gap
from index.governance.ranking import is_excluded
from index.governance.usage import record_use
from index.models import Hit

logger = logging.getLogger(__name__)
Verdict = Literal["clicked", "cited", "down"]
VERDICTS: tuple[Verdict, ...] = ("clicked", "cited", "down")
LOGGED_HITS = 5
BUSY_MS = 2000


def answer_confidence(hits: Sequence[Hit], dense: dict[int, float]) -> float | None:
    """The best dense (cosine) score among hits that may answer; None without a dense arm."""
    if not dense:
        return None
    return max((dense.get(h.chunk_rowid, 0.0) for h in hits if not is_excluded(h)), default=0.0)


class QueryLog:
    """Where one searcher logs its searches: a writable catalog connection opened on first use
    and kept, shared by the searcher's request threads one at a time.

    A connection per search cost 0.7 ms of the log's 1 ms (every writable ``connect`` checks
    the schema and takes the write lock once for the readers migration).
    """

    def __init__(self, home: Path) -> None:
        self._home = home
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def record(
        self,
        query: str,
        hits: Sequence[Hit],
        dense: dict[int, float],
        config: GovernanceConfig,
    ) -> None:
        """Log a search: its top documents, its top hit as used, and a gap when nothing answers."""
        if not config.log_queries:
            return
        confidence = answer_confidence(hits, dense)
        at = _now()
        doc_ids = list(dict.fromkeys(hit.doc_id for hit in hits))[:LOGGED_HITS]
        try:
            with self._lock:
                if self._conn is None:
                    self._conn = _writer(self._home)
                with transaction(self._conn) as conn:
                    conn.execute(
                        "INSERT INTO query_log (query, asked_at, confidence, doc_ids) "
                        "VALUES (?,?,?,?)",
                        (query, at, confidence, json.dumps(doc_ids)),
                    )
                    if doc_ids:
                        record_use(conn, doc_ids[0], "top_hit", at)
                    if confidence is not None and confidence < config.gap_threshold:
                        record_gap(conn, query, "search", confidence, at)
        except sqlite3.OperationalError as exc:
            logger.warning("Query not logged (catalog busy): %s", exc)


def note_feedback(home: Path, query: str, verdict: Verdict, doc_id: str | None = None) -> None:
    """Record a click on or a citation of ``doc_id``, or a thumbs-down (a gap) for ``query``."""
    conn = _writer(home)
    try:
        with transaction(conn):
            if verdict == "down":
                record_gap(conn, query, "feedback", None, _now())
            elif doc_id:
                record_use(conn, doc_id, verdict, _now())
    finally:
        conn.close()


def _writer(home: Path) -> sqlite3.Connection:
    conn = connect(catalog_path(home))
    conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
