"""Topics: word counts and labels match the plain per-chunk, per-topic definitions exactly."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering  # type: ignore[import-untyped]

from index.governance.distances import TILED_FROM
from index.governance.docvectors import Matrix
from index.governance.topics import (
    cluster_vectors,
    document_words,
    label_topics,
    topic_words,
    word_table,
)

# Stop words (Dutch and English), digits, short words, accents and case, and label words.
VOCABULARY = (
    "de het een the and of is 2024 12 ab ok Één beleid Beleid verlof verlofregeling "
    "reiskosten declaratie thuiswerken vergoeding security incident datalek procedure "
    "approval expenses budget begroting planning rooster privacy"
).split()


def _text(rng: random.Random) -> str:
    if rng.random() < 0.1:  # only stop words: content_words then keeps them all
        return " ".join(rng.choices(["de", "het", "the", "and", "over", "onder"], k=5))
    return " ".join(rng.choices(VOCABULARY, k=rng.randint(0, 30)))


def _catalog(seed: int) -> tuple[dict[str, str], list[tuple[str, str]]]:
    rng = random.Random(seed)
    titles = {f"r/doc{n}.md": _text(rng) for n in range(40)}
    texts = [(rng.choice([*titles, "r/gone.md"]), _text(rng)) for _ in range(300)]
    return titles, texts


def _reference_labels(
    members: Mapping[int, Sequence[str]], words: Mapping[str, Counter[str]], size: int
) -> dict[int, str]:
    """The definition: count × log(1 + documents / documents with the word), then the word."""
    frequency: Counter[str] = Counter()
    for found in words.values():
        frequency.update(set(found))
    total = max(1, len(words))
    labels = {}
    for topic, doc_ids in members.items():
        counts: Counter[str] = Counter()
        for doc_id in doc_ids:
            counts.update(words.get(doc_id, Counter()))
        scored = sorted(counts, key=lambda w: (-counts[w] * math.log(1 + total / frequency[w]), w))
        labels[topic] = ", ".join(scored[:size]) or f"topic {topic}"
    return labels


@pytest.mark.parametrize("seed", range(5))
def test_document_words_are_the_topic_words_of_title_and_chunks(seed: int) -> None:
    titles, texts = _catalog(seed)
    expected = {doc_id: Counter(topic_words(title)) for doc_id, title in titles.items()}
    for doc_id, text in texts:
        if doc_id in expected:
            expected[doc_id].update(topic_words(text))
    assert document_words(titles, texts) == expected


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("size", [1, 3, 50])
def test_labels_match_the_definition_ties_included(seed: int, size: int) -> None:
    titles, texts = _catalog(seed)
    words = document_words(titles, texts)
    rng = random.Random(seed)
    members: dict[int, list[str]] = {}
    for doc_id in [*titles, "r/without-words.md"]:
        members.setdefault(rng.randint(1, 12), []).append(doc_id)
    assert label_topics(members, word_table(words), size) == _reference_labels(members, words, size)


def test_a_topic_without_words_is_numbered() -> None:
    words = {"r/a.md": Counter[str](), "r/b.md": Counter({"verlof": 2})}
    members = {1: ["r/a.md"], 2: ["r/b.md"]}
    assert label_topics(members, word_table(words), 3) == {1: "topic 1", 2: "verlof"}
    assert label_topics({}, word_table({}), 3) == {}


def _clustered(seed: int, count: int, spread: float) -> Matrix:
    """L2-normalised vectors around a few centres, with exact copies among them."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, count // 6), 48))
    vectors = centres[rng.integers(0, len(centres), count)] + spread * rng.standard_normal(
        (count, 48)
    )
    vectors[rng.integers(0, count, count // 10)] = vectors[0]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    ("count", "spread"), [(2, 0.1), (3, 0.0), (60, 0.15), (400, 0.25), (TILED_FROM, 0.2)]
)
@pytest.mark.parametrize("max_distance", [0.0, 0.06, 0.3, 5.0])
def test_clusters_are_scikit_learns_numbers_included(
    seed: int, count: int, spread: float, max_distance: float
) -> None:
    vectors = _clustered(seed, count, spread)
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=max_distance
    )
    expected = [int(label) for label in model.fit_predict(vectors)]
    assert cluster_vectors(vectors, max_distance) == expected


def test_fewer_than_two_vectors_form_one_cluster_each() -> None:
    assert cluster_vectors(np.zeros((0, 4), dtype=np.float32), 0.06) == []
    assert cluster_vectors(np.ones((1, 4), dtype=np.float32), 0.06) == [0]
