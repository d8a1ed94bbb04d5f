"""Lexical analysis: folding, stemming per language, Dutch compounds."""

from __future__ import annotations

import pytest

from index.analyze import document_terms, fold, query_terms
from index.compound import split_compound


def test_fold_lowercases_and_strips_accents() -> None:
    assert fold("Één Ëxtra CAFÉ") == "een extra cafe"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Plain ASCII, Only Upper Case", "plain ascii, only upper case"),
        ("Straße ﬁle “geïnd” Ångström", "strasse file “geind” angstrom"),
        ("e\u0301e\u0300 ñ n\u0303", "ee n n"),
        ("Ελληνικά Ωμέγα", "ελληνικα ωμεγα"),
    ],
)
def test_fold_matches_casefold_nfkd_without_combining_marks(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("verlofaanvraag", ("verlof", "aanvraag")),
        ("vakantiedagen", ("vakantie", "dagen")),
        ("reiskostenvergoeding", ("reis", "kosten", "vergoeding")),
        ("arbeidsongeval", ("arbeid", "ongeval")),
        ("medewerkers", ()),
        ("overeenkomst", ()),
        ("aanvraag", ()),
    ],
)
def test_dutch_compounds_split_into_common_words(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


def test_compound_in_a_document_matches_its_parts_in_a_query() -> None:
    stored = set(document_terms("Dien je verlofaanvraag tijdig in.", "nl").split())
    groups = query_terms("verlof aanvragen")
    assert all(group & stored for group in groups)


def test_compound_in_a_query_matches_separate_words_in_a_document() -> None:
    stored = set(document_terms("Je kunt verlof aanvragen via het portaal.", "nl").split())
    groups = query_terms("verlofaanvraag")
    matched = [group for group in groups if group & stored]
    assert len(matched) == 2


def test_english_documents_are_stemmed_in_english() -> None:
    assert "connect" in document_terms("Connecting to the network", "en").split()


def test_stop_words_are_dropped_from_queries_unless_nothing_else_is_left() -> None:
    terms = {term for group in query_terms("who do I call when the press asks") for term in group}
    assert terms == {"call", "press", "pres", "asks", "ask"}
    assert query_terms("de het") == [{"de"}, {"het"}]


def test_common_english_words_are_not_split_as_dutch_compounds() -> None:
    assert split_compound("question") == ()
    assert split_compound("understanding") == ()
