"""Find the query's words in a passage and cut a snippet around them (escaped for HTML).

Spans are code-point offsets, so the browser can apply them with ``Array.from(text)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from index.analyze import fold, query_terms

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PREFIX = 4
LEAD_IN = 60

Span = tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    """A piece of a passage and the spans in it that match the query."""

    text: str
    spans: tuple[Span, ...]


def match_terms(query: str) -> frozenset[str]:
    """Folded query words, their Dutch and English stems and compound parts."""
    return frozenset(term for group in query_terms(query) for term in group if term)


@lru_cache(maxsize=256)
def _prefixes(terms: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern matching the start of a word that starts with a term of ``MIN_PREFIX`` or
    more letters: checking each term in turn took most of a search's snippet time."""
    long_terms = sorted((term for term in terms if len(term) >= MIN_PREFIX), reverse=True)
    return re.compile("|".join(map(re.escape, long_terms))) if long_terms else None


def find_spans(text: str, terms: frozenset[str]) -> tuple[Span, ...]:
    """Spans of the words of ``text`` that equal a term or start with a longer one."""
    if not terms:
        return ()
    prefixes = _prefixes(terms)
    spans = []
    for match in _WORD.finditer(text):
        word = fold(match.group())
        if word in terms or (prefixes is not None and prefixes.match(word)):
            spans.append(match.span())
    return tuple(spans)


def make_snippet(text: str, terms: frozenset[str], width: int = 320) -> Snippet:
    """At most ``width`` characters of ``text`` (whitespace collapsed) around most matches."""
    flat = " ".join(text.split())
    spans = find_spans(flat, terms)
    if len(flat) <= width:
        return Snippet(flat, spans)
    start = _best_start(spans, width)
    if start > 0:
        start = flat.find(" ", start) + 1 or start
    end = min(len(flat), start + width)
    cut = flat.rfind(" ", start, end)
    if end < len(flat) and cut > start:
        end = cut
    prefix, suffix = ("… " if start > 0 else ""), (" …" if end < len(flat) else "")
    shift = len(prefix) - start
    kept = tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
    return Snippet(prefix + flat[start:end] + suffix, kept)


def _best_start(spans: Sequence[Span], width: int) -> int:
    """Where a window of ``width`` holding the most spans starts (0 without spans)."""
    best, best_count = 0, 0
    for a, _ in spans:
        start = max(0, a - LEAD_IN)
        count = sum(1 for s, e in spans if s >= start and e <= start + width)
        if count > best_count:
            best, best_count = start, count
    return best


def highlight(text: str, spans: Sequence[Span]) -> Markup:
    """``text`` escaped for HTML, with each span wrapped in ``<mark>``."""
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts += [escape(text[position:start]), Markup("<mark>"), escape(text[start:end])]
        parts.append(Markup("</mark>"))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
