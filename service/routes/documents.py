"""``/api/documents/{doc_id}``: a document's metadata and passages, and its original file."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from index.documents import DocumentRecord, get_document
from index.originals import original_path
from service.deps import SearcherDep
from service.render import age
from service.schemas import DocumentOut, ErrorOut
from service.urls import original_url

router = APIRouter(tags=["documents"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Not catalogued, or the file is gone."}
}


@router.get(
    "/api/documents/{doc_id:path}/original",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, **NOT_FOUND},
)
def api_original(searcher: SearcherDep, doc_id: str) -> FileResponse:
    """Download the original file of a document, found by its doc_id in the catalog.

    A document the caller may not read is 404, like one that does not exist.
    """
    path = original_path(searcher.conn, doc_id, searcher.reader)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=PurePosixPath(doc_id).name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/api/documents/{doc_id:path}", response_model=DocumentOut, responses=NOT_FOUND)
def api_document(searcher: SearcherDep, doc_id: str) -> dict[str, Any]:
    """A document's metadata and its passages in order."""
    record = get_document(searcher.conn, doc_id, searcher.reader)
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
        "original_url": original_url(record.doc_id),
        "chunks": [vars(p) for p in record.passages],
    }
