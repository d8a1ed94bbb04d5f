"""Find the original file of a catalogued document, by ``doc_id`` only, inside its root."""

from __future__ import annotations

import sqlite3
from pathlib import Path, PurePosixPath

from index.errors import SearchIndexError
from index.readers import Principal, can_read


class DocumentNotFoundError(SearchIndexError, LookupError):
    """No document with this ``doc_id`` is in the catalog."""


class OriginalMissingError(SearchIndexError, FileNotFoundError):
    """The document is catalogued but its file is gone or no longer inside its root."""


def original_path(conn: sqlite3.Connection, doc_id: str, reader: Principal | None = None) -> Path:
    """The file of ``doc_id`` as recorded by ingest, checked to lie inside its root folder.

    The path comes from the catalog, never from a caller: ``documents.root_path`` holds the
    folder the file was found in and ``rel_path`` its path below the crawled root. The path is
    resolved (symbolic links followed) and refused unless it is still inside the resolved root.
    A document that ``reader`` (when given) may not read is not found, like an unknown one.

    Raises:
        DocumentNotFoundError: ``doc_id`` is not catalogued, or not readable by ``reader``.
        OriginalMissingError: the file was moved, deleted, or now points outside its root.
    """
    row = conn.execute(
        "SELECT root_path, rel_path FROM documents WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    if row is None or (reader is not None and not can_read(conn, doc_id, reader)):
        raise DocumentNotFoundError(
            f"No document '{doc_id}' in the catalog: search for it to get a current doc_id."
        )
    rel = PurePosixPath(str(row[1]))
    root = crawl_root(Path(str(row[0])), rel).resolve()
    path = root.joinpath(*rel.parts).resolve()
    if not path.is_relative_to(root):
        raise OriginalMissingError(
            f"The file of '{doc_id}' now points outside its root {root}: refusing to serve it."
        )
    if not path.is_file():
        raise OriginalMissingError(
            f"The file of '{doc_id}' is no longer at its place in {root}: it was moved or "
            "deleted since the last ingest. Run 'wegwijs ingest' again to update the catalog."
        )
    return path


def crawl_root(folder: Path, rel: PurePosixPath) -> Path:
    """The crawled root: ``folder`` (where the file was found) less ``rel``'s own folders.

    A ``folder`` that does not end in those folders is taken to be the root itself.
    """
    depth = len(rel.parts) - 1
    if depth and folder.parts[-depth:] == rel.parent.parts:
        return folder.parents[depth - 1]
    return folder
