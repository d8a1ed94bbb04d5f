"""One way to answer for the CLI, the API and the page: extractive, or generated with fallback.

A generated answer is turned into the same ``Answer`` the extractive path gives: its text is
cut at its citation marks into cited segments, so every renderer shows it unchanged. Text
after the last citation cites nothing and is left out. When the language model cannot be
reached or answers in another shape, the extractive answer is given instead, with a notice
that says why.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Literal, get_args

from index.filters import Filters
from index.search import Searcher
from service.generate import (
    ChatClient,
    GenerateConfig,
    GeneratedAnswer,
    GenerationError,
    Generator,
    generate_answer,
)
from service.qa import Answer, AnswerSentence, answer_question, people_to_ask
from service.settings import Settings

logger = logging.getLogger(__name__)

AnswerMode = Literal["extractive", "generate"]
ANSWER_MODES: tuple[AnswerMode, ...] = get_args(AnswerMode)
_CITATION = re.compile(r"\s*\[(\d+)(?:\s*,\s*\d+)*\]")
_LEADING_STOPS = re.compile(r"^[\s.,;:!?]+")


class GenerationNotConfiguredError(ValueError):
    """A generative answer was asked for, but no language model is configured."""


def parse_mode(mode: str) -> AnswerMode:
    """``mode`` as an answer mode.

    Raises:
        ValueError: not one of ``ANSWER_MODES``.
    """
    for known in ANSWER_MODES:
        if mode == known:
            return known
    raise ValueError(f"Unknown answer mode '{mode}': choose one of {', '.join(ANSWER_MODES)}.")


def generator_for(settings: Settings) -> ChatClient | None:
    """A client of the configured OpenAI-compatible endpoint, or None without ``llm_url``."""
    if not settings.llm_url:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    config = GenerateConfig(settings.llm_url, settings.llm_model, key, settings.llm_timeout)
    return ChatClient(config)


def answer(
    searcher: Searcher,
    question: str,
    filters: Filters | None = None,
    mode: AnswerMode = "extractive",
    generator: Generator | None = None,
) -> Answer:
    """Answer ``question`` in ``mode``; a failing model gives the extractive answer and a notice.

    Raises:
        GenerationNotConfiguredError: ``mode`` is ``generate`` and ``generator`` is None.
    """
    if mode == "extractive":
        return answer_question(searcher, question, filters)
    if generator is None:
        raise GenerationNotConfiguredError(
            "Generative answers need a language model: set WEGWIJS_LLM_URL to an "
            "OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1 for llama.cpp's "
            "server, http://127.0.0.1:11434/v1 for Ollama), or ask for the extractive answer."
        )
    try:
        return as_answer(generate_answer(searcher, question, generator, filters))
    except GenerationError as exc:
        logger.warning("Generative answer failed, giving the extractive one: %s", exc)
        extractive = answer_question(searcher, question, filters)
        notice = f"{exc} This is the extractive answer instead."
        return replace(extractive, notice=notice)


def cited_segments(text: str) -> list[tuple[str, int]]:
    """``text`` cut after each citation mark: (segment without marks, its first cited number).

    Punctuation right after a mark ends the segment before it; text after the last mark is
    dropped, as it cites nothing.
    """
    segments: list[tuple[str, int]] = []
    start = 0
    for match in _CITATION.finditer(text):
        piece = text[start : match.start()]
        start = match.end()
        stops = _LEADING_STOPS.match(piece)
        if stops and segments:
            last, n = segments[-1]
            segments[-1] = (last + stops.group(0).strip(), n)
            piece = piece[stops.end() :]
        if piece.strip():
            segments.append((piece.strip(), int(match.group(1))))
    stops = _LEADING_STOPS.match(text[start:])
    if stops and segments:
        last, n = segments[-1]
        segments[-1] = (last + stops.group(0).strip(), n)
    return segments


def as_answer(generated: GeneratedAnswer) -> Answer:
    """A generated answer in the shape of an extractive one (``mode="generate"``)."""
    sentences = tuple(AnswerSentence(text, n, 0.0) for text, n in cited_segments(generated.text))
    confident = bool(sentences)
    ask = generated.ask or people_to_ask([c.hit for c in generated.citations], 3)
    return Answer(
        generated.question,
        confident,
        0.0,
        sentences,
        generated.citations if confident else (),
        () if confident else ask,
        mode="generate",
    )
