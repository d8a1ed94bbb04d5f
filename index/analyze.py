"""Lexical analysis for Dutch and English: tokens, case and accent folding, stemming.

Documents are stemmed in their detected language; a query's language is unknown, so each query
term matches its Dutch stem, its English stem or itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import filterfalse

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN_PLUS

from index.compound import split_compound

_TOKEN = re.compile(r"\w+", re.UNICODE)
_STEMMERS = {"nl": "dutch", "en": "english", "de": "german", "fr": "french"}
QUERY_LANGUAGES = ("nl", "en")
MAX_QUERY_TERMS = 64
# Bump when stored terms change (stemming, compounds): cached homes are then rebuilt.
ANALYSIS_VERSION = 2


def fold(text: str) -> str:
    """Lower-case and strip accents (``Één`` → ``een``)."""
    folded = text.casefold()
    if folded.isascii():  # NFKD leaves ASCII as it is, and no combining mark is ASCII
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(filterfalse(unicodedata.combining, decomposed))


STOP_WORDS = frozenset(fold(word) for word in (*STOPWORDS_EN_PLUS, *STOPWORDS_DUTCH))


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text``."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[language])


def stem(words: list[str], language: str | None) -> list[str]:
    """Stem folded words with the stemmer of ``language`` (unchanged if we have none)."""
    if language not in _STEMMERS:
        return words
    return list(_stemmer(language).stemWords(words))


def with_compound_parts(words: list[str]) -> list[str]:
    """Words followed by the parts of any Dutch compound among them."""
    return words + [part for word in words for part in split_compound(word)]


def document_terms(text: str, language: str | None) -> str:
    """The space-separated terms stored in the full-text index for one chunk.

    Dutch text also gets the parts of its compounds, so ``verlofaanvraag`` matches ``verlof``.
    """
    words = tokens(text)
    if language == "nl":
        words = with_compound_parts(words)
    return " ".join(stem(words, language if language in _STEMMERS else "en"))


def content_words(words: list[str]) -> list[str]:
    """Drop Dutch and English stop words (keep them all if nothing else is left)."""
    kept = [word for word in words if word not in STOP_WORDS]
    return kept or words


def query_terms(query: str) -> list[set[str]]:
    """For each query word (and each part of a Dutch compound), the terms that may match it.

    Stop words are dropped from queries: in a small share BM25 cannot tell that ``who``,
    ``when`` or ``de`` carry nothing.
    """
    words = with_compound_parts(content_words(tokens(query))[:MAX_QUERY_TERMS])
    variants = [{word} for word in words]
    for language in QUERY_LANGUAGES:
        for position, stemmed in enumerate(stem(words, language)):
            variants[position].add(stemmed)
    return variants
