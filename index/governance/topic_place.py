"""Topics kept between ingests: only new and changed documents are placed.

Clustering every document again at each ingest cost 6.2 of a 48.5 s ingest of 600 files into a
100,000-chunk home (BENCHMARKS.md, session 9), and its cost grows with the square of the
share. So an ingest keeps the topic of every document whose content did not change, and places
each new or changed one into the topic whose documents are closest to it on average (the
criterion average linkage merges by) when that average cosine distance is under the
threshold, else into a topic of its own. Deleted documents leave their topics; a topic left
empty is gone.

Placing one at a time drifts from what clustering everything would give, so the whole share is
clustered again (``cluster_share``) once the documents placed or removed since the last full
clustering reach ``MAX_DRIFT`` of the documents it clustered, when the embeddings or the
threshold changed (the record's settings), and when there is no record.

Average linkage keeps every pair's distance: 8 bytes a pair, 1.6 GB at 20,000 documents and
40 GB at 100,000, so a share past ``CLUSTER_LIMIT`` documents could not be clustered at all.
There ``cluster_share`` clusters a sample of that many, lets every other document join the
sample's topic closest on average under the threshold, and clusters the documents close to
none the same way among themselves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from index.catalog import get_meta, set_meta
from index.governance.docvectors import Matrix
from index.governance.topics import cluster_vectors

TOPICS_VERSION = 1
"""Raise when what clustering computes changes, so every home clusters afresh once."""
MAX_DRIFT = 0.1
RECORD_KEY = "topics_clustered"
CLUSTER_LIMIT = 20_000
"""Most documents average linkage clusters in one piece (see the module text)."""
_BLOCK = 1024


@dataclass(frozen=True)
class RefreshRecord:
    """What a refresh (topics, or copies: ``copy_refresh``) last computed afresh from, and how
    far the share has moved since.

    Attributes:
        settings: What the result depends on (``topic_settings``, ``copy_refresh._settings``).
        clustered: Documents the last full computation saw.
        placed: Documents added, changed or removed since, each handled on its own.
        present: Documents after the last refresh.
    """

    settings: str
    clustered: int
    placed: int = 0
    present: int = 0

    def allows(self, settings: str, placing: int) -> bool:
        """Whether ``placing`` more documents may be placed instead of clustering all."""
        if settings != self.settings:
            return False
        return self.placed + placing <= MAX_DRIFT * self.clustered


def topic_settings(conn: sqlite3.Connection, max_distance: float) -> str:
    """The settings topics depend on: the embeddings (model and input) and the threshold."""
    return json.dumps(
        {
            "model_profile": get_meta(conn, "model_profile"),
            "embedding_input": get_meta(conn, "embedding_input"),
            "max_distance": max_distance,
            "version": TOPICS_VERSION,
        },
        sort_keys=True,
    )


def read_record(conn: sqlite3.Connection, key: str = RECORD_KEY) -> RefreshRecord | None:
    """The last clustering's record (None: never clustered, or by an older version); another
    ``key`` holds another refresh's record of the same kind (``copy_refresh``)."""
    text = get_meta(conn, key)
    if text is None:
        return None
    try:
        return RefreshRecord(**json.loads(text))
    except (ValueError, TypeError):
        return None


def write_record(conn: sqlite3.Connection, record: RefreshRecord, key: str = RECORD_KEY) -> None:
    """Store ``record`` under ``key`` (inside the refresh's transaction)."""
    set_meta(conn, key, json.dumps(asdict(record), sort_keys=True))


def place_documents(
    members: dict[int, list[str]],
    doc_ids: Sequence[str],
    means: Matrix,
    placing: Sequence[str],
    max_distance: float,
) -> None:
    """Add each of ``placing`` to ``members`` (topic → document ids, changed in place).

    ``means`` holds the L2-normalised mean embedding of each of ``doc_ids``. A document's
    average cosine distance to a topic's documents is ``1 - mean · (sum of theirs) / count``,
    so each topic keeps only the sum of its documents' means and their count.
    """
    row_of = {doc_id: row for row, doc_id in enumerate(doc_ids)}
    topics = sorted(members)
    capacity = len(topics) + len(placing)
    sums = np.zeros((capacity, means.shape[1] if means.size else 0), dtype=np.float32)
    counts = np.zeros(capacity, dtype=np.float32)
    if topics:
        sums[: len(topics)] = _sums(topics, members, row_of, means)
        counts[: len(topics)] = [len(members[topic]) for topic in topics]
    for doc_id in placing:
        vector = means[row_of[doc_id]]
        used = len(topics)
        best = -1
        if used:
            distances = 1.0 - (sums[:used] @ vector) / counts[:used]
            best = int(np.argmin(distances))
            if distances[best] >= max_distance:
                best = -1
        if best < 0:
            topics.append(max(topics, default=0) + 1)
            members[topics[-1]] = []
            best = used
        members[topics[best]].append(doc_id)
        sums[best] += vector
        counts[best] += 1


def _sums(
    topics: Sequence[int],
    members: Mapping[int, Sequence[str]],
    row_of: Mapping[str, int],
    means: Matrix,
) -> Matrix:
    """The sum of each topic's documents' means, in ``topics`` order (one sparse product)."""
    rows = [row for topic in topics for row in (row_of[d] for d in members[topic])]
    columns = [index for index, topic in enumerate(topics) for _ in members[topic]]
    ones = np.ones(len(rows), dtype=np.float32)
    membership = sparse.csr_array((ones, (columns, rows)), shape=(len(topics), len(means)))
    summed: Matrix = np.asarray(membership @ means, dtype=np.float32)
    return summed


def cluster_share(vectors: Matrix, max_distance: float, limit: int = CLUSTER_LIMIT) -> list[int]:
    """A topic number (0, 1, …) per row of L2-normalised ``vectors``: ``cluster_vectors``
    up to ``limit`` rows, above it a clustered sample and the rest placed (module text)."""
    count = len(vectors)
    if count <= limit:
        return cluster_vectors(vectors, max_distance)
    order = np.random.default_rng(0).permutation(count)
    sample, rest = order[:limit], order[limit:]
    numbers = np.full(count, -1, dtype=np.int64)
    numbers[sample] = cluster_vectors(vectors[sample], max_distance)
    topics = int(numbers[sample].max()) + 1
    sums = np.zeros((topics, vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, numbers[sample], vectors[sample])
    counts = np.bincount(numbers[sample], minlength=topics).astype(np.float32)
    best, distance = _closest(vectors[rest], sums, counts)
    joined = distance < max_distance
    numbers[rest[joined]] = best[joined]
    alone = rest[~joined]
    if len(alone):
        numbers[alone] = topics + np.asarray(cluster_share(vectors[alone], max_distance, limit))
    return [int(number) for number in numbers]


def _closest(
    vectors: Matrix, sums: Matrix, counts: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Each row's topic of lowest average cosine distance, and that distance."""
    best = np.empty(len(vectors), dtype=np.int64)
    distance = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), _BLOCK):
        distances = 1.0 - (vectors[start : start + _BLOCK] @ sums.T) / counts
        best[start : start + _BLOCK] = np.argmin(distances, axis=1)
        distance[start : start + _BLOCK] = distances.min(axis=1)
    return best, distance
