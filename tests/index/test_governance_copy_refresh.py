"""Copies kept between ingests: only pairs with a new or changed document are looked for, and
the groups equal those a search over the whole share finds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build import RunSummary, ingest
from index.catalog import catalog_path, connect
from index.encoder import SentenceTransformerEncoder
from index.governance.copy_refresh import RECORD_KEY
from index.governance.docvectors import chunk_vectors
from index.governance.supersede import SupersedeConfig, find_copies, group_copies
from index.governance.topic_place import RefreshRecord, read_record
from ingest.pipeline import IngestConfig
from service.engine import model_info
from service.settings import Settings
from tests.governance_support import copy_home, longest_document

ROOT = "erbij"


@pytest.fixture
def home(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    return copy_home(sample_settings.home, tmp_path / "home")


@pytest.fixture
def conn(home: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(catalog_path(home))
    yield connection
    connection.close()


def _groups(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT doc_id, group_id FROM duplicates").fetchall())


def _from_scratch(conn: sqlite3.Connection) -> dict[str, int]:
    paths = dict(conn.execute("SELECT doc_id, rel_path FROM documents").fetchall())
    chunks = {doc_id: m for doc_id, m in chunk_vectors(conn).items() if doc_id in paths}
    return group_copies(find_copies(chunks, paths, SupersedeConfig()))


def _record(conn: sqlite3.Connection) -> RefreshRecord:
    record = read_record(conn, RECORD_KEY)
    assert record is not None
    return record


def test_a_new_copy_joins_its_original_and_the_rest_is_kept(
    tmp_path: Path, home: Path, conn: sqlite3.Connection, encoder: SentenceTransformerEncoder
) -> None:
    before = _groups(conn)
    assert before and before == _from_scratch(conn)  # the sample share has copies
    first = _record(conn)
    assert first.placed == 0 and first.present == first.clustered
    original, text = longest_document(conn, "duplicates")
    share = tmp_path / ROOT
    share.mkdir()
    (share / "kopie van notitie.txt").write_text(text)
    (share / "kopie van notitie.txt").chmod(0o644)
    ingest(home, [share], IngestConfig(), encoder, model_info(encoder))

    after = _groups(conn)
    copy = f"{ROOT}/kopie van notitie.txt"
    assert after[copy] == after[original]
    assert after == _from_scratch(conn)
    assert _record(conn).placed == 1 and _record(conn).present == first.present + 1

    (share / "kopie van notitie.txt").unlink()
    ingest(home, [share], IngestConfig(), encoder, model_info(encoder))
    assert _groups(conn) == before
    assert _record(conn).placed == 2
    assert not conn.execute(
        "SELECT count(*) FROM copy_pairs WHERE ? IN (left_id, right_id)", (copy,)
    ).fetchone()[0]
