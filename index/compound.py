"""Split Dutch compound words (``verlofaanvraag`` → ``verlof`` + ``aanvraag``) for the lexical arm.

A word is split where both parts are common Dutch words (wordfreq's Zipf frequency) and each part
is more common than the whole; the linking sounds ``s``, ``e`` and ``en`` may join the parts
(``arbeidsongeval``, ``ziektekosten``). Parts are split again, so three-part compounds work too.
Common English words are left alone (``question`` is not ``quest`` + ``ion``).
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

MIN_WORD = 8
MIN_PART = 3
MIN_PART_ZIPF = 2.5
ATOMIC_ZIPF = 3.5
ENGLISH_ZIPF = 3.0
LINKS = ("", "s", "e", "en")


def _zipf(word: str) -> float:
    return float(zipf_frequency(word, "nl"))


def _right_zipf(right: str) -> float:
    """Frequency of the right part; a rarer right part counts if it is itself a compound."""
    found = _zipf(right)
    if found >= MIN_PART_ZIPF:
        return found
    return MIN_PART_ZIPF if split_compound(right) else 0.0


def _best_split(word: str) -> tuple[str, str] | None:
    whole = _zipf(word)
    best: tuple[float, str, str] | None = None
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        right_zipf = _right_zipf(word[cut:])
        if right_zipf < MIN_PART_ZIPF:
            continue
        head = word[:cut]
        for link in LINKS:
            left = head[: len(head) - len(link)] if link and head.endswith(link) else None
            left = head if not link else left
            if left is None or len(left) < MIN_PART:
                continue
            score = min(_zipf(left), right_zipf)
            if score >= MIN_PART_ZIPF and score > whole and (best is None or score > best[0]):
                best = (score, left, word[cut:])
    return None if best is None else (best[1], best[2])


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a Dutch compound, or ``()`` when ``word`` is not one (or is a common word)."""
    if len(word) < MIN_WORD or not word.isalpha() or _zipf(word) >= ATOMIC_ZIPF:
        return ()
    if zipf_frequency(word, "en") >= ENGLISH_ZIPF:
        return ()
    split = _best_split(word)
    if split is None:
        return ()
    left, right = split
    return (*(split_compound(left) or (left,)), *(split_compound(right) or (right,)))
