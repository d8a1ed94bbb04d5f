"""Template contexts of the web pages: hits, facets, answers and documents, in one language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from markupsafe import Markup

from index.documents import DocumentRecord
from index.facets import FacetValue
from index.models import Hit
from service.highlight import find_spans, highlight, make_snippet, match_terms
from service.i18n import STRINGS, Lang, relative_age
from service.qa import Answer
from service.results import ResultPage
from service.urls import chunk_ordinal, document_url, original_url

FILTER_FIELDS = (
    "include_outdated",
    "root",
    "folder",
    "owner",
    "file_type",
    "language",
    "modified_after",
    "modified_before",
)
FACET_SELECTS = ("root", "owner", "file_type", "language")
JS_KEYS = (
    "results", "result", "no_results", "more", "no_owner", "owners", "modified", "page",
    "loading", "failed", "all", "age_today", "age_yesterday", "age_days", "age_week",
    "age_weeks", "age_month", "age_months", "age_year", "age_years", "thanks",
    "state_review_due", "state_overdue", "state_outdated", "state_expired", "superseded",
)  # fmt: skip


def base_context(request: Request, lang: Lang, query: str = "") -> dict[str, Any]:
    """What every page needs: language, strings, the language switch and the form's values."""
    text = STRINGS[lang]
    params = {key: value for key, value in request.query_params.items() if key != "lang"}
    switch = {**params, "lang": text["switch_lang"]}
    form = {field: request.query_params.get(field, "") for field in FILTER_FIELDS}
    return {
        "lang": lang,
        "t": text,
        "query": query,
        "switch_url": f"{request.url.path}?{urlencode(switch)}",
        "form": form,
        "facets": facet_groups({}, form),
        "js_text": {key: text[key] for key in JS_KEYS},
    }


def hit_view(hit: Hit, terms: frozenset[str], lang: Lang, query: str) -> dict[str, Any]:
    """One hit as the page shows it: escaped, highlighted snippet and localised age."""
    snippet = make_snippet(hit.text, terms)
    return {
        "hit": hit,
        "url": document_url(hit.doc_id, query, chunk_ordinal(hit.chunk_id)),
        "snippet": highlight(snippet.text, snippet.spans),
        "owners": [owner.name for owner in hit.owners],
        "age": relative_age(hit.modified_at, lang),
        "state": hit.review_state,
        "badge": state_badge(hit, STRINGS[lang]),
    }


def state_badge(hit: Hit, text: dict[str, str]) -> str:
    """The review-state label of a hit (empty for current documents)."""
    if hit.superseded_by:
        return text["superseded"]
    return text.get(f"state_{hit.review_state}", "")


def facet_groups(
    facets: dict[str, tuple[FacetValue, ...]], form: dict[str, str]
) -> list[dict[str, Any]]:
    """One select per facet; the chosen value is kept even when it has no count."""
    groups = []
    for name in FACET_SELECTS:
        options = [{"value": v.value, "count": v.count} for v in facets.get(name, ())]
        chosen = form.get(name, "")
        if chosen and chosen not in {option["value"] for option in options}:
            options.insert(0, {"value": chosen, "count": 0})
        groups.append({"name": name, "chosen": chosen, "options": options})
    return groups


def results_context(
    query: str, page: ResultPage, lang: Lang, form: dict[str, str]
) -> dict[str, Any]:
    """Hits, facet selects and the link to the next page."""
    terms = match_terms(query)
    next_url = None
    if page.next_cursor:
        params = {"q": query, **{k: v for k, v in form.items() if v}, "lang": lang}
        next_url = "/?" + urlencode({**params, "cursor": page.next_cursor})
    return {
        "hits": [hit_view(hit, terms, lang, query) for hit in page.hits],
        "status": status_text(STRINGS[lang], query, page.offset + len(page.hits), bool(next_url)),
        "offset": page.offset,
        "facets": facet_groups(page.facets, form),
        "next_url": next_url,
        "next_cursor": page.next_cursor,
    }


def status_text(text: dict[str, str], query: str, shown: int, more: bool) -> str:
    """``12 resultaten``, ``10+ results``, or the no-results message."""
    if shown == 0:
        return text["no_results"].replace("{q}", query)
    if shown == 1 and not more:
        return text["result"]
    return text["results"].replace("{n}", f"{shown}{'+' if more else ''}")


def answer_context(answer: Answer, lang: Lang) -> dict[str, Any]:
    """An answer's sentences with citation links, its citations and the people to ask."""
    terms = match_terms(answer.question)
    links = {
        c.n: document_url(c.hit.doc_id, answer.question, chunk_ordinal(c.hit.chunk_id))
        for c in answer.citations
    }
    citations = [
        hit_view(c.hit, terms, lang, answer.question) | {"n": c.n} for c in answer.citations
    ]
    sentences = [{"text": s.text, "n": s.n, "url": links[s.n]} for s in answer.sentences]
    return {"answer": answer, "sentences": sentences, "citations": citations}


def document_context(record: DocumentRecord, query: str, lang: Lang) -> dict[str, Any]:
    """A document's metadata and its passages, with the query's words marked."""
    terms = match_terms(query) if query else frozenset()
    passages = [{"passage": p, "html": _marked(p.text, terms)} for p in record.passages]
    return {
        "document": record,
        "owners": [owner.name for owner in record.owners],
        "age": relative_age(record.modified_at, lang),
        "passages": passages,
        "download_url": original_url(record.doc_id),
    }


def _marked(text: str, terms: frozenset[str]) -> Markup:
    return highlight(text, find_spans(text, terms))
