"""Read one document with its passages from the catalog."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from index.hits import owners_of
from index.models import Owner
from index.readers import Principal, can_read


@dataclass(frozen=True)
class Passage:
    """One chunk of a document."""

    chunk_id: str
    ordinal: int
    text: str
    page: int | None
    section: str | None


@dataclass(frozen=True)
class DocumentRecord:
    """A catalogued document."""

    doc_id: str
    root: str
    doc_path: str
    title: str
    file_type: str
    language: str | None
    owners: tuple[Owner, ...]
    modified_at: str
    size: int
    sha256: str
    passages: tuple[Passage, ...]


def get_document(
    conn: sqlite3.Connection, doc_id: str, reader: Principal | None = None
) -> DocumentRecord | None:
    """The document ``doc_id`` with its current passages in order, or None when not catalogued.

    With a ``reader``, a document that reader may not read is None as well (it does not exist
    for them).
    """
    if reader is not None and not can_read(conn, doc_id, reader):
        return None
    row = conn.execute(
        "SELECT doc_id, root_label, rel_path, title, file_type, language, modified_at, "
        "size, sha256 "
        "FROM documents WHERE doc_id = ?",
        (doc_id,),
    ).fetchone()
    if row is None:
        return None
    chunks = conn.execute(
        "SELECT ordinal, text, page, section FROM chunks WHERE doc_id = ? AND retired_seq IS NULL "
        "ORDER BY ordinal",
        (doc_id,),
    )
    passages = tuple(Passage(f"{doc_id}#{c[0]}", c[0], c[1], c[2], c[3]) for c in chunks)
    owners = owners_of(conn, [doc_id]).get(doc_id, ())
    return DocumentRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        owners,
        row[6],
        row[7],
        row[8],
        passages,
    )


def catalog_counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """Number of documents and current chunks (what the next generation holds) in the catalog."""
    documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    chunks = conn.execute("SELECT count(*) FROM chunks WHERE retired_seq IS NULL").fetchone()[0]
    return int(documents), int(chunks)
