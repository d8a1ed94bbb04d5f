"""Topics refreshed at each ingest: kept, placed or clustered afresh, then labelled.

See ``index.governance.topic_place`` for when documents keep their topic and
``index.governance.topic_inputs`` for the words kept per document.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace

from index.governance.docvectors import Matrix, mean_vectors
from index.governance.topic_inputs import (
    PreviousInput,
    count_fresh,
    previous_inputs,
    store_inputs,
    unchanged,
    word_table_of,
)
from index.governance.topic_place import (
    RefreshRecord,
    cluster_share,
    place_documents,
    read_record,
    topic_settings,
    write_record,
)
from index.governance.topics import TopicConfig, label_topics


def record_topics(
    conn: sqlite3.Connection,
    chunks: Mapping[str, Matrix],
    config: TopicConfig,
    previous: Mapping[str, PreviousInput] | None = None,
) -> int:
    """Refresh the catalog's topics and their labels (in the caller's transaction);
    ``previous``: the ``previous_inputs`` of this catalog, if the caller read them already."""
    documents = {
        row[0]: (row[1], row[2])
        for row in conn.execute("SELECT doc_id, title, sha256 FROM documents")
    }
    doc_ids, means = mean_vectors({k: v for k, v in chunks.items() if k in documents})
    sha_of = {doc_id: documents[doc_id][1] for doc_id in doc_ids}
    previous = previous_inputs(conn) if previous is None else previous
    kept = unchanged(previous, sha_of)
    members = _members(conn, config, doc_ids, means, previous, kept)
    titles = {doc_id: documents[doc_id][0] for doc_id in doc_ids}
    fresh = count_fresh(conn, titles, kept)
    words = {doc_id: previous[doc_id].words for doc_id in kept} | fresh
    labels = label_topics(members, word_table_of(conn, doc_ids, words), config.label_terms)
    conn.execute("DELETE FROM document_topics")
    conn.execute("DELETE FROM topics")
    conn.executemany("INSERT INTO topics (topic_id, label) VALUES (?, ?)", labels.items())
    conn.executemany(
        "INSERT INTO document_topics (doc_id, topic_id) VALUES (?, ?)",
        [(doc_id, topic) for topic, ids in members.items() for doc_id in ids],
    )
    store_inputs(conn, sha_of, fresh, [d for d in previous if d not in sha_of])
    return len(members)


def _members(
    conn: sqlite3.Connection,
    config: TopicConfig,
    doc_ids: Sequence[str],
    means: Matrix,
    previous: Mapping[str, PreviousInput],
    kept: set[str],
) -> dict[int, list[str]]:
    """Topic → its documents: the kept ones where they were and the rest placed, or all
    clustered afresh (``index.governance.topic_place``)."""
    settings = topic_settings(conn, config.max_distance)
    record = read_record(conn)
    placed = {doc_id for doc_id in kept if previous[doc_id].topic is not None}
    placing = [doc_id for doc_id in doc_ids if doc_id not in placed]
    moved = _moved(record, settings, previous, doc_ids, placing) if placed else None
    if record is not None and moved is not None:
        members: dict[int, list[str]] = {}
        for doc_id in sorted(placed):
            members.setdefault(int(previous[doc_id].topic or 0), []).append(doc_id)
        place_documents(members, doc_ids, means, placing, config.max_distance)
        write_record(conn, replace(record, placed=record.placed + moved, present=len(doc_ids)))
        return members
    members = {}
    for doc_id, number in zip(doc_ids, cluster_share(means, config.max_distance), strict=True):
        members.setdefault(number + 1, []).append(doc_id)
    write_record(conn, RefreshRecord(settings, clustered=len(doc_ids), present=len(doc_ids)))
    return members


def _moved(
    record: RefreshRecord | None,
    settings: str,
    previous: Mapping[str, PreviousInput],
    doc_ids: Sequence[str],
    placing: Sequence[str],
) -> int | None:
    """Documents this refresh places or removes, if the record allows placing them (None:
    cluster afresh)."""
    if record is None:
        return None
    present = set(doc_ids)
    removed = max(0, record.present - sum(1 for doc_id in previous if doc_id in present))
    moved = len(placing) + removed
    return moved if record.allows(settings, moved) else None
