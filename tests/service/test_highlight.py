"""Query words found in passages, snippets around them, and escaping of untrusted text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from index.analyze import fold
from service.highlight import MIN_PREFIX, find_spans, highlight, make_snippet, match_terms


def test_terms_match_whole_words_stems_and_compound_parts() -> None:
    terms = match_terms("vakantiedagen aanvragen")
    text = "Je vraagt vakantiedagen aan; een aanvraag voor vakantie kan altijd."
    marked = [text[a:b] for a, b in find_spans(text, terms)]
    assert marked == ["vakantiedagen", "aanvraag", "vakantie"]


def test_folding_ignores_case_and_accents() -> None:
    text = "ÉTAGE GEBOUW, étage gebouw"
    assert len(find_spans(text, match_terms("etage gebouw"))) == 4


def test_snippet_is_cut_around_the_matches_with_offsets_into_the_snippet() -> None:
    text = "Inleiding. " * 60 + "Het reglement over parkeren staat hier. " + "Slot. " * 60
    snippet = make_snippet(text, match_terms("parkeren"), width=120)
    assert len(snippet.text) <= 124 and snippet.text.startswith("… ")
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["parkeren"]


def test_short_text_is_kept_whole_with_whitespace_collapsed() -> None:
    snippet = make_snippet("Een\n\n  korte   tekst", match_terms("tekst"))
    assert snippet.text == "Een korte tekst" and snippet.spans == ((10, 15),)


def test_offsets_count_code_points_not_utf16_units() -> None:
    snippet = make_snippet("🙂 parkeren 🙂 parkeren", match_terms("parkeren"))
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["parkeren", "parkeren"]
    assert snippet.spans[0] == (2, 10)


def test_highlight_escapes_document_text_and_marks_only_matches() -> None:
    text = '<script>alert(1)</script> parkeren <img src=x onerror="alert(2)">'
    html = str(highlight(text, find_spans(text, match_terms("parkeren"))))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<mark>parkeren</mark>" in html
    assert "&#34;alert(2)&#34;" in html or "&quot;alert(2)&quot;" in html


def test_no_terms_means_no_marks() -> None:
    assert find_spans("anything at all", frozenset()) == ()


WORDS = ("verlof", "verlofaanvraag", "aanvragen", "Één", "een", "straße", "reis", "re.is", "a+b")


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join),
    terms=st.frozensets(st.sampled_from([*WORDS, "verl", "aan", "re", "stras", "a+"]), max_size=6),
)
def test_a_word_is_marked_when_it_equals_a_term_or_starts_with_a_long_one(
    text: str, terms: frozenset[str]
) -> None:
    """The single prefix pattern marks exactly what checking each term in turn marks."""
    expected = tuple(
        m.span()
        for m in re.finditer(r"\w+", text)
        if fold(m.group()) in terms
        or any(len(t) >= MIN_PREFIX and fold(m.group()).startswith(t) for t in terms)
    )
    assert find_spans(text, terms) == expected
