"""``/api/ask``: a cited answer (extractive, or generated on request), or whom to ask instead."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from index.filters import Filters
from index.search import Searcher
from service.answering import AnswerMode, GenerationNotConfiguredError, answer, generator_for
from service.deps import FiltersDep, QueryDep, SearcherDep, SettingsDep, check_query
from service.i18n import Lang, guess_language
from service.render import answer_record
from service.schemas import AskIn, AskOut, ErrorOut
from service.settings import Settings

router = APIRouter(tags=["ask"])
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorOut,
        "description": "Question empty or too long, bad parameter, or mode=generate without "
        "a configured language model (WEGWIJS_LLM_URL).",
    },
    503: {"model": ErrorOut, "description": "No index yet, or it cannot be loaded."},
}
ModeQuery = Annotated[
    AnswerMode,
    Query(
        description="`extractive` (default, offline) or `generate` (the configured language "
        "model; falls back to extractive with a `notice` when it fails)."
    ),
]


@router.get("/api/ask", response_model=AskOut, responses=ERRORS)
def api_ask(
    searcher: SearcherDep,
    settings: SettingsDep,
    filters: FiltersDep,
    q: QueryDep,
    lang: Lang | None = None,
    mode: ModeQuery = "extractive",
) -> dict[str, Any]:
    """Answer a question from the best passages; each statement is cited [n] to its passage.

    When the evidence is weak, `confident` is false, `answer` says so, and `ask` names the
    owners of the top documents.
    """
    return ask_json(searcher, settings, q, filters, lang, mode)


@router.post("/api/ask", response_model=AskOut, responses=ERRORS)
def api_ask_post(searcher: SearcherDep, settings: SettingsDep, body: AskIn) -> dict[str, Any]:
    """The same as `GET /api/ask`, with the question, filters and mode in a JSON body."""
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
    return ask_json(searcher, settings, question, filters, body.lang, body.mode)


def ask_json(
    searcher: Searcher,
    settings: Settings,
    question: str,
    filters: Filters,
    lang: Lang | None,
    mode: AnswerMode,
) -> dict[str, Any]:
    """Answer ``question`` and shape it, with messages in ``lang`` or the question's language.

    Raises:
        HTTPException: 422 when ``mode`` is ``generate`` and no language model is configured.
    """
    try:
        result = answer(searcher, question, filters, mode, generator_for(settings))
    except GenerationNotConfiguredError as exc:
        raise HTTPException(422, str(exc)) from exc
    return answer_record(result, lang or guess_language(question))
