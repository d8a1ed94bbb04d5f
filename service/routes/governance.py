"""Governance: review and outdated marks, the audit, experts and gaps; JSON and pages.

``POST /api/documents/{doc_id}/review`` and ``…/outdated`` share their path prefix with
``GET /api/documents/{doc_id}``; the methods differ, so the routes never shadow each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from index.errors import SearchIndexError
from index.governance.errors import AmbiguousDocumentError, UnknownDocumentError
from index.readers import Principal, can_read
from index.search import Searcher
from service.auth import PrincipalDep
from service.deps import LiveDep, SearcherDep, SettingsDep, check_query
from service.governance import (
    Mark,
    load_audit_for,
    load_experts,
    load_gaps,
    mark_document,
)
from service.governance_schemas import (
    AuditOut,
    ExpertsOut,
    GapsOut,
    MarkOut,
    OutdatedIn,
    ReviewIn,
)
from service.rights import NotAllowedError, check_may_mark, require_admin, reviewer_name
from service.settings import Settings

router = APIRouter(tags=["governance"])
pages = APIRouter(include_in_schema=False)
STATUS = {UnknownDocumentError: 404, AmbiguousDocumentError: 409}
EMPTY_AUDIT = {"generated_at": "", "queues": [], "orphans": [], "superseded": [], "bus_factor": []}


def _mark(
    searcher: Searcher, settings: Settings, principal: Principal, doc_id: str, mark: Mark
) -> dict[str, Any]:
    if searcher.reader is not None and not can_read(searcher.conn, doc_id, searcher.reader):
        raise HTTPException(404, f"No document '{doc_id}' in the catalog.")
    check_may_mark(searcher.conn, doc_id, principal)
    by = reviewer_name(principal, mark.by)
    if not by.strip():
        raise HTTPException(422, "Say who you are: send 'by' with your name (or sign in).")
    try:
        return mark_document(settings.home, doc_id, mark.action, by, mark.note)
    except (UnknownDocumentError, AmbiguousDocumentError) as exc:
        raise HTTPException(STATUS[type(exc)], str(exc)) from exc


@router.post("/api/documents/{doc_id:path}/review", response_model=MarkOut, status_code=201)
def api_review(
    searcher: SearcherDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    doc_id: str,
    body: ReviewIn,
) -> dict[str, Any]:
    """Record that the caller reviewed the document (its owners and administrators only)."""
    mark = Mark("reviewed", body.by, body.note)
    return _mark(searcher, settings, principal, doc_id, mark)


@router.post("/api/documents/{doc_id:path}/outdated", response_model=MarkOut, status_code=201)
def api_outdated(
    searcher: SearcherDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    doc_id: str,
    body: OutdatedIn,
) -> dict[str, Any]:
    """Mark the document outdated, demoted until reviewed again (owners and administrators)."""
    mark = Mark("outdated", body.by, body.reason)
    return _mark(searcher, settings, principal, doc_id, mark)


@router.get("/api/audit", response_model=AuditOut)
def api_audit(
    settings: SettingsDep, principal: PrincipalDep, owner: str | None = None
) -> dict[str, Any]:
    """Review queues by harm, orphans, superseded copies and the bus-factor map, built from
    the documents the caller may read: all of it for administrators, else their own part."""
    return load_audit_for(settings.home, principal, owner or None)[1]


@router.get("/api/experts", response_model=ExpertsOut)
def api_experts(
    searcher: SearcherDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, examples=["wachtwoord vergeten"])],
    top_k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    """People who own or reviewed the passages that answer ``q``, with the evidence."""
    return load_experts(searcher, check_query(q, settings), top_k)


@router.get("/api/gaps", response_model=GapsOut)
def api_gaps(
    searcher: SearcherDep, principal: PrincipalDep, closed: bool = False
) -> dict[str, Any]:
    """Open knowledge gaps grouped by meaning and routed; ``closed=true`` adds answered ones.

    Administrators see all of them; other signed-in callers the groups routed to them.
    """
    return load_gaps(searcher, closed, principal)


def _page(request: Request, name: str, build: Callable[[], dict[str, Any]]) -> HTMLResponse:
    status = 200
    try:
        context = build()
    except (SearchIndexError, NotAllowedError) as exc:
        status = 403 if isinstance(exc, NotAllowedError) else 200
        context = {"error": str(exc), "audit": EMPTY_AUDIT, "gaps": {"groups": [], "closed": []}}
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def _audit_context(settings: Settings, owner: str | None, reader: Principal) -> dict[str, Any]:
    shown, audit = load_audit_for(settings.home, reader, owner)
    return {"audit": audit, "owner": shown}


@pages.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, settings: SettingsDep, principal: PrincipalDep, owner: str = ""
) -> HTMLResponse:
    """An owner's audit view (everyone's without ``owner``, for administrators)."""
    wanted = owner.strip() or None
    return _page(request, "audit.html", lambda: _audit_context(settings, wanted, principal))


@pages.get("/busfactor", response_class=HTMLResponse)
def busfactor_page(
    request: Request, settings: SettingsDep, principal: PrincipalDep
) -> HTMLResponse:
    """The bus-factor map of areas and topics (administrators)."""

    def build() -> dict[str, Any]:
        require_admin(principal, "the bus-factor map")
        return _audit_context(settings, None, principal)

    return _page(request, "busfactor.html", build)


@pages.get("/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, live: LiveDep, principal: PrincipalDep) -> HTMLResponse:
    """The gap ledger, with the questions answered since (see ``api_gaps`` for who sees what)."""
    return _page(request, "gaps.html", lambda: {"gaps": load_gaps(live.get(), True, principal)})
