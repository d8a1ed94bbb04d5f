"""Recompute what governance derives from the whole catalog, once per ingest."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field

from index.governance.copy_refresh import refresh_copies
from index.governance.docvectors import chunk_vectors
from index.governance.marks import follow_documents
from index.governance.supersede import SupersedeConfig
from index.governance.topic_inputs import previous_inputs, unchanged
from index.governance.topic_refresh import record_topics
from index.governance.topics import TopicConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshConfig:
    """Thresholds for copies and topics."""

    copies: SupersedeConfig = field(default_factory=SupersedeConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)


def refresh_governance(conn: sqlite3.Connection, config: RefreshConfig = RefreshConfig()) -> None:
    """Re-key marks to moved documents, find groups of copies, cluster topics.

    Runs inside the caller's transaction, after the documents of a run were written.
    """
    follow_documents(conn)
    chunks = chunk_vectors(conn)
    previous = previous_inputs(conn)  # what the last refresh saw: also the copies' baseline
    sha_of = dict(conn.execute("SELECT doc_id, sha256 FROM documents").fetchall())
    survivors = sum(1 for doc_id in previous if doc_id in sha_of)
    copies = refresh_copies(conn, chunks, config.copies, unchanged(previous, sha_of), survivors)
    topics = record_topics(conn, chunks, config.topics, previous)
    logger.info("Governance: %d documents in groups of copies, %d topics", copies, topics)
