"""Answer metrics: SQuAD token F1 and exact match, and whether citations hold the attribution.

``normalize_answer``, ``token_f1`` and ``exact_match`` follow the official SQuAD v1.1
evaluation script: lower case, no punctuation, no articles (a/an/the), single spaces; F1 over
the bag of tokens; the best score over the gold answers. No installed dependency ships it
(``evaluate`` is not a dependency), and it is a dozen lines.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from statistics import fmean

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, punctuation and articles removed, spaces collapsed."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, gold: str) -> float:
    """Harmonic mean of token precision and recall after normalisation (SQuAD F1)."""
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(gold).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, gold: str) -> float:
    """1.0 when the normalised texts are equal, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(gold))


def contains_answer(prediction: str, gold: str) -> float:
    """1.0 when the normalised gold answer occurs in the normalised prediction."""
    expected = normalize_answer(gold)
    return float(bool(expected) and f" {expected} " in f" {normalize_answer(prediction)} ")


def best(metric: str, prediction: str, golds: Sequence[str]) -> float:
    """The best of ``metric`` (``f1``, ``em`` or ``contains``) over the gold answers."""
    function = {"f1": token_f1, "em": exact_match, "contains": contains_answer}[metric]
    return max((function(prediction, gold) for gold in golds), default=0.0)


@dataclass(frozen=True)
class AnswerScore:
    """How one answer compares with the gold answer and attribution.

    Attributes:
        query_id: the question.
        confident: whether the answer was given (else it named people to ask).
        f1: best SQuAD token F1 against the gold answers (0 when not confident).
        em: best exact match.
        contains: 1 when a gold answer occurs inside the answer text.
        attributed: 1 when a cited passage's document is a gold attribution; None when the
            set has no attributions.
    """

    query_id: str
    confident: bool
    f1: float
    em: float
    contains: float
    attributed: float | None


def score_answer(
    query_id: str,
    text: str,
    confident: bool,
    cited: Collection[str],
    gold: tuple[Sequence[str], Collection[str]],
) -> AnswerScore:
    """Score an answer's ``text`` and its cited document ids against (answers, attribution)."""
    answers, attribution = gold
    shown = text if confident else ""
    attributed = float(bool(set(cited) & set(attribution))) if attribution else None
    return AnswerScore(
        query_id,
        confident,
        best("f1", shown, answers),
        best("em", shown, answers),
        best("contains", shown, answers),
        attributed,
    )


def summarise_answers(scores: Sequence[AnswerScore]) -> dict[str, float | int | None]:
    """Means over all questions, and over the confident ones for F1 and attribution."""
    confident = [score for score in scores if score.confident]
    attributed = [s.attributed for s in scores if s.attributed is not None]
    attributed_confident = [s.attributed for s in confident if s.attributed is not None]
    return {
        "questions": len(scores),
        "confident": len(confident),
        "f1": _mean([s.f1 for s in scores]),
        "em": _mean([s.em for s in scores]),
        "contains": _mean([s.contains for s in scores]),
        "f1_confident": _mean([s.f1 for s in confident]),
        "attributed": _mean(attributed) if attributed else None,
        "attributed_confident": _mean(attributed_confident) if attributed_confident else None,
    }


def _mean(values: Sequence[float]) -> float:
    return round(fmean(values), 4) if values else 0.0
