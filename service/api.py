"""The FastAPI app: JSON API under /api, the search page at /, health at /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from ingest.offline import enforce_offline
from service.engine import open_searcher
from service.routes import documents, health, page, search
from service.settings import Settings
from service.state import LiveSearcher

WEB = Path(__file__).parent / "web"
ROUTERS = (search.router, documents.router, health.router, page.router)


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
    for router in ROUTERS:
        app.include_router(router)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    for error in (IndexNotFoundError, IndexMismatchError, IndexCorruptError):
        app.add_exception_handler(error, unavailable)


app = create_app()
