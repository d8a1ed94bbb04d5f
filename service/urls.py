"""URLs of the pages and downloads of a document, built from its ``doc_id``."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def document_url(doc_id: str, query: str = "", ordinal: int | None = None) -> str:
    """The document page of ``doc_id``, marking ``query``, scrolled to passage ``ordinal``."""
    url = f"/documents/{quote(doc_id, safe='/')}"
    if query:
        url += "?" + urlencode({"q": query})
    return url + (f"#chunk-{ordinal}" if ordinal is not None else "")


def original_url(doc_id: str) -> str:
    """Where the original file of ``doc_id`` is downloaded."""
    return f"/api/documents/{quote(doc_id, safe='/')}/original"


def chunk_ordinal(chunk_id: str) -> int:
    """The position of a chunk in its document (``doc_id#ordinal``)."""
    return int(chunk_id.rpartition("#")[2])
