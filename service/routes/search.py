"""``/api/search``: best passages for a query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from index.search import SearchMode
from service.deps import FiltersDep, SearcherDep
from service.render import hit_record
from service.schemas import SearchOut

router = APIRouter(tags=["search"])


@router.get("/api/search", response_model=SearchOut)
def api_search(
    searcher: SearcherDep,
    filters: FiltersDep,
    q: Annotated[
        str, Query(min_length=1, max_length=1000, examples=["hoeveel vakantiedagen krijg ik"])
    ],
    top_k: Annotated[int, Query(ge=1, le=100)] = 10,
    mode: SearchMode = "hybrid",
) -> dict[str, Any]:
    """Best passages for a query, with document, owners and age."""
    hits = searcher.search(q, top_k=top_k, filters=filters, mode=mode)
    return {"query": q, "mode": mode, "hits": [hit_record(hit) for hit in hits]}
