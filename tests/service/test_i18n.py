"""Interface languages: same keys in both, negotiation, ages in words, question language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.i18n import STRINGS, guess_language, negotiate, relative_age
from service.sample_share import load_questions

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_dutch_and_english_have_the_same_keys_and_placeholders() -> None:
    assert STRINGS["nl"].keys() == STRINGS["en"].keys()
    for key in STRINGS["nl"]:
        for placeholder in ("{n}", "{q}", "{names}"):
            assert (placeholder in STRINGS["nl"][key]) == (placeholder in STRINGS["en"][key]), key


@pytest.mark.parametrize(
    ("requested", "header", "expected"),
    [
        ("en", "nl-NL,nl;q=0.9", "en"),
        (None, "en-GB,en;q=0.8", "en"),
        (None, "fr-FR, nl;q=0.5", "nl"),
        (None, None, "nl"),
        ("de", "en", "en"),
    ],
)
def test_language_from_parameter_then_browser(
    requested: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(requested, header) == expected


@pytest.mark.parametrize(
    ("days", "nl", "en"),
    [
        (0, "vandaag", "today"),
        (1, "gisteren", "yesterday"),
        (3, "3 dagen geleden", "3 days ago"),
        (15, "2 weken geleden", "2 weeks ago"),
        (130, "4 maanden geleden", "4 months ago"),
        (800, "2 jaar geleden", "2 years ago"),
    ],
)
def test_relative_age_in_both_languages(days: int, nl: str, en: str) -> None:
    moment = (NOW - timedelta(days=days)).isoformat()
    assert relative_age(moment, "nl", NOW) == nl
    assert relative_age(moment, "en", NOW) == en


def test_question_language_is_guessed_for_every_sample_question() -> None:
    for question in load_questions():
        assert guess_language(question.question) == question.language, question.question


def test_no_key_hides_behind_a_dict_method_in_templates() -> None:
    """Jinja's ``t.clear`` finds ``dict.clear`` before the key: keep keys off that list."""
    assert not set(STRINGS["nl"]) & set(dir(dict))
