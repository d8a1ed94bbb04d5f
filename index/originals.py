"""Find the original file of a catalogued document, by ``doc_id`` only, inside its root."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index.errors import SearchIndexError


class DocumentNotFoundError(SearchIndexError, LookupError):
    """No document with this ``doc_id`` is in the catalog."""


class OriginalMissingError(SearchIndexError, FileNotFoundError):
    """The document is catalogued but its file is gone or no longer inside its root."""


def original_path(conn: sqlite3.Connection, doc_id: str) -> Path:
    """The file of ``doc_id`` as recorded by ingest (its root folder plus its relative path).

    The path comes from the catalog, never from a caller, and is resolved (symbolic links
    followed) and refused unless it still lies inside the resolved root.

    Raises:
        DocumentNotFoundError: ``doc_id`` is not catalogued.
        OriginalMissingError: the file was moved, deleted, or now points outside its root.
    """
    row = conn.execute(
        "SELECT root_path, rel_path FROM documents WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    if row is None:
        raise DocumentNotFoundError(
            f"No document '{doc_id}' in the catalog: search for it to get a current doc_id."
        )
    root = Path(row[0]).resolve()
    path = (root / row[1]).resolve()
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
