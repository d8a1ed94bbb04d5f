"""Record searches, the documents they used, and the gaps they revealed, in the catalog.

Writes go through writable connections of their own (never the searcher's read-only ones): a
searcher's ``QueryLog`` keeps one, feedback opens a short-lived one. A search only queues its
entry; a background thread writes what waits in one transaction at most ``FLUSH_S`` after the
first of them, since every write makes the readers' page caches stale (``BENCHMARKS.md``,
Session 6). Code that reads the log in the same process right after searching calls
``flush_query_logs`` (or ``QueryLog.flush``) first; another process sees entries up to
``FLUSH_S`` late. A busy catalog loses the batch with a warning rather than slowing a search,
and a crash (or a kill) loses what was still queued: at most the last ``FLUSH_S`` of searches.
A normal exit writes it (``close_query_logs`` runs at exit).
"""

from __future__ import annotations

import atexit
import json
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
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
FLUSH_S = 1.0  # the longest a logged search waits in the queue before it is written


def answer_confidence(hits: Sequence[Hit], dense: dict[int, float]) -> float | None:
    """The best dense (cosine) score among hits that may answer; None without a dense arm."""
    if not dense:
        return None
    return max((dense.get(h.chunk_rowid, 0.0) for h in hits if not is_excluded(h)), default=0.0)


@dataclass(frozen=True)
class LogEntry:
    """One search as it will be written: ``asked_at`` is when it was asked, not written."""

    query: str
    asked_at: str
    confidence: float | None
    doc_ids: tuple[str, ...]
    gap: bool


class QueryLog:
    """Where one searcher logs its searches: entries queue here and one writer thread (started
    with the first entry, ended once the queue is empty) writes them in batches through a
    writable catalog connection opened on first use and kept.

    A connection per search cost 0.7 ms of the log's 1 ms (every writable ``connect`` checks
    the schema and takes the write lock once for the readers migration).
    """

    def __init__(self, home: Path) -> None:
        self._home = home
        self._changed = threading.Condition()
        self._waiting: list[LogEntry] = []
        self._first_at = 0.0  # monotonic time the oldest waiting entry was queued
        self._queued = 0  # entries ever queued
        self._done = 0  # entries written or lost
        self._hurry_to = 0  # flush() waits until _done reaches this
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        with _LOGS_LOCK:
            _LOGS.add(self)

    def record(
        self,
        query: str,
        hits: Sequence[Hit],
        dense: dict[int, float],
        config: GovernanceConfig,
    ) -> None:
        """Queue a search: its top documents, its top hit as used, and a gap when nothing
        answers; it is written within ``FLUSH_S``."""
        if not config.log_queries:
            return
        confidence = answer_confidence(hits, dense)
        gap = confidence is not None and confidence < config.gap_threshold
        doc_ids = tuple(dict.fromkeys(hit.doc_id for hit in hits))[:LOGGED_HITS]
        entry = LogEntry(query, _now(), confidence, doc_ids, gap)
        with self._changed:
            if not self._waiting:
                self._first_at = time.monotonic()
            self._waiting.append(entry)
            self._queued += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._write_batches, name="query-log", daemon=True
                )
                self._thread.start()

    def flush(self) -> None:
        """Return once every entry queued before the call is written (or lost to a busy
        catalog)."""
        with self._changed:
            target = self._queued
            self._hurry_to = max(self._hurry_to, target)
            self._changed.notify_all()
            while self._done < target and self._thread is not None:
                self._changed.wait()

    def close(self) -> None:
        """Write what is queued and close the writable connection; a later ``record`` opens
        it again."""
        self.flush()
        with self._changed:
            if self._conn is not None and self._thread is None:
                self._conn.close()
                self._conn = None

    def _write_batches(self) -> None:
        """The writer thread: write batches until the queue is empty, then end."""
        try:
            while batch := self._next_batch():
                try:
                    self._write(batch)
                finally:
                    with self._changed:
                        self._done += len(batch)
                        self._changed.notify_all()
        finally:
            with self._changed:
                if self._thread is threading.current_thread():  # it failed: let one start again
                    self._thread = None
                self._changed.notify_all()

    def _next_batch(self) -> list[LogEntry]:
        """Everything waiting, once the oldest entry has waited ``FLUSH_S`` or ``flush`` is
        waiting; empty (and this thread is done) when nothing waits."""
        with self._changed:
            if not self._waiting:
                self._thread = None
                return []
            while self._hurry_to <= self._done:
                left = self._first_at + FLUSH_S - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            batch, self._waiting = self._waiting, []
            return batch

    def _write(self, batch: list[LogEntry]) -> None:
        try:
            if self._conn is None:
                self._conn = _writer(self._home)
            with transaction(self._conn) as conn:
                for entry in batch:
                    _insert(conn, entry)
        except sqlite3.Error as exc:
            logger.warning("%d searches not logged (catalog busy or failing): %s", len(batch), exc)


def _insert(conn: sqlite3.Connection, entry: LogEntry) -> None:
    conn.execute(
        "INSERT INTO query_log (query, asked_at, confidence, doc_ids) VALUES (?,?,?,?)",
        (entry.query, entry.asked_at, entry.confidence, json.dumps(list(entry.doc_ids))),
    )
    if entry.doc_ids:
        record_use(conn, entry.doc_ids[0], "top_hit", entry.asked_at)
    if entry.gap:
        record_gap(conn, entry.query, "search", entry.confidence, entry.asked_at)


_LOGS: weakref.WeakSet[QueryLog] = weakref.WeakSet()
_LOGS_LOCK = threading.Lock()


def flush_query_logs() -> None:
    """Write every search this process has queued so far (before reading the log, its uses
    or its gaps)."""
    with _LOGS_LOCK:
        logs = list(_LOGS)
    for log in logs:
        log.flush()


@atexit.register
def close_query_logs() -> None:
    """Write every queued search and close the logs' connections (also run at exit)."""
    with _LOGS_LOCK:
        logs = list(_LOGS)
    for log in logs:
        log.close()


def note_feedback(home: Path, query: str, verdict: Verdict, doc_id: str | None = None) -> None:
    """Record a click on or a citation of ``doc_id``, or a thumbs-down (a gap) for ``query``
    (after this process's queued searches, which came first)."""
    flush_query_logs()
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
