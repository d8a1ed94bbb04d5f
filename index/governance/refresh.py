"""Recompute what governance derives from the whole catalog, once per ingest."""

from __future__ import annotations

import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from index.governance.docvectors import chunk_vectors, mean_vectors
from index.governance.marks import follow_documents
from index.governance.supersede import SupersedeConfig, record_copies
from index.governance.topics import (
    TopicConfig,
    cluster_documents,
    label_topics,
    read_document_words,
    write_topics,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshConfig:
    """Thresholds for copies and topics."""

    copies: SupersedeConfig = field(default_factory=SupersedeConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)


def refresh_governance(conn: sqlite3.Connection, config: RefreshConfig = RefreshConfig()) -> None:
    """Re-key marks to moved documents, find groups of copies, cluster topics.

    Runs inside the caller's transaction, after the documents of a run were written. The
    chunk embeddings are read and each document's mean taken once, for copies and topics
    alike. The topic clustering (all pairs of documents: its distances run without the GIL)
    runs in a second thread while this one finds the copies and counts the topic words; only
    this thread touches the catalog. The result is that of ``record_copies`` then
    ``record_topics``, step for step (``tests/index/test_governance_refresh.py``).
    """
    follow_documents(conn)
    chunks = chunk_vectors(conn)
    present = {row[0] for row in conn.execute("SELECT doc_id FROM documents")}
    doc_ids, means = mean_vectors({k: v for k, v in chunks.items() if k in present})
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topics") as pool:
        clustering = pool.submit(cluster_documents, doc_ids, means, config.topics.max_distance)
        copies = record_copies(conn, chunks, config.copies, (doc_ids, means))
        words = read_document_words(conn, doc_ids)
        members = clustering.result()
    write_topics(conn, members, label_topics(members, words, config.topics.label_terms))
    logger.info("Governance: %d documents in groups of copies, %d topics", copies, len(members))
