"""Topics: documents clustered by their chunk embeddings, labelled by their top terms.

A document is placed by the mean of its chunk embeddings; documents join one topic when their
average cosine distance stays under a threshold (agglomerative clustering, average linkage),
so the number of topics follows the share. A topic's label is its three most distinctive
words (term frequency in the topic × inverse document frequency in the share).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush, heappushpop
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.cluster import hierarchy

from index.analyze import STOP_WORDS, content_words, tokens
from index.governance.distances import cosine_distances
from index.governance.docvectors import Matrix

_WORD = re.compile(r"^[^\W\d_]{4,}$")


@dataclass(frozen=True)
class TopicConfig:
    """Clustering threshold (cosine distance between document means) and label size."""

    max_distance: float = 0.06
    label_terms: int = 3


def cluster_vectors(vectors: Matrix, max_distance: float) -> list[int]:
    """A cluster number per row of L2-normalised ``vectors`` (rows close together share one).

    Average linkage on cosine distances, cut below ``max_distance``: what scikit-learn's
    ``AgglomerativeClustering(metric="cosine", linkage="average", distance_threshold=…)``
    does, numbered as it numbers clusters, but with ``cosine_distances`` in place of
    ``pdist`` (the same distances, in less than half the time) and without its copies.
    """
    if len(vectors) < 2:
        return [0] * len(vectors)
    tree = hierarchy.linkage(cosine_distances(vectors), method="average")
    children: npt.NDArray[np.int64] = tree[:, :2].astype(np.int64)
    clusters = int(np.count_nonzero(tree[:, 2] >= max_distance)) + 1
    return _cut(children, clusters, len(vectors))


def _cut(children: npt.NDArray[np.int64], clusters: int, leaves: int) -> list[int]:
    """Label the leaves under the tree's top ``clusters`` nodes, numbered as scikit-learn does.

    The top nodes are taken from a heap from the root down (``sklearn.cluster`` ``_hc_cut``)
    and numbered in the heap's order; each leaf gets the number of the top node above it.
    """
    nodes = [-(int(children[-1].max()) + 1)]
    for _ in range(clusters - 1):
        left, right = children[-nodes[0] - leaves]
        heappush(nodes, -int(left))
        heappushpop(nodes, -int(right))
    number_of = np.full(2 * leaves - 1, -1, dtype=np.int64)
    for number, node in enumerate(nodes):
        number_of[-node] = number
    for merge in range(len(children) - 1, -1, -1):  # a node is formed after its children
        if number_of[leaves + merge] >= 0:
            number_of[children[merge]] = number_of[leaves + merge]
    return [int(number) for number in number_of[:leaves]]


def topic_words(text: str) -> list[str]:
    """The words of a text that may label a topic: no stop words, digits or short words."""
    return [word for word in content_words(tokens(text)) if _WORD.match(word)]


def document_words(
    titles: Mapping[str, str], texts: Iterable[tuple[str, str]]
) -> dict[str, Counter[str]]:
    """Each document's topic words: ``topic_words`` of its title and of each of its ``texts``.

    ``texts`` are ``(doc_id, chunk text)`` pairs; those of other documents are skipped. Each
    distinct token is judged once (stop word? label word?) rather than at every use.
    """
    words = {doc_id: Counter[str]() for doc_id in titles}
    seen: set[str] = set()
    label: set[str] = set()
    for doc_id, title in titles.items():
        _add_topic_words(words[doc_id], title, seen, label)
    for doc_id, text in texts:
        if doc_id in words:
            _add_topic_words(words[doc_id], text, seen, label)
    return words


def _add_topic_words(counts: Counter[str], text: str, seen: set[str], label: set[str]) -> None:
    """Add ``topic_words(text)`` to ``counts``; ``seen`` and ``label`` remember judged tokens."""
    found = tokens(text)
    distinct = set(found)
    if not distinct <= seen:
        new = distinct - seen
        seen |= new
        label |= {word for word in new if word not in STOP_WORDS and _WORD.match(word)}
    if distinct <= STOP_WORDS:  # content_words then keeps them all
        counts.update(word for word in found if _WORD.match(word))
    else:
        counts.update(filter(label.__contains__, found))


@dataclass(frozen=True)
class WordTable:
    """Documents × topic words: ``counts[row_of[doc_id], column]`` is how often the document
    has ``vocabulary[column]``; the vocabulary is sorted, so columns are in word order."""

    row_of: Mapping[str, int]
    vocabulary: Sequence[str]
    counts: sparse.csr_array


def word_table(words: Mapping[str, Counter[str]]) -> WordTable:
    """The table of documents' word counters (rows in the mapping's order)."""
    counters = list(words.values())
    vocabulary = sorted(set[str]().union(*counters))
    column_of = {word: column for column, word in enumerate(vocabulary)}
    indptr = np.cumsum([0, *(len(found) for found in counters)], dtype=np.int64)
    size = int(indptr[-1])
    columns = np.fromiter(map(column_of.__getitem__, chain.from_iterable(counters)), np.int64, size)
    counts = np.fromiter(chain.from_iterable(map(Counter.values, counters)), np.int64, size)
    matrix = sparse.csr_array((counts, columns, indptr), shape=(len(counters), len(vocabulary)))
    return WordTable({doc_id: row for row, doc_id in enumerate(words)}, vocabulary, matrix)


def label_topics(
    members: Mapping[int, Sequence[str]], table: WordTable, size: int
) -> dict[int, str]:
    """Label each topic (its documents' ids) by its most distinctive words.

    A word scores its count in the topic times ``log(1 + documents / documents with it)``;
    the best ``size`` words win, ties going to the word that sorts first. The counts per
    topic come from one sparse product (topics × documents × words) instead of a Counter
    per topic, and only each topic's best words are sorted, not all of them.
    """
    per_document = table.counts
    weights = _weights(per_document, max(1, len(table.row_of)))
    topics = list(members)
    per_topic = _membership(topics, members, table.row_of, len(table.row_of)) @ per_document
    labels = {}
    for row, topic in enumerate(topics):
        columns = per_topic.indices[per_topic.indptr[row] : per_topic.indptr[row + 1]]
        counts = per_topic.data[per_topic.indptr[row] : per_topic.indptr[row + 1]]
        best = _best_columns(columns, counts * weights[columns], size)
        labels[topic] = ", ".join(table.vocabulary[column] for column in best) or f"topic {topic}"
    return labels


def _weights(per_document: sparse.csr_array, total: int) -> npt.NDArray[np.float64]:
    """``log(1 + total / documents with the word)`` per word, computed as Python floats
    (every column is a word some document has)."""
    frequency = np.bincount(per_document.indices, minlength=per_document.shape[1])
    return np.array([math.log(1 + total / f) for f in frequency.tolist()])


def _membership(
    topics: Sequence[int],
    members: Mapping[int, Sequence[str]],
    row_of: Mapping[str, int],
    documents: int,
) -> sparse.csr_array:
    """Topics × documents, 1 where a document (that has words) is in a topic."""
    pairs = [(row, row_of[d]) for row, t in enumerate(topics) for d in members[t] if d in row_of]
    rows = np.array([pair[0] for pair in pairs], dtype=np.int64)
    columns = np.array([pair[1] for pair in pairs], dtype=np.int64)
    ones = np.ones(len(pairs), dtype=np.int64)
    return sparse.csr_array((ones, (rows, columns)), shape=(len(topics), documents))


def _best_columns(
    columns: npt.NDArray[np.int32], scores: npt.NDArray[np.float64], size: int
) -> list[int]:
    """The ``size`` columns of highest score, ties going to the lowest column (first word)."""
    if len(scores) > size:
        cutoff = np.partition(scores, len(scores) - size)[len(scores) - size]
        keep = scores >= cutoff
        columns, scores = columns[keep], scores[keep]
    order = np.lexsort((columns, -scores))
    return [int(column) for column in columns[order[:size]]]
