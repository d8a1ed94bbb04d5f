"""Topics: documents clustered by their chunk embeddings, labelled by their top terms.

A document is placed by the mean of its chunk embeddings; documents join one topic when their
average cosine distance stays under a threshold (agglomerative clustering, average linkage),
so the number of topics follows the share. A topic's label is its three most distinctive
words (term frequency in the topic × inverse document frequency in the share).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sklearn.cluster import AgglomerativeClustering  # type: ignore[import-untyped]

from index.analyze import content_words, tokens
from index.governance.docvectors import Matrix, mean_vectors

_WORD = re.compile(r"^[^\W\d_]{4,}$")


@dataclass(frozen=True)
class TopicConfig:
    """Clustering threshold (cosine distance between document means) and label size."""

    max_distance: float = 0.06
    label_terms: int = 3


def cluster_vectors(vectors: Matrix, max_distance: float) -> list[int]:
    """A cluster number per row of L2-normalised ``vectors`` (rows close together share one)."""
    if len(vectors) < 2:
        return [0] * len(vectors)
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=max_distance
    )
    return [int(label) for label in model.fit_predict(vectors)]


def topic_words(text: str) -> list[str]:
    """The words of a text that may label a topic: no stop words, digits or short words."""
    return [word for word in content_words(tokens(text)) if _WORD.match(word)]


def label_topics(
    members: Mapping[int, Sequence[str]], words: Mapping[str, Counter[str]], size: int
) -> dict[int, str]:
    """Label each topic (its documents' ids) by its most distinctive words."""
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


def record_topics(
    conn: sqlite3.Connection, chunks: Mapping[str, Matrix], config: TopicConfig
) -> int:
    """Cluster the catalog's documents into topics and store them (in the caller's transaction)."""
    titles = {row[0]: row[1] for row in conn.execute("SELECT doc_id, title FROM documents")}
    doc_ids, means = mean_vectors({k: v for k, v in chunks.items() if k in titles})
    numbers = cluster_vectors(means, config.max_distance)
    members: dict[int, list[str]] = {}
    for doc_id, number in zip(doc_ids, numbers, strict=True):
        members.setdefault(number + 1, []).append(doc_id)
    words = {doc_id: Counter(topic_words(titles[doc_id])) for doc_id in doc_ids}
    for row in conn.execute("SELECT doc_id, text FROM chunks WHERE retired_seq IS NULL"):
        if row[0] in words:
            words[row[0]].update(topic_words(row[1]))
    labels = label_topics(members, words, config.label_terms)
    conn.execute("DELETE FROM document_topics")
    conn.execute("DELETE FROM topics")
    conn.executemany("INSERT INTO topics (topic_id, label) VALUES (?, ?)", labels.items())
    conn.executemany(
        "INSERT INTO document_topics (doc_id, topic_id) VALUES (?, ?)",
        [(doc_id, topic) for topic, ids in members.items() for doc_id in ids],
    )
    return len(members)
