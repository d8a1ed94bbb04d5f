"""``/``: the server-rendered search page (works without JavaScript)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from service.deps import LiveDep
from service.render import hit_record, snippet

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def page(request: Request, live: LiveDep, q: str = "", top_k: int = 10) -> HTMLResponse:
    """Search box and results."""
    query, top_k = q.strip()[:1000], max(1, min(top_k, 100))
    hits: list[dict[str, Any]] = []
    error = None
    if query:
        try:
            found = live.get().search(query, top_k=top_k)
            hits = [hit_record(hit) | {"snippet": snippet(hit.text, 400)} for hit in found]
        except (IndexNotFoundError, IndexCorruptError, IndexMismatchError) as exc:
            error = str(exc)
    templates: Jinja2Templates = request.app.state.templates
    context = {"query": query, "hits": hits, "error": error}
    return templates.TemplateResponse(request, "search.html", context)
