"""The governance refresh, which clusters topics beside the copies, equals the steps in turn."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.build import RunSummary
from index.catalog import catalog_path, connect, transaction
from index.governance.docvectors import chunk_vectors
from index.governance.refresh import refresh_governance
from index.governance.supersede import SupersedeConfig, record_copies
from index.governance.topics import TopicConfig, record_topics
from service.settings import Settings
from tests.governance_support import copy_home

Tables = dict[str, list[tuple[object, ...]]]
QUERIES = {
    "duplicates": "SELECT doc_id, group_id, similarity, reason FROM duplicates ORDER BY doc_id",
    "topics": "SELECT topic_id, label FROM topics ORDER BY topic_id",
    "document_topics": "SELECT doc_id, topic_id FROM document_topics ORDER BY doc_id",
}


@pytest.fixture
def home(sample_ingest: RunSummary, sample_settings: Settings, tmp_path: Path) -> Path:
    return copy_home(sample_settings.home, tmp_path / "home")


def _tables(conn: sqlite3.Connection) -> Tables:
    return {name: [tuple(row) for row in conn.execute(sql)] for name, sql in QUERIES.items()}


def _clear(conn: sqlite3.Connection) -> None:
    for table in QUERIES:
        conn.execute(f"DELETE FROM {table}")


def test_refresh_equals_copies_then_topics_on_a_real_ingest(home: Path) -> None:
    conn = connect(catalog_path(home))
    try:
        with transaction(conn):
            _clear(conn)
            refresh_governance(conn)
        refreshed = _tables(conn)
        with transaction(conn):
            _clear(conn)
            chunks = chunk_vectors(conn)
            record_copies(conn, chunks, SupersedeConfig())
            record_topics(conn, chunks, TopicConfig())
        in_turn = _tables(conn)
    finally:
        conn.close()
    assert refreshed == in_turn
    assert refreshed["duplicates"], "the sample share has copies: the check must see some"
    assert len(refreshed["topics"]) > 1
    assert len(refreshed["document_topics"]) > len(refreshed["topics"])
