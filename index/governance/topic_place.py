"""Topics kept between ingests: only new and changed documents are placed.

Clustering every document again at each ingest cost 6.2 of a 48.5 s ingest of 600 files into a
100,000-chunk home (BENCHMARKS.md, session 9), and its cost grows with the square of the
share. So an ingest keeps the topic of every document whose content did not change, and places
each new or changed one into the topic whose documents are closest to it on average (the
criterion average linkage merges by) when that average cosine distance is under the
threshold, else into a topic of its own. Deleted documents leave their topics; a topic left
empty is gone.

Placing one at a time drifts from what clustering everything would give, so the whole share is
clustered again (``topics.cluster_vectors``) once the documents placed or removed since the
last full clustering reach ``MAX_DRIFT`` of the documents it clustered, when the embeddings or
the threshold changed (the record's settings), and when there is no record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse

from index.catalog import get_meta, set_meta
from index.governance.docvectors import Matrix

TOPICS_VERSION = 1
"""Raise when what clustering computes changes, so every home clusters afresh once."""
MAX_DRIFT = 0.1
RECORD_KEY = "topics_clustered"


@dataclass(frozen=True)
class TopicRecord:
    """What the topics were last clustered from, and how far placing has gone since."""

    settings: str
    clustered: int
    placed: int = 0
    present: int = 0  # documents with a topic after the last refresh

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


def read_record(conn: sqlite3.Connection) -> TopicRecord | None:
    """The last clustering's record (None: never clustered, or by an older version)."""
    text = get_meta(conn, RECORD_KEY)
    if text is None:
        return None
    try:
        return TopicRecord(**json.loads(text))
    except (ValueError, TypeError):
        return None


def write_record(conn: sqlite3.Connection, record: TopicRecord) -> None:
    """Store ``record`` (inside the refresh's transaction)."""
    set_meta(conn, RECORD_KEY, json.dumps(asdict(record), sort_keys=True))


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
