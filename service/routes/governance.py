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
from index.governance.marks import Action
from index.readers import Principal, can_read
from index.search import Searcher
from service.auth import PrincipalDep
from service.deps import LiveDep, SearcherDep, SettingsDep, check_query
from service.governance import audit_json, load_audit, load_experts, load_gaps, mark_document
from service.governance_schemas import (
    AuditOut,
    ExpertsOut,
    GapsOut,
    MarkOut,
    OutdatedIn,
    ReviewIn,
)
from service.settings import Settings

router = APIRouter(tags=["governance"])
pages = APIRouter(include_in_schema=False)
STATUS = {UnknownDocumentError: 404, AmbiguousDocumentError: 409}
EMPTY_AUDIT = {"generated_at": "", "queues": [], "orphans": [], "superseded": [], "bus_factor": []}


def _mark(
    searcher: Searcher, settings: Settings, doc_id: str, action: Action, by: str, note: str
) -> dict[str, Any]:
    if searcher.reader is not None and not can_read(searcher.conn, doc_id, searcher.reader):
        raise HTTPException(404, f"No document '{doc_id}' in the catalog.")
    try:
        return mark_document(settings.home, doc_id, action, by, note)
    except (UnknownDocumentError, AmbiguousDocumentError) as exc:
        raise HTTPException(STATUS[type(exc)], str(exc)) from exc


@router.post("/api/documents/{doc_id:path}/review", response_model=MarkOut, status_code=201)
def api_review(
    searcher: SearcherDep, settings: SettingsDep, doc_id: str, body: ReviewIn
) -> dict[str, Any]:
    """Record that ``by`` reviewed the document (a doc_id the caller may read)."""
    return _mark(searcher, settings, doc_id, "reviewed", body.by, body.note)


@router.post("/api/documents/{doc_id:path}/outdated", response_model=MarkOut, status_code=201)
def api_outdated(
    searcher: SearcherDep, settings: SettingsDep, doc_id: str, body: OutdatedIn
) -> dict[str, Any]:
    """Mark the document outdated (demoted until reviewed again)."""
    return _mark(searcher, settings, doc_id, "outdated", body.by, body.reason)


@router.get("/api/audit", response_model=AuditOut)
def api_audit(
    settings: SettingsDep, principal: PrincipalDep, owner: str | None = None
) -> dict[str, Any]:
    """Review queues by harm, orphans, superseded copies and the bus-factor map, built from
    the documents the caller may read."""
    return audit_json(load_audit(settings.home, owner or None, reader=principal))


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
def api_gaps(searcher: SearcherDep, closed: bool = False) -> dict[str, Any]:
    """Open knowledge gaps grouped by meaning and routed; ``closed=true`` adds answered ones."""
    return load_gaps(searcher, closed)


def _page(request: Request, name: str, build: Callable[[], dict[str, Any]]) -> HTMLResponse:
    try:
        context = build()
    except SearchIndexError as exc:
        context = {"error": str(exc), "audit": EMPTY_AUDIT, "gaps": {"groups": [], "closed": []}}
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context)


def _audit_context(settings: Settings, owner: str | None, reader: Principal) -> dict[str, Any]:
    return {"audit": audit_json(load_audit(settings.home, owner, reader=reader)), "owner": owner}


@pages.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, settings: SettingsDep, principal: PrincipalDep, owner: str = ""
) -> HTMLResponse:
    """An owner's audit view (everyone's without ``owner``)."""
    wanted = owner.strip() or None
    return _page(request, "audit.html", lambda: _audit_context(settings, wanted, principal))


@pages.get("/busfactor", response_class=HTMLResponse)
def busfactor_page(
    request: Request, settings: SettingsDep, principal: PrincipalDep
) -> HTMLResponse:
    """The bus-factor map of areas and topics."""
    return _page(request, "busfactor.html", lambda: _audit_context(settings, None, principal))


@pages.get("/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, live: LiveDep) -> HTMLResponse:
    """The gap ledger, with the questions answered since."""
    return _page(request, "gaps.html", lambda: {"gaps": load_gaps(live.get(), True)})
