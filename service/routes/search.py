"""``/api/search``: best passages for a query, a page at a time, with facet counts.

The route validates and serialises its ``SearchOut`` itself, in the worker thread it already
runs in: returned as a dict, FastAPI would validate it in one more thread-pool round trip
(BENCHMARKS.md, "Session 6"). The JSON is the same.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from index.search import SearchMode
from service.deps import FiltersDep, QueryDep, SearcherDep, TopKDep
from service.highlight import match_terms
from service.render import hit_record
from service.results import PageRequest, ResultPage, search_page
from service.schemas import ErrorOut, SearchOut

router = APIRouter(tags=["search"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A cursor that is malformed or for another query."},
    422: {"model": ErrorOut, "description": "Query too long, top_k too large, bad parameter."},
    503: {"model": ErrorOut, "description": "No index yet, or it cannot be loaded."},
}


@router.get("/api/search", response_model=SearchOut, responses=ERRORS)
def api_search(
    searcher: SearcherDep,
    filters: FiltersDep,
    q: QueryDep,
    top_k: TopKDep,
    mode: SearchMode = "hybrid",
    cursor: Annotated[
        str | None, Query(description="The `next_cursor` of the previous page.")
    ] = None,
    include_outdated: Annotated[
        bool, Query(description="Also show expired and superseded documents.")
    ] = False,
) -> Response:
    """Best passages for a query, with document, owners, age and highlighted snippet.

    Pages: pass the response's `next_cursor` as `cursor` with the same query, filters and mode.
    """
    page = search_page(searcher, PageRequest(q, filters, mode, top_k, cursor, include_outdated))
    body = SearchOut.model_validate(search_json(q, mode, page))
    return Response(body.model_dump_json(), media_type="application/json")


def search_json(query: str, mode: str, page: ResultPage) -> dict[str, Any]:
    """The JSON shape of one page of results."""
    terms = match_terms(query)
    return {
        "query": query,
        "mode": mode,
        "hits": [hit_record(hit, terms=terms) for hit in page.hits],
        "next_cursor": page.next_cursor,
        "facets": {name: [vars(v) for v in values] for name, values in page.facets.items()},
    }
