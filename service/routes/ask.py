"""``/api/ask``: an extractive answer with numbered citations, or whom to ask instead."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from index.filters import Filters
from index.search import Searcher
from service.deps import FiltersDep, QueryDep, SearcherDep, SettingsDep, check_query
from service.i18n import Lang, guess_language
from service.qa import answer_question
from service.render import answer_record
from service.schemas import AskIn, AskOut, ErrorOut

router = APIRouter(tags=["ask"])
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "Question empty or too long, bad parameter."},
    503: {"model": ErrorOut, "description": "No index yet, or it cannot be loaded."},
}


@router.get("/api/ask", response_model=AskOut, responses=ERRORS)
def api_ask(
    searcher: SearcherDep, filters: FiltersDep, q: QueryDep, lang: Lang | None = None
) -> dict[str, Any]:
    """Answer a question from the best passages; each sentence is cited [n] to its passage.

    When the evidence is weak, `confident` is false, `answer` says so, and `ask` names the
    owners of the top documents.
    """
    return ask_json(searcher, q, filters, lang)


@router.post("/api/ask", response_model=AskOut, responses=ERRORS)
def api_ask_post(searcher: SearcherDep, settings: SettingsDep, body: AskIn) -> dict[str, Any]:
    """The same as `GET /api/ask`, with the question and filters in a JSON body."""
    question = check_query(body.question, settings, "question")
    filters = Filters(
        body.root,
        body.folder,
        body.owner,
        body.file_type,
        body.language,
        body.modified_after,
        body.modified_before,
    )
    return ask_json(searcher, question, filters, body.lang)


def ask_json(
    searcher: Searcher, question: str, filters: Filters, lang: Lang | None
) -> dict[str, Any]:
    """Answer ``question`` and shape it, with messages in ``lang`` or the question's language."""
    answer = answer_question(searcher, question, filters)
    return answer_record(answer, lang or guess_language(question))
