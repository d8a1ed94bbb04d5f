"""``/api/documents/{doc_id}``: one document's metadata and passages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from index.documents import DocumentRecord, get_document
from service.deps import SearcherDep
from service.render import age
from service.schemas import DocumentOut

router = APIRouter(tags=["documents"])


@router.get("/api/documents/{doc_id:path}", response_model=DocumentOut)
def api_document(searcher: SearcherDep, doc_id: str) -> dict[str, Any]:
    """A document's metadata and its passages in order."""
    record = get_document(searcher.conn, doc_id)
    if record is None:
        raise HTTPException(404, f"No document '{doc_id}' in the catalog.")
    return document_json(record)


def document_json(record: DocumentRecord) -> dict[str, Any]:
    """The JSON shape of a document."""
    return {
        "doc_id": record.doc_id,
        "root": record.root,
        "doc_path": record.doc_path,
        "title": record.title,
        "file_type": record.file_type,
        "language": record.language,
        "owners": [{"name": o.name, "source": o.source} for o in record.owners],
        "modified_at": record.modified_at,
        "age": age(record.modified_at),
        "size": record.size,
        "sha256": record.sha256,
        "chunks": [vars(p) for p in record.passages],
    }
