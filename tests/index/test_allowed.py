"""The allowed-ids cache: reused per principal, renewed when any reader changes, bounded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.allowed import AllowedCache
from index.catalog import connect, transaction
from index.filters import Filters
from index.readers import Principal, write_readers
from ingest.models import Reader

ANN = Filters(reader=Principal("ann", ("hr",)))
BOB = Filters(reader=Principal("bob"))


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    conn = connect(tmp_path / "catalog.sqlite")
    with transaction(conn):
        for number, readers in enumerate(
            [[Reader("allow", "public")], [Reader("allow", "group", "hr")], []]
        ):
            doc_id = f"r/{number}.txt"
            conn.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc_id, "r", "/r", f"{number}.txt", "txt", "t", "[]", "2026-01-01", 1, 1,
                 "s", "nl", None, 0, 0, 0o644, "u", "g", 1, 1, "now"),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO chunks (doc_id, ordinal, text, text_sha256, embedding) "
                "VALUES (?,?,?,?,?)",
                [(doc_id, ordinal, "x", "h", b"\0\0\0\0") for ordinal in range(3)],
            )
            write_readers(conn, doc_id, readers)
    return conn


def _docs(conn: sqlite3.Connection, ids: list[int]) -> set[str]:
    wanted = set(ids)
    rows = conn.execute("SELECT chunk_rowid, doc_id FROM chunks").fetchall()
    return {doc_id for rowid, doc_id in rows if rowid in wanted}


def test_each_principal_gets_its_own_ids_and_reuses_them(conn: sqlite3.Connection) -> None:
    cache = AllowedCache()
    ann = cache.get(conn, 1, ANN)
    assert _docs(conn, ann.ids.tolist()) == {"r/0.txt", "r/1.txt"}
    assert _docs(conn, cache.get(conn, 1, BOB).ids.tolist()) == {"r/0.txt"}
    assert cache.get(conn, 1, ANN) is ann
    assert cache.get(conn, 2, ANN) is not ann


def test_a_reader_change_takes_effect_at_once(conn: sqlite3.Connection) -> None:
    cache = AllowedCache()
    before = cache.get(conn, 1, BOB)
    with transaction(conn):
        write_readers(conn, "r/0.txt", [Reader("allow", "user", "ann")])
    after = cache.get(conn, 1, BOB)
    assert len(before) == 3 and len(after) == 0


def test_the_cache_stays_within_its_byte_budget(conn: sqlite3.Connection) -> None:
    cache = AllowedCache(max_bytes=8 * 6 + 1)  # ann's 6 ids and a 1-byte bitmap
    first = cache.get(conn, 1, ANN)
    cache.get(conn, 1, BOB)
    assert cache.get(conn, 1, ANN) is not first
