"""Extractive answers: the sentences of the top passages that best answer a question, cited.

A sentence's score is the mean of its own and its passage's cosine similarity to the question,
plus a little for the question words it contains and for its passage's rank. Below
``AnswerConfig.threshold`` the evidence is called weak: the answer says so and names the
owners of the top documents instead of guessing. The threshold was measured on the sample
share's questions (see ``ANSWER_THRESHOLD``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.analyze import fold, query_terms
from index.filters import Filters
from index.models import Hit
from index.passages import chunk_vectors
from index.search import Searcher
from service.i18n import STRINGS, Lang
from service.injection import without_injections
from service.sentences import overlap, split_sentences

# The lowest best-sentence score at which none of 16 questions the sample share does not answer
# (tests/service/test_qa.py, UNANSWERABLE) is confident; 31 of its 44 labelled questions are
# (multilingual-e5-small, hybrid z-score fusion 0.6/0.4). Re-measure when the model changes.
ANSWER_THRESHOLD = 0.885


@dataclass(frozen=True)
class AnswerConfig:
    """How many passages to read, how to score sentences, and when to trust the result."""

    passages: int = 5
    max_sentences: int = 3
    threshold: float = ANSWER_THRESHOLD
    margin: float = 0.03
    lexical_weight: float = 0.05
    rank_weight: float = 0.025
    sentences_per_passage: int = 12
    people: int = 3


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage and how well it answers the question."""

    text: str
    hit: Hit
    score: float
    position: int


@dataclass(frozen=True)
class Citation:
    """Passage number ``n`` of an answer."""

    n: int
    hit: Hit


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer and the number of the passage it comes from."""

    text: str
    n: int
    score: float


@dataclass(frozen=True)
class Answer:
    """An answer with its citations; when not confident, no sentences and people to ask.

    ``mode`` says how it was made (``extractive`` or ``generate``); ``notice`` says why a
    requested generative answer fell back to an extractive one.
    """

    question: str
    confident: bool
    score: float
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    ask: tuple[str, ...]
    mode: str = "extractive"
    notice: str | None = None


def score_candidates(
    question_vector: npt.NDArray[np.float32],
    term_groups: Sequence[set[str]],
    passages: Sequence[tuple[Hit, npt.NDArray[np.float32], list[str]]],
    sentence_vectors: npt.NDArray[np.float32],
    config: AnswerConfig,
) -> list[Candidate]:
    """Score every sentence; ``sentence_vectors`` are in the order of the passages' sentences.

    ``passages`` are in rank order; the rank prior falls from 1 for the first passage by
    ``1 / (2 * len(passages))`` per rank, independent of how the search scales its scores.
    """
    pairs = [
        (rank, hit, vector, sentence)
        for rank, (hit, vector, texts) in enumerate(passages)
        for sentence in texts
    ]
    candidates = []
    for position, (rank, hit, passage_vector, sentence) in enumerate(pairs):
        cosine = float(sentence_vectors[position] @ question_vector)
        score = (
            (cosine + float(passage_vector @ question_vector)) / 2
            + config.lexical_weight * overlap(term_groups, sentence)
            + config.rank_weight * (1 - rank / (2 * len(passages)))
        )
        candidates.append(Candidate(sentence, hit, round(score, 4), position))
    return sorted(candidates, key=lambda candidate: -candidate.score)


def compose(
    question: str, ranked: Sequence[Candidate], hits: Sequence[Hit], config: AnswerConfig
) -> Answer:
    """The answer from scored candidates (best first) and the hits they came from."""
    best = ranked[0].score if ranked else 0.0
    if best < config.threshold:
        citations = tuple(Citation(n, hit) for n, hit in enumerate(hits[:3], 1))
        return Answer(question, False, best, (), citations, people_to_ask(hits, config.people))
    floor = max(config.threshold, best - config.margin)
    chosen: list[Candidate] = []
    for candidate in ranked:
        if candidate.score < floor or len(chosen) == config.max_sentences:
            break
        if all(fold(candidate.text) != fold(other.text) for other in chosen):
            chosen.append(candidate)
    chosen.sort(key=lambda candidate: candidate.position)  # reading order
    numbers: dict[str, int] = {}
    for candidate in chosen:
        numbers.setdefault(candidate.hit.chunk_id, len(numbers) + 1)
    by_chunk = {candidate.hit.chunk_id: candidate.hit for candidate in chosen}
    citations = tuple(Citation(n, by_chunk[chunk_id]) for chunk_id, n in numbers.items())
    sentences = tuple(AnswerSentence(c.text, numbers[c.hit.chunk_id], c.score) for c in chosen)
    return Answer(question, True, best, sentences, citations, ())


def people_to_ask(hits: Sequence[Hit], limit: int) -> tuple[str, ...]:
    """Owners of the top documents, in rank order, each named once."""
    names: dict[str, None] = {}
    for hit in hits:
        for owner in hit.owners:
            names.setdefault(owner.name, None)
    return tuple(names)[:limit]


def answer_question(
    searcher: Searcher,
    question: str,
    filters: Filters | None = None,
    config: AnswerConfig | None = None,
) -> Answer:
    """Retrieve passages for ``question`` (hybrid) and answer it from their sentences.

    Passages that address a language model with instructions are not quoted
    (``service.injection``).
    """
    config = config or AnswerConfig()
    found = searcher.search(question, top_k=config.passages, filters=filters, mode="hybrid")
    hits = without_injections(found)
    vectors = chunk_vectors(searcher.conn, [hit.chunk_rowid for hit in hits])
    passages = [
        (hit, vectors[hit.chunk_rowid], split_sentences(hit.text, config.sentences_per_passage))
        for hit in hits
        if hit.chunk_rowid in vectors
    ]
    texts = [sentence for _, _, sentences in passages for sentence in sentences]
    if not texts:
        return compose(question, [], hits, config)
    question_vector = searcher.encoder.encode_queries([question])[0]
    sentence_vectors = searcher.encoder.encode_passages(texts)
    ranked = score_candidates(
        question_vector, query_terms(question), passages, sentence_vectors, config
    )
    return compose(question, ranked, hits, config)


def answer_text(answer: Answer, lang: Lang) -> str:
    """The answer as one line of text: cited sentences, or why not and whom to ask."""
    if answer.confident:
        return " ".join(f"{sentence.text} [{sentence.n}]" for sentence in answer.sentences)
    text = STRINGS[lang]
    people = ", ".join(answer.ask)
    follow_up = text["ask_people"].format(names=people) if people else text["ask_nobody"]
    return f"{text['not_sure']} {follow_up}"
