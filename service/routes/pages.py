"""The web pages: search (``/``), ask (``/ask``) and a document (``/documents/{doc_id}``).

Server-rendered and complete without JavaScript; ``static/wegwijs.js`` adds search as you type
and keyboard navigation on top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from index.documents import get_document
from index.errors import SearchIndexError
from service.cursor import CursorError
from service.deps import FiltersDep, LangDep, LiveDep, SettingsDep
from service.qa import answer_question
from service.results import PageRequest, search_page
from service.views import answer_context, base_context, document_context, results_context

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A template rendered with ``context``."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def guarded(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The context ``build`` returns, or the reason it failed, to show on the page."""
    try:
        return build()
    except (SearchIndexError, CursorError) as exc:
        return {"error": str(exc)}


@router.get("/", response_class=HTMLResponse)
def search(
    request: Request, live: LiveDep, settings: SettingsDep, filters: FiltersDep, lang: LangDep,
    q: str = "", cursor: str | None = None, include_outdated: bool = False,
) -> HTMLResponse:  # fmt: skip
    """Search box, filters with counts, and one page of results."""
    context = base_context(request, lang, q.strip()[: settings.max_query_chars])
    if context["query"]:
        ask = PageRequest(
            context["query"], filters, "hybrid", settings.top_k, cursor, include_outdated
        )
        context |= guarded(
            lambda: results_context(ask.query, search_page(live.get(), ask), lang, context["form"])
        )
    return render(request, "search.html", context)


@router.get("/ask", response_class=HTMLResponse)
def ask(
    request: Request, live: LiveDep, settings: SettingsDep, filters: FiltersDep, lang: LangDep,
    q: str = "",
) -> HTMLResponse:  # fmt: skip
    """A question, its cited answer, or whom to ask when the answer is not confident."""
    context = base_context(request, lang, q.strip()[: settings.max_query_chars])
    context["mode"] = "ask"
    if context["query"]:
        question = context["query"]
        context |= guarded(
            lambda: answer_context(answer_question(live.get(), question, filters), lang)
        )
    return render(request, "ask.html", context)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document(
    request: Request, live: LiveDep, lang: LangDep, doc_id: str, q: str = ""
) -> HTMLResponse:
    """One document: metadata, passages in order, and a download of the original."""
    context = base_context(request, lang, q.strip())
    searcher = live.get()
    record = get_document(searcher.conn, doc_id, searcher.reader)
    if record is None:
        context["doc_id"] = doc_id
        return render(request, "missing.html", context, status=404)
    return render(request, "document.html", context | document_context(record, q.strip(), lang))
