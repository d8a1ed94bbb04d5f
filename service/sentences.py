"""Split passages into answer-sized sentences; measure how many query words a sentence holds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from index.analyze import stem, tokens

_BLOCK = re.compile(r"\n\s*\n|\n")
# The end of a sentence followed by a capital, a digit or an opening quote or bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9À-Ý])")
_CLOSED = (".", "!", "?", ":", ";", ")", '"', "'", "…")
MIN_WORDS = 4
HEADING_WORDS = 8
MAX_CHARS = 400


def _pieces(block: str) -> Iterator[str]:
    """Sentences of one block; a question is kept together with the sentence answering it."""
    parts = [" ".join(part.split()) for part in _SENTENCE_END.split(block)]
    parts = [part for part in parts if part]
    index = 0
    while index < len(parts):
        piece = parts[index]
        if piece.endswith("?") and index + 1 < len(parts):
            index += 1
            piece = f"{piece} {parts[index]}"
        yield piece
        index += 1


def _is_heading(piece: str) -> bool:
    return not piece.endswith(_CLOSED) and len(piece.split()) <= HEADING_WORDS


def split_sentences(text: str, limit: int = 12) -> list[str]:
    """Up to ``limit`` sentences of ``text``, in order, that could answer a question.

    Headings and fragments under ``MIN_WORDS`` words are left out; a question (as in an FAQ)
    stays with the next sentence; a piece over ``MAX_CHARS`` (a table row) is cut at a word.
    """
    sentences = []
    for block in _BLOCK.split(text):
        for piece in _pieces(block):
            if len(piece.split()) < MIN_WORDS or _is_heading(piece):
                continue
            if len(piece) > MAX_CHARS:
                piece = piece[:MAX_CHARS].rsplit(" ", 1)[0] + " …"
            sentences.append(piece)
            if len(sentences) == limit:
                return sentences
    return sentences


def overlap(term_groups: Sequence[set[str]], sentence: str) -> float:
    """Share of query words (each a set of variants) found in ``sentence``, in [0, 1]."""
    if not term_groups:
        return 0.0
    words = tokens(sentence)
    known = {*words, *stem(words, "nl"), *stem(words, "en")}
    return sum(1 for group in term_groups if group & known) / len(term_groups)
