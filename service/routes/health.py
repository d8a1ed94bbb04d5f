"""``/healthz``: what is being served, or why nothing is."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request

from index.documents import catalog_counts
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.vectors import serving_problems
from service.schemas import HealthOut
from service.state import LiveSearcher

router = APIRouter(tags=["service"])


@router.get("/healthz", response_model=HealthOut)
def healthz(request: Request) -> dict[str, Any]:
    """Generation and counts being served, or why nothing is (no sign-in needed)."""
    live: LiveSearcher = request.app.state.live
    try:
        searcher = live.get()
    except (IndexNotFoundError, IndexCorruptError, IndexMismatchError) as exc:
        empty = {"generation": 0, "documents": 0, "chunks": 0, "model": "", "process": os.getpid()}
        return {"status": "degraded", "detail": str(exc), **empty}
    documents, chunks = catalog_counts(searcher.conn)
    manifest = searcher.manifest
    problems = serving_problems(searcher.home, manifest, chunks)
    lexical = searcher.lexical_problem()
    problems += [lexical] if lexical else []
    return {
        "status": "degraded" if problems else "ok",
        "detail": "; ".join(problems) or None,
        "generation": manifest.generation,
        "documents": documents,
        "chunks": chunks,
        "model": manifest.model_profile,
        "process": os.getpid(),
    }
