"""The FastAPI app: JSON API under /api, the web pages, health at /healthz."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    PostingsUnavailableError,
    SearchIndexError,
)
from index.governance.query_log import close_query_logs
from index.originals import DocumentNotFoundError, OriginalMissingError
from ingest.offline import enforce_offline
from service.auth import NotSignedInError, get_principal
from service.cursor import CursorError
from service.engine import open_searcher
from service.generate import GenerationError
from service.limits import LimitsConfig, RequestLimits
from service.rights import NotAllowedError
from service.routes import ask, documents, feedback, governance, health, pages, search, signin
from service.settings import Settings
from service.state import LiveSearcher
from service.tokens import list_tokens

logger = logging.getLogger(__name__)
SETTINGS_ENV = "WEGWIJS_SERVE_SETTINGS"

WEB = Path(__file__).parent / "web"
# Every route of these routers requires a caller (service.auth.get_principal) ...
ROUTERS = (
    search.router,
    ask.router,
    documents.router,
    feedback.router,
    pages.router,
    governance.router,
    governance.pages,
)
# ... except these, open to all: health and the sign-in page (see auth.PUBLIC_PATHS).
OPEN_ROUTERS = (health.router, signin.router)
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from a CDN with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src blob:; frame-ancestors 'none'"
)
ERROR_STATUS: dict[type[Exception], int] = {
    IndexNotFoundError: 503,
    IndexMismatchError: 503,
    IndexCorruptError: 503,
    PostingsUnavailableError: 503,
    CursorError: 400,
    DocumentNotFoundError: 404,
    OriginalMissingError: 404,
    GenerationError: 502,
    NotAllowedError: 403,
}


def _warm_up(live: LiveSearcher) -> None:
    """Load the index, the query model and the lexical postings before the first request."""
    try:
        searcher = live.get()
        searcher.encoder.encode_queries(["warm-up"])
        searcher.lexical_memory.wait()
    except SearchIndexError as exc:  # empty or damaged home: /healthz and each request say why
        logger.warning("Not warmed up: %s", exc)


def app_from_environment() -> FastAPI:
    """The app of one ``serve --workers`` process, with the settings its parent passed on."""
    return create_app(Settings.from_json(os.environ[SETTINGS_ENV]))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (read from the environment when not given)."""
    enforce_offline()
    effective = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = effective
        app.state.live = LiveSearcher(effective, open_searcher)
        warn_if_nobody_can_sign_in(effective)
        await asyncio.to_thread(_warm_up, app.state.live)
        yield
        app.state.live.close()
        await asyncio.to_thread(close_query_logs)  # write the searches still queued

    app = FastAPI(title="Wegwijs", version="0.1.0", lifespan=lifespan, description=__doc__)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    templates = Jinja2Templates(directory=WEB / "templates")
    templates.env.trim_blocks = templates.env.lstrip_blocks = True
    app.state.templates = templates
    _add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(get_principal)])
    for router in OPEN_ROUTERS:
        app.include_router(router)
    app.add_middleware(SecurityHeaders)
    limits = LimitsConfig(effective.rate_limit, effective.max_in_flight, effective.max_body_bytes)
    app.add_middleware(RequestLimits, config=limits)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is ``{"detail": "<what failed and what to do>"}`` with its status."""

    async def domain(_request: Request, exc: Exception) -> JSONResponse:
        status = next(code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind))
        return JSONResponse({"detail": str(exc)}, status_code=status)

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'][1:]) or 'body'}: {error['msg']}"
            for error in errors
        )
        return JSONResponse({"detail": f"Invalid request: {problems}."}, status_code=422)

    for error in ERROR_STATUS:
        app.add_exception_handler(error, domain)
    app.add_exception_handler(NotSignedInError, not_signed_in)
    app.add_exception_handler(RequestValidationError, invalid)


def warn_if_nobody_can_sign_in(settings: Settings) -> None:
    """Say how to get in when there are no tokens, no proxy secret and no anonymous access."""
    if settings.anonymous or settings.proxy_secret or list_tokens(settings.home):
        return
    logger.warning(
        "Nobody can sign in yet: create a token with 'wegwijs --home %s token create --user "
        "NAME', set WEGWIJS_PROXY_SECRET for a signing-in proxy, or WEGWIJS_ANONYMOUS=true "
        "for public documents only.",
        settings.home,
    )


async def not_signed_in(request: Request, exc: Exception) -> Response:
    """401 for the API; the web pages send the browser to the sign-in form and back."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?{urlencode({'next': target})}", status_code=303)


class SecurityHeaders:
    """ASGI middleware adding CSP, nosniff, referrer and framing headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


app = create_app()
