"""Write documents, chunks, embeddings and errors into the catalog; read back what ingest needs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from index.analyze import document_terms
from index.catalog import next_seq
from index.embedding_input import context_title, embedding_text, input_sha256
from index.readers import write_readers
from index.retired import CURRENT_SQL, retire_chunks
from ingest.models import Document, FileError, Owner


@dataclass(frozen=True)
class KnownFile:
    """What the catalog remembers about a file, to decide whether it changed."""

    doc_id: str
    size: int
    mtime_ns: int
    sha256: str


def known_files(conn: sqlite3.Connection, root_label: str) -> dict[str, KnownFile]:
    """Every indexed document under one root, by ``doc_id``."""
    rows = conn.execute(
        "SELECT doc_id, size, mtime_ns, sha256 FROM documents WHERE root_label = ?",
        (root_label,),
    )
    return {row["doc_id"]: KnownFile(*row) for row in rows}


def cached_embeddings(
    conn: sqlite3.Connection, hashes: Iterable[str]
) -> dict[str, npt.NDArray[np.float32]]:
    """Embeddings of current chunks for these embedding-input hashes (a retired chunk's may be
    from a model the catalog was re-embedded away from)."""
    found: dict[str, npt.NDArray[np.float32]] = {}
    wanted = list(set(hashes))
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            f"SELECT text_sha256, embedding FROM chunks WHERE text_sha256 IN ({marks}) "
            f"AND {CURRENT_SQL}",
            part,
        )
        for row in rows:
            found[row["text_sha256"]] = np.frombuffer(row["embedding"], dtype=np.float32)
    return found


_DOCUMENT_COLUMNS = (
    "doc_id", "root_label", "root_path", "rel_path", "file_type", "title", "authors",
    "modified_at", "size", "mtime_ns", "sha256", "language", "status", "fs_uid", "fs_gid",
    "fs_mode", "fs_user", "fs_group", "public", "seq", "indexed_at",
)  # fmt: skip
# An upsert, never delete + insert: deleting the row would cascade to the retired chunks.
_UPSERT_DOCUMENT = (
    f"INSERT INTO documents ({', '.join(_DOCUMENT_COLUMNS)}) "
    f"VALUES ({','.join('?' * len(_DOCUMENT_COLUMNS))}) ON CONFLICT (doc_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _DOCUMENT_COLUMNS[1:])
)


def write_document(
    conn: sqlite3.Connection,
    document: Document,
    authors: Sequence[str],
    embeddings: npt.NDArray[np.float32],
) -> None:
    """Add or update one document with its owners, readers and chunks (in the caller's
    transaction).

    A changed document's old chunks are retired, not deleted: readers of the published
    generation keep finding it by its old text until the next one is live (``index.retired``).
    Its owners and reader entries are replaced at once, and apply to the retired chunks too.
    """
    seq = next_seq(conn)
    retire_chunks(conn, document.doc_id, seq)
    conn.execute("DELETE FROM errors WHERE doc_id = ?", (document.doc_id,))
    access = document.access
    conn.execute(
        _UPSERT_DOCUMENT,
        (
            document.doc_id, document.root_label, str(document.path.parent),
            document.rel_path, document.file_type, document.title, json.dumps(list(authors)),
            document.modified_at.isoformat(), document.size, document.mtime_ns,
            document.sha256, document.language, document.status, access.uid, access.gid,
            access.mode, access.user, access.group, int(access.public), seq, _now(),
        ),
    )  # fmt: skip
    write_owners(conn, document.doc_id, document.owners)
    write_readers(conn, document.doc_id, access.readers)
    title = context_title(document.title, document.rel_path)
    for chunk, vector in zip(document.chunks, embeddings, strict=True):
        cursor = conn.execute(
            "INSERT INTO chunks (doc_id, ordinal, text, page, section, text_sha256, embedding, "
            "added_seq) VALUES (?,?,?,?,?,?,?,?)",
            (
                document.doc_id, chunk.ordinal, chunk.text, chunk.page, chunk.section,
                input_sha256(embedding_text(title, chunk.section, chunk.text)),
                vector.astype(np.float32).tobytes(), seq,
            ),
        )  # fmt: skip
        terms = document_terms(
            f"{document.title}\n{chunk.section or ''}\n{chunk.text}", document.language
        )
        conn.execute(
            "INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)",
            (cursor.lastrowid, terms),
        )


def write_owners(conn: sqlite3.Connection, doc_id: str, owners: Sequence[Owner]) -> None:
    """Replace the owners of one document."""
    conn.execute("DELETE FROM owners WHERE doc_id = ?", (doc_id,))
    conn.executemany(
        "INSERT INTO owners (doc_id, position, name, source) VALUES (?,?,?,?)",
        [(doc_id, position, owner.name, owner.source) for position, owner in enumerate(owners)],
    )


def delete_documents(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> int:
    """Remove documents with all their chunks (retired ones too) and full-text rows at once;
    return how many existed."""
    removed = 0
    for doc_id in doc_ids:
        conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN "
            "(SELECT chunk_rowid FROM chunks WHERE doc_id = ?)",
            (doc_id,),
        )
        removed += conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount
    return removed


def touch_document(conn: sqlite3.Connection, doc_id: str, size: int, mtime_ns: int) -> None:
    """Record a new mtime for a file whose content did not change."""
    conn.execute(
        "UPDATE documents SET size = ?, mtime_ns = ? WHERE doc_id = ?",
        (size, mtime_ns, doc_id),
    )


def record_error(
    conn: sqlite3.Connection, error: FileError, run_id: int, size: int, mtime_ns: int
) -> None:
    """Remember why a file could not be indexed (listed by ``wegwijs errors``)."""
    conn.execute(
        "INSERT OR REPLACE INTO errors VALUES (?,?,?,?,?,?,?)",
        (error.doc_id, str(error.path), error.reason, size, mtime_ns, run_id, _now()),
    )


def forget_errors(conn: sqlite3.Connection, root_label: str, keep: set[str]) -> None:
    """Drop errors of files under a root that no longer exist."""
    rows = conn.execute("SELECT doc_id FROM errors WHERE doc_id LIKE ?", (f"{root_label}/%",))
    gone = [row["doc_id"] for row in rows if row["doc_id"] not in keep]
    conn.executemany("DELETE FROM errors WHERE doc_id = ?", [(doc_id,) for doc_id in gone])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def known_errors(conn: sqlite3.Connection, root_label: str) -> dict[str, tuple[int, int]]:
    """Files under a root that failed before, with the size and mtime they had then."""
    rows = conn.execute(
        "SELECT doc_id, size, mtime_ns FROM errors WHERE doc_id LIKE ?",
        (f"{root_label}/%",),
    )
    return {row["doc_id"]: (row["size"], row["mtime_ns"]) for row in rows}
