"""The FastAPI app: JSON API under /api, the search page at /, health at /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from index.documents import catalog_counts, get_document
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.filters import Filters
from index.search import Searcher, SearchMode
from ingest.offline import enforce_offline
from service.engine import open_searcher
from service.render import age, hit_record, snippet
from service.schemas import DocumentOut, HealthOut, SearchOut
from service.settings import Settings
from service.state import LiveSearcher

WEB = Path(__file__).parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (read from the environment at start-up when not given)."""
    enforce_offline()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        effective = settings or Settings()
        app.state.settings = effective
        app.state.live = LiveSearcher(effective, open_searcher)
        yield

    app = FastAPI(title="Wegwijs", version="0.1.0", lifespan=lifespan, description=__doc__)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.state.templates = Jinja2Templates(directory=WEB / "templates")
    _add_error_handlers(app)
    _add_routes(app)
    return app


def get_searcher(request: Request) -> Searcher:
    """The searcher of the newest generation."""
    live: LiveSearcher = request.app.state.live
    return live.get()


SearcherDep = Annotated[Searcher, Depends(get_searcher)]


def _add_error_handlers(app: FastAPI) -> None:
    async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    for error in (IndexNotFoundError, IndexMismatchError, IndexCorruptError):
        app.add_exception_handler(error, unavailable)


def _filters(
    root: str | None = None,
    folder: str | None = None,
    owner: str | None = None,
    file_type: str | None = None,
    language: str | None = None,
    modified_after: datetime | None = None,
    modified_before: datetime | None = None,
) -> Filters:
    return Filters(root, folder, owner, file_type, language, modified_after, modified_before)


FiltersDep = Annotated[Filters, Depends(_filters)]


def _add_routes(app: FastAPI) -> None:
    @app.get("/api/search", response_model=SearchOut, tags=["search"])
    def api_search(
        request: Request,
        searcher: SearcherDep,
        filters: FiltersDep,
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=1000,
                examples=["hoeveel vakantiedagen krijg ik"],
            ),
        ],
        top_k: Annotated[int, Query(ge=1, le=100)] = 10,
        mode: SearchMode = "hybrid",
    ) -> dict[str, Any]:
        """Best passages for a query, with document, owners and age."""
        hits = searcher.search(q, top_k=top_k, filters=filters, mode=mode)
        return {"query": q, "mode": mode, "hits": [hit_record(hit) for hit in hits]}

    @app.get("/api/documents/{doc_id:path}", response_model=DocumentOut, tags=["documents"])
    def api_document(searcher: SearcherDep, doc_id: str) -> dict[str, Any]:
        """A document's metadata and its passages in order."""
        record = get_document(searcher.conn, doc_id)
        if record is None:
            raise HTTPException(404, f"No document '{doc_id}' in the catalog.")
        return _document_json(record)

    @app.get("/healthz", response_model=HealthOut, tags=["service"])
    def healthz(request: Request) -> dict[str, Any]:
        """Generation and counts being served, or why nothing is."""
        return _health(request.app.state.live)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, q: str = "", top_k: int = 10) -> HTMLResponse:
        return _page(request, q.strip()[:1000], max(1, min(top_k, 100)))


def _document_json(record: Any) -> dict[str, Any]:
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


def _health(live: LiveSearcher) -> dict[str, Any]:
    try:
        searcher = live.get()
    except (IndexNotFoundError, IndexCorruptError, IndexMismatchError) as exc:
        return {
            "status": "degraded",
            "generation": 0,
            "documents": 0,
            "chunks": 0,
            "model": "",
            "detail": str(exc),
        }
    documents, chunks = catalog_counts(searcher.conn)
    manifest = searcher.manifest
    return {
        "status": "ok",
        "generation": manifest.generation,
        "documents": documents,
        "chunks": chunks,
        "model": manifest.model_profile,
    }


def _page(request: Request, query: str, top_k: int) -> HTMLResponse:
    hits: list[dict[str, Any]] = []
    error = None
    if query:
        try:
            searcher = request.app.state.live.get()
            hits = [
                hit_record(hit) | {"snippet": snippet(hit.text, 400)}
                for hit in searcher.search(query, top_k=top_k)
            ]
        except (IndexNotFoundError, IndexCorruptError, IndexMismatchError) as exc:
            error = str(exc)
    context = {"query": query, "hits": hits, "error": error}
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "search.html", context)


app = create_app()
