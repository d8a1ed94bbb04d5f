"""One page of search results: the hits at a cursor, the next cursor, facet counts."""

from __future__ import annotations

from dataclasses import dataclass

from index.facets import FacetValue, count_facets
from index.filters import Filters
from index.models import Hit
from index.search import Searcher, SearchMode
from service.cursor import MAX_DEPTH, decode_cursor, encode_cursor, fingerprint

FACET_DEPTH = 50


@dataclass(frozen=True)
class PageRequest:
    """What a caller asks for: a query, filters, a mode, a page size and where to start."""

    query: str
    filters: Filters
    mode: SearchMode = "hybrid"
    top_k: int = 10
    cursor: str | None = None
    include_outdated: bool = False


@dataclass(frozen=True)
class ResultPage:
    """Hits of one page, the cursor of the next (None at the end) and facet counts."""

    hits: tuple[Hit, ...]
    offset: int
    next_cursor: str | None
    facets: dict[str, tuple[FacetValue, ...]]


def search_page(searcher: Searcher, request: PageRequest) -> ResultPage:
    """Search once, deep enough for this page, one more hit and the facet candidates.

    Raises:
        CursorError: the cursor is malformed or was made for another query.
    """
    key = fingerprint(request.query, request.filters, request.mode, request.include_outdated)
    offset = decode_cursor(request.cursor, key) if request.cursor else 0
    end = min(offset + request.top_k, MAX_DEPTH)
    depth = max(end + 1, FACET_DEPTH)
    ranked = searcher.search(
        request.query,
        top_k=depth,
        filters=request.filters,
        mode=request.mode,
        include_outdated=request.include_outdated,
    )
    more = len(ranked) > end and end < MAX_DEPTH
    return ResultPage(
        hits=tuple(ranked[offset:end]),
        offset=offset,
        next_cursor=encode_cursor(end, key) if more else None,
        facets=count_facets(ranked[:FACET_DEPTH]),
    )
