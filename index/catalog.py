"""The SQLite catalog: the source of truth for documents, chunks, owners, embeddings and runs.

FAISS files are derived from it and can always be rebuilt from it. Writers use WAL with
``synchronous=FULL``; readers open their own connections.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.governance.schema import GOVERNANCE_SCHEMA
from index.governance.topic_inputs import migrate_topic_inputs
from index.governance.usage import migrate_use_totals
from index.readers import READERS_SCHEMA, migrate_readers

# 2: reader entries per document (``index.readers``); a schema-1 catalog is migrated on open.
# 3: chunks carry ``added_seq``/``retired_seq`` (``index.retired``); a schema-2 catalog's chunks
#    table is rebuilt on open (its rows keep their row ids, so FAISS and FTS5 rows still match).
SCHEMA_VERSION = 3
RETIRED_SINCE_VERSION = 3

# A changed document's old chunks stay as retired rows (same doc_id and ordinal) until no served
# generation can see them, so (doc_id, ordinal) is unique among current chunks only.
_CHUNKS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    chunk_rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    section TEXT,
    text_sha256 TEXT NOT NULL,
    embedding BLOB NOT NULL,
    added_seq INTEGER NOT NULL DEFAULT 0,
    retired_seq INTEGER
);
"""
_CHUNK_INDEXES = """
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id, ordinal);
CREATE UNIQUE INDEX IF NOT EXISTS chunks_current ON chunks (doc_id, ordinal)
    WHERE retired_seq IS NULL;
CREATE INDEX IF NOT EXISTS chunks_retired ON chunks (retired_seq) WHERE retired_seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS chunks_text_sha256 ON chunks (text_sha256);
"""

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    root_label TEXT NOT NULL,
    root_path TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    file_type TEXT NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    modified_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    language TEXT,
    status TEXT,
    fs_uid INTEGER NOT NULL,
    fs_gid INTEGER NOT NULL,
    fs_mode INTEGER NOT NULL,
    fs_user TEXT NOT NULL,
    fs_group TEXT NOT NULL,
    public INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_root ON documents (root_label, rel_path);
CREATE TABLE IF NOT EXISTS owners (
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (doc_id, position)
);
CREATE INDEX IF NOT EXISTS owners_name ON owners (name);
"""
    + _CHUNKS_TABLE.format(name="chunks")
    + """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5 (terms, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS errors (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    roots TEXT NOT NULL,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    seconds REAL
);
"""
)


def catalog_path(home: Path) -> Path:
    """Where the catalog of a home lives."""
    return home / "catalog.sqlite"


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the catalog with our pragmas; a writer also creates the schema."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    if not readonly:
        conn.executescript(_SCHEMA + GOVERNANCE_SCHEMA + READERS_SCHEMA)
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        migrate_readers(conn)
        migrate_chunks(conn)
        migrate_use_totals(conn)
        migrate_topic_inputs(conn)
        conn.executescript(_CHUNK_INDEXES)
    return conn


def migrate_chunks(conn: sqlite3.Connection) -> None:
    """Give a catalog from before retired chunks (schema 2) ``added_seq``/``retired_seq``.

    SQLite cannot drop the old ``UNIQUE (doc_id, ordinal)``, so the table is rebuilt in one
    transaction: every row keeps its ``chunk_rowid`` (FAISS ids and FTS5 rows still match) and
    gets its document's ``seq`` as ``added_seq``; the AUTOINCREMENT counter is carried over, so
    no row id of a deleted chunk is ever handed out again.
    """
    if _has_retired_column(conn):
        if int(get_meta(conn, "schema_version") or 0) < RETIRED_SINCE_VERSION:
            with transaction(conn):
                _set_version(conn)
        return
    conn.execute("PRAGMA foreign_keys = OFF")  # dropping the old table must not cascade
    try:
        with transaction(conn):
            if not _has_retired_column(conn):  # another writer may have migrated meanwhile
                _rebuild_chunks(conn)
            _set_version(conn)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _set_version(conn: sqlite3.Connection) -> None:
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
        (str(RETIRED_SINCE_VERSION), RETIRED_SINCE_VERSION),
    )


def _has_retired_column(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM pragma_table_info('chunks') WHERE name = 'retired_seq'"
    ).fetchone()
    return row is not None


def _rebuild_chunks(conn: sqlite3.Connection) -> None:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'").fetchone()
    counter = 0 if row is None else int(row[0])
    conn.execute(_CHUNKS_TABLE.format(name="chunks_migrated"))
    conn.execute(
        "INSERT INTO chunks_migrated (chunk_rowid, doc_id, ordinal, text, page, section, "
        "text_sha256, embedding, added_seq) SELECT c.chunk_rowid, c.doc_id, c.ordinal, c.text, "
        "c.page, c.section, c.text_sha256, c.embedding, coalesce(d.seq, 0) "
        "FROM chunks c LEFT JOIN documents d ON d.doc_id = c.doc_id"
    )
    conn.execute("DROP TABLE chunks")
    conn.execute("ALTER TABLE chunks_migrated RENAME TO chunks")
    conn.execute("DELETE FROM sqlite_sequence WHERE name IN ('chunks', 'chunks_migrated')")
    conn.execute(
        "INSERT INTO sqlite_sequence (name, seq) "
        "SELECT 'chunks', max(?, coalesce(max(chunk_rowid), 0)) FROM chunks",
        (counter,),
    )


def migrate_catalog(home: Path) -> None:
    """Bring an existing catalog of ``home`` to this schema (searchers open it read-only).

    Only a catalog that needs it is opened for writing, so a running ingest is not waited for.
    """
    path = catalog_path(home)
    if not path.exists():
        return
    conn = connect(path, readonly=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        current = (
            {"readers", "use_totals"} <= tables
            and "topic_inputs" not in tables
            and _has_retired_column(conn)
        )
    finally:
        conn.close()
    if not current:
        connect(path).close()


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """Read one value from the meta table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row["value"])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Write one value to the meta table (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def next_seq(conn: sqlite3.Connection) -> int:
    """Advance and return the catalog's ingest sequence (inside the caller's transaction)."""
    seq = int(get_meta(conn, "seq") or 0) + 1
    set_meta(conn, "seq", str(seq))
    return seq


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
