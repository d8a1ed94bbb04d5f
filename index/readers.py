"""Who may read each document: the ``readers`` table, principals, and the SQL that filters by them.

Each document has reader entries (``allow``/``deny`` × ``user``/``group``/``public``) captured
at ingest (``ingest.access``). A principal may read a document when some allow entry matches
it and no deny entry does (deny beats allow). ``public`` matches every principal, anonymous
ones included; anonymous principals match nothing else. A document without entries is read
by nobody. The ``access_seq`` meta value moves whenever any entry changes, so caches of what
a principal may read are keyed by it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ingest.access import posix_readers, read_access
from ingest.access_rules import AccessRule
from ingest.acl import mode_entries
from ingest.models import Reader, SourceFile

READERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS readers (
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    effect TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
    kind TEXT NOT NULL CHECK (kind IN ('user', 'group', 'public')),
    name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_id, effect, kind, name)
);
CREATE INDEX IF NOT EXISTS readers_name ON readers (kind, name);
"""
READERS_SINCE_VERSION = 2


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user and their groups, or anonymous (``user`` None).

    ``groups`` is kept sorted and without repeats, so equal principals hash and print alike.
    ``admin`` allows administrative actions; it does not widen what the principal may read.
    """

    user: str | None
    groups: tuple[str, ...] = field(default=())
    admin: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(sorted({g for g in self.groups if g})))

    @classmethod
    def anonymous(cls) -> Principal:
        """A caller who did not sign in: may read public documents only."""
        return cls(None)

    @property
    def is_anonymous(self) -> bool:
        """True when nobody signed in."""
        return self.user is None


def _match_sql(principal: Principal) -> tuple[str, list[object]]:
    clauses, params = ["r.kind = 'public'"], list[object]()
    if principal.user is not None:
        clauses.append("(r.kind = 'user' AND r.name = ?)")
        params.append(principal.user)
    if principal.groups:
        marks = ",".join("?" * len(principal.groups))
        clauses.append(f"(r.kind = 'group' AND r.name IN ({marks}))")
        params += principal.groups
    return f"({' OR '.join(clauses)})", params


def reader_sql(principal: Principal) -> tuple[str, list[object]]:
    """SQL condition over ``documents d``: ``principal`` may read the document."""
    match, params = _match_sql(principal)
    entry = "SELECT 1 FROM readers r WHERE r.doc_id = d.doc_id AND r.effect = '{}' AND " + match
    condition = f"EXISTS ({entry.format('allow')}) AND NOT EXISTS ({entry.format('deny')})"
    return condition, params + params


def can_read(conn: sqlite3.Connection, doc_id: str, principal: Principal | None) -> bool:
    """True when ``doc_id`` is catalogued and ``principal`` may read it (None: no check)."""
    condition, params = reader_sql(principal) if principal else ("1", [])
    row = conn.execute(
        f"SELECT 1 FROM documents d WHERE d.doc_id = ? AND {condition}", [doc_id, *params]
    ).fetchone()
    return row is not None


def readable_documents(conn: sqlite3.Connection, principal: Principal) -> frozenset[str]:
    """Every ``doc_id`` that ``principal`` may read."""
    condition, params = reader_sql(principal)
    rows = conn.execute(f"SELECT d.doc_id FROM documents d WHERE {condition}", params)
    return frozenset(row[0] for row in rows)


def readable(readers: Iterable[Reader], principal: Principal) -> bool:
    """The same rule in Python: some allow entry matches and no deny entry does."""
    matching = [reader.effect for reader in readers if _matches(reader, principal)]
    return "allow" in matching and "deny" not in matching


def _matches(reader: Reader, principal: Principal) -> bool:
    if reader.kind == "public":
        return True
    if reader.kind == "user":
        return principal.user is not None and reader.name == principal.user
    return principal.user is not None and reader.name in principal.groups


def write_readers(conn: sqlite3.Connection, doc_id: str, readers: Iterable[Reader]) -> None:
    """Replace the reader entries of one document (inside the caller's transaction)."""
    conn.execute("DELETE FROM readers WHERE doc_id = ?", (doc_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO readers (doc_id, effect, kind, name) VALUES (?,?,?,?)",
        [(doc_id, r.effect, r.kind, r.name) for r in readers],
    )
    bump_access_seq(conn)


def stored_readers(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> dict[str, set[Reader]]:
    """The reader entries of these documents."""
    found: dict[str, set[Reader]] = {}
    wanted = list(doc_ids)
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        rows = conn.execute(
            "SELECT doc_id, effect, kind, name FROM readers "
            f"WHERE doc_id IN ({','.join('?' * len(part))})",
            part,
        )
        for row in rows:
            found.setdefault(row[0], set()).add(Reader(row[1], row[2], row[3]))
    return found


def refresh_readers(
    conn: sqlite3.Connection,
    files: Iterable[SourceFile],
    access_rules: Mapping[str, tuple[AccessRule, ...]],
) -> int:
    """Re-read who may read each catalogued file (a chmod, setfacl or ACCESS edit changes no
    content, so unchanged files are checked too); return how many documents changed."""
    sources = {source.doc_id: source for source in files}
    current = stored_readers(conn, sources)
    catalogued = {row[0] for row in conn.execute("SELECT doc_id FROM documents")}
    changed = 0
    for doc_id, source in sources.items():
        if doc_id not in catalogued:
            continue
        try:
            readers = read_access(source.path, source.rel_path, access_rules).readers
        except OSError:
            readers = ()
        if set(readers) != current.get(doc_id, set()):
            write_readers(conn, doc_id, readers)
            changed += 1
    return changed


def access_seq(conn: sqlite3.Connection) -> int:
    """A number that moves whenever any reader entry changes."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'access_seq'").fetchone()
    return 0 if row is None else int(row[0])


def bump_access_seq(conn: sqlite3.Connection) -> None:
    """Move ``access_seq`` (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('access_seq', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def migrate_readers(conn: sqlite3.Connection) -> None:
    """Give a catalog from before reader entries (schema 1) entries from its mode bits.

    ACLs and ACCESS files are captured by the next ingest, which re-reads every file's readers.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) < READERS_SINCE_VERSION:
            _backfill(conn)
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                (str(READERS_SINCE_VERSION),),
            )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _backfill(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT doc_id, fs_user, fs_group, fs_mode FROM documents").fetchall()
    for doc_id, user, group, mode in rows:
        write_readers(conn, doc_id, posix_readers(user, group, mode_entries(mode)))
