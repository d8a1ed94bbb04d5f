"""``/api/feedback``: was a hit or an answer helpful? Stored in the catalog.

It also feeds the governance ledger: an answer that did not help is a knowledge gap, and a
hit that helped counts as a use of its document (``index.governance.query_log``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException

from index.feedback import Feedback, is_known_chunk, record_feedback
from index.governance.query_log import note_feedback
from service.deps import SearcherDep, SettingsDep, check_query
from service.schemas import ErrorOut, FeedbackIn, FeedbackOut

router = APIRouter(tags=["feedback"])


@router.post(
    "/api/feedback",
    response_model=FeedbackOut,
    status_code=201,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def api_feedback(searcher: SearcherDep, settings: SettingsDep, body: FeedbackIn) -> dict[str, Any]:
    """Record whether a hit (`chunk_id`) or an answer (no `chunk_id`) helped for a query."""
    query = check_query(body.query, settings, "query")
    if body.chunk_id is not None and not is_known_chunk(
        searcher.conn, body.chunk_id, searcher.reader
    ):
        raise HTTPException(
            404, f"No chunk '{body.chunk_id}' in the catalog: send a hit's chunk_id."
        )
    feedback = Feedback(
        query, body.helpful, body.chunk_id, body.comment, searcher.manifest.generation
    )
    feedback_id = record_feedback(settings.home, feedback)
    note_in_ledger(settings.home, feedback)
    return {"feedback_id": feedback_id}


def note_in_ledger(home: Path, feedback: Feedback) -> None:
    """An unhelpful answer is a gap; a helpful hit is a use of its document ("clicked")."""
    if feedback.chunk_id is None and not feedback.helpful:
        note_feedback(home, feedback.query, "down")
    elif feedback.chunk_id is not None and feedback.helpful:
        note_feedback(home, feedback.query, "clicked", feedback.chunk_id.rpartition("#")[0])
