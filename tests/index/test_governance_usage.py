"""How often and when last each document was used: by doc_id, or by content after a rename."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from index.catalog import catalog_path, connect, migrate_catalog, transaction
from index.governance.config import GovernanceConfig
from index.governance.marks import follow_documents
from index.governance.query_log import QueryLog, note_feedback
from index.governance.review_state import ReviewPolicy
from index.governance.state import document_states
from index.models import Hit
from service.governance import load_audit

LOGGED = GovernanceConfig(log_queries=True)
# The meaning being kept: a document's uses are the events whose doc_id or hash is its own,
# each event counted once even when both match.
EVENTS_SQL = "SELECT count(*), max(used_at) FROM uses WHERE doc_id = ? OR sha256 = ?"
KEYS_SQL = (
    "SELECT doc_id, sha256, count(*), max(used_at) FROM uses "
    "GROUP BY doc_id, sha256 ORDER BY doc_id, sha256"
)
TOTALS_SQL = "SELECT doc_id, sha256, uses, last_used FROM use_totals ORDER BY doc_id, sha256"


def _put(conn: sqlite3.Connection, doc_id: str, sha256: str) -> None:
    conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
    conn.execute(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (doc_id, "r", "/r", doc_id[2:], "txt", doc_id, "[]", "2026-01-01T00:00:00+00:00", 1, 1,
         sha256, "nl", None, 0, 0, 0o644, "u", "g", 1, 1, "now"),
    )  # fmt: skip


def _home(tmp_path: Path, documents: dict[str, str]) -> Path:
    conn = connect(catalog_path(tmp_path))
    with transaction(conn):
        for doc_id, sha256 in documents.items():
            _put(conn, doc_id, sha256)
    conn.close()
    return tmp_path


def _hit(doc_id: str) -> Hit:
    return Hit(
        f"{doc_id}#0", 1, doc_id, "r", doc_id[2:], doc_id, "x", 0.9, (),
        "2026-01-01T00:00:00+00:00", None, None, "txt", "nl",
    )  # fmt: skip


def _search(log: QueryLog, doc_id: str, times: int) -> None:
    for number in range(times):
        log.record(f"vraag {number}", [_hit(doc_id)], {}, LOGGED)
    log.flush()


def _ingest_moves(home: Path, moved: dict[str, str], gone: tuple[str, ...] = ()) -> None:
    """What an ingest does to the catalog when files are renamed, copied, edited or deleted."""
    conn = connect(catalog_path(home))
    with transaction(conn):
        for doc_id in gone:
            conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        for doc_id, sha256 in moved.items():
            _put(conn, doc_id, sha256)
        follow_documents(conn)
    conn.close()


def _usage(home: Path) -> dict[str, tuple[int, datetime | None]]:
    conn = connect(catalog_path(home), readonly=True)
    try:
        states = document_states(conn, datetime.now(UTC), ReviewPolicy())
        return {doc_id: (state.uses, state.clocks.used) for doc_id, state in states.items()}
    finally:
        conn.close()


def _events(home: Path) -> dict[str, tuple[int, datetime | None]]:
    conn = connect(catalog_path(home), readonly=True)
    try:
        counted = {}
        for doc_id, sha256 in conn.execute("SELECT doc_id, sha256 FROM documents").fetchall():
            count, last = conn.execute(EVENTS_SQL, (doc_id, sha256)).fetchone()
            counted[doc_id] = (count, None if last is None else datetime.fromisoformat(last))
        return counted
    finally:
        conn.close()


def test_uses_are_counted_per_document_by_id_or_content(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/b.txt": "hb", "r/c.txt": "hc"})
    log = QueryLog(home)
    _search(log, "r/a.txt", 7)
    _search(log, "r/b.txt", 3)
    note_feedback(home, "vraag", "clicked", "r/a.txt")
    note_feedback(home, "vraag", "cited", "r/b.txt")
    note_feedback(home, "vraag", "clicked", "r/gone.txt")  # not in the catalog: no use
    counts = {doc_id: count for doc_id, (count, _) in _usage(home).items()}
    assert counts == {"r/a.txt": 8, "r/b.txt": 4, "r/c.txt": 0}
    assert _usage(home) == _events(home)
    assert _usage(home)["r/c.txt"] == (0, None)


def test_uses_follow_renames_copies_and_edits(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/b.txt": "hb"})
    log = QueryLog(home)
    _search(log, "r/a.txt", 5)
    _search(log, "r/b.txt", 2)
    _ingest_moves(home, {"r/a2.txt": "ha"}, gone=("r/a.txt",))  # renamed
    assert _usage(home)["r/a2.txt"][0] == 5
    _search(QueryLog(home), "r/a2.txt", 1)
    _ingest_moves(home, {"r/a-copy.txt": "ha"})  # copied: each copy shares the content's uses
    _search(QueryLog(home), "r/a-copy.txt", 2)
    _ingest_moves(home, {"r/b.txt": "hb2"})  # edited in place: uses follow the doc_id
    _search(QueryLog(home), "r/b.txt", 1)
    counts = {doc_id: count for doc_id, (count, _) in _usage(home).items()}
    assert counts == {"r/a2.txt": 8, "r/a-copy.txt": 8, "r/b.txt": 3}
    assert _usage(home) == _events(home)


def test_a_use_matching_by_id_and_by_content_counts_once(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/twin.txt": "ha"})
    _search(QueryLog(home), "r/a.txt", 4)
    _search(QueryLog(home), "r/twin.txt", 1)
    counts = {doc_id: count for doc_id, (count, _) in _usage(home).items()}
    assert counts == {"r/a.txt": 5, "r/twin.txt": 5}
    assert _usage(home) == _events(home)


def test_uses_recorded_before_a_rename_count_before_the_next_ingest(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha"})
    _search(QueryLog(home), "r/a.txt", 3)
    conn = connect(catalog_path(home))
    with transaction(conn):  # renamed, and the ingest has not re-keyed the uses yet
        conn.execute("DELETE FROM documents WHERE doc_id = 'r/a.txt'")
        _put(conn, "r/moved.txt", "ha")
        _put(conn, "r/other.txt", "ho")
    conn.close()
    assert {d: c for d, (c, _) in _usage(home).items()} == {"r/moved.txt": 3, "r/other.txt": 0}
    assert _usage(home) == _events(home)


def _totals_match_events(home: Path) -> bool:
    with sqlite3.connect(catalog_path(home)) as conn:
        return conn.execute(TOTALS_SQL).fetchall() == conn.execute(KEYS_SQL).fetchall()


def _tables_read(home: Path) -> set[str]:
    """The tables ``document_states`` reads from, as SQLite's authorizer reports them."""
    read: set[str] = set()

    def note(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return sqlite3.SQLITE_OK

    conn = connect(catalog_path(home), readonly=True)
    conn.set_authorizer(note)
    try:
        document_states(conn, datetime.now(UTC), ReviewPolicy())
    finally:
        conn.close()
    return read


def test_totals_equal_the_events_through_renames_and_copies(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/b.txt": "hb", "r/c.txt": "hc"})
    _search(QueryLog(home), "r/a.txt", 40)
    _search(QueryLog(home), "r/b.txt", 25)
    _ingest_moves(home, {"r/a2.txt": "ha", "r/c.txt": "hc2"}, gone=("r/a.txt",))
    _search(QueryLog(home), "r/c.txt", 3)
    _ingest_moves(home, {"r/b-copy.txt": "hb", "r/a2.txt": "ha2"})
    _search(QueryLog(home), "r/b-copy.txt", 6)
    _ingest_moves(home, {"r/a3.txt": "ha2"}, gone=("r/a2.txt",))  # an edit, then a rename
    assert _totals_match_events(home)
    assert _usage(home) == _events(home)
    assert {d: c for d, (c, _) in _usage(home).items()}["r/a3.txt"] == 40


def test_concurrent_writers_keep_the_totals_in_step(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/b.txt": "hb"})

    def worker(number: int) -> None:  # a server worker: a query log of its own
        _search(QueryLog(home), ("r/a.txt", "r/b.txt")[number % 2], 10)
        note_feedback(home, "vraag", "clicked", "r/a.txt")

    with ThreadPoolExecutor(6) as threads:
        list(threads.map(worker, range(6)))
    assert _totals_match_events(home)
    assert _usage(home) == _events(home)


def test_a_home_with_only_events_gets_its_totals_on_open(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/b.txt": "hb"})
    _search(QueryLog(home), "r/a.txt", 4)
    _ingest_moves(home, {"r/a2.txt": "ha"}, gone=("r/a.txt",))
    _search(QueryLog(home), "r/b.txt", 2)
    with sqlite3.connect(catalog_path(home)) as conn:  # as a catalog from before the totals
        conn.execute("DROP TABLE use_totals")
    migrate_catalog(home)  # what the service does before it opens read-only connections
    assert _totals_match_events(home)
    assert {d: c for d, (c, _) in _usage(home).items()} == {"r/a2.txt": 4, "r/b.txt": 2}
    assert _usage(home) == _events(home)


def test_empty_totals_beside_events_are_filled_once(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha"})
    _search(QueryLog(home), "r/a.txt", 3)
    with sqlite3.connect(catalog_path(home)) as conn:
        conn.execute("DELETE FROM use_totals")
    connect(catalog_path(home)).close()
    connect(catalog_path(home)).close()  # a second open counts nothing again
    assert _totals_match_events(home)
    assert _usage(home)["r/a.txt"][0] == 3


def test_a_search_reads_totals_whose_size_does_not_grow_with_the_events(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha", "r/b.txt": "hb"})
    sizes = []
    for _ in range(3):
        _search(QueryLog(home), "r/a.txt", 50)
        _search(QueryLog(home), "r/b.txt", 20)
        with sqlite3.connect(catalog_path(home)) as conn:
            sizes.append(conn.execute("SELECT count(*) FROM use_totals").fetchone()[0])
    assert sizes == [2, 2, 2]
    read = _tables_read(home)
    assert "use_totals" in read and "uses" not in read
    assert _usage(home)["r/a.txt"][0] == 150


def test_the_audit_of_a_home_from_before_the_totals_counts_its_events(tmp_path: Path) -> None:
    home = _home(tmp_path, {"r/a.txt": "ha"})
    _search(QueryLog(home), "r/a.txt", 3)
    with sqlite3.connect(catalog_path(home)) as conn:
        conn.execute("DROP TABLE use_totals")
    audit = load_audit(home)  # read-only, as `wegwijs audit` and /api/audit read it
    assert [(orphan.doc_id, orphan.uses) for orphan in audit.orphans] == [("r/a.txt", 3)]
