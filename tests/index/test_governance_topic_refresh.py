"""Topics kept between ingests: unchanged documents keep theirs, new ones are placed, drift
past a tenth of the share clusters everything afresh, and labels match a count from scratch."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.build import RunSummary, ingest
from index.catalog import catalog_path, connect, migrate_catalog
from index.encoder import SentenceTransformerEncoder
from index.governance.docvectors import chunk_vectors, mean_vectors
from index.governance.refresh import refresh_governance
from index.governance.topic_inputs import PRUNE_FROM
from index.governance.topic_place import (
    RefreshRecord,
    cluster_share,
    place_documents,
    read_record,
)
from index.governance.topic_refresh import record_topics
from index.governance.topics import (
    TopicConfig,
    cluster_vectors,
    document_words,
    label_topics,
    word_table,
)
from ingest.pipeline import IngestConfig
from service.engine import model_info
from service.settings import Settings
from tests.governance_support import copy_home, longest_document

ROOT = "erbij"


@pytest.fixture
def home(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    return copy_home(sample_settings.home, tmp_path / "home")


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / ROOT
    folder.mkdir()
    return folder


@pytest.fixture
def conn(home: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(catalog_path(home))
    yield connection
    connection.close()


def _ingest(home: Path, share: Path, encoder: SentenceTransformerEncoder) -> None:
    ingest(home, [share], IngestConfig(), encoder, model_info(encoder))


def _topics(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT doc_id, topic_id FROM document_topics").fetchall())


def _members(topics: dict[str, int]) -> dict[int, list[str]]:
    members: dict[int, list[str]] = {}
    for doc_id, topic in sorted(topics.items()):
        members.setdefault(topic, []).append(doc_id)
    return members


def _record(conn: sqlite3.Connection) -> RefreshRecord:
    record = read_record(conn)
    assert record is not None
    return record


def _write(share: Path, name: str, text: str) -> None:
    (share / name).write_text(text)
    (share / name).chmod(0o644)


def test_an_ingest_keeps_unchanged_topics_and_places_new_documents(
    home: Path, share: Path, conn: sqlite3.Connection, encoder: SentenceTransformerEncoder
) -> None:
    before = _topics(conn)
    first = _record(conn)
    assert first.clustered == first.present == len(before) and first.placed == 0
    twin_of, text = longest_document(conn)
    _write(share, "kopie.txt", text)
    _write(share, "los.txt", "Quantumcomputers en supergeleiding in het laboratorium. " * 8)
    _ingest(home, share, encoder)

    after = _topics(conn)
    assert {doc_id: after[doc_id] for doc_id in before} == before
    assert after[f"{ROOT}/kopie.txt"] == after[twin_of]
    assert _record(conn).placed == 2 and _record(conn).present == len(before) + 2
    titles = dict(conn.execute("SELECT doc_id, title FROM documents").fetchall())
    texts = conn.execute("SELECT doc_id, text FROM chunks WHERE retired_seq IS NULL")
    counted = document_words({doc_id: titles[doc_id] for doc_id in after}, texts)
    expected = label_topics(_members(after), word_table(counted), TopicConfig().label_terms)
    assert dict(conn.execute("SELECT topic_id, label FROM topics").fetchall()) == expected

    (share / "los.txt").unlink()
    _ingest(home, share, encoder)
    gone = _topics(conn)
    assert f"{ROOT}/los.txt" not in gone and len(gone) == len(after) - 1
    if list(after.values()).count(after[f"{ROOT}/los.txt"]) == 1:
        assert after[f"{ROOT}/los.txt"] not in set(gone.values())
    assert not conn.execute(
        "SELECT count(*) FROM topic_counts WHERE doc_id = ?", (f"{ROOT}/los.txt",)
    ).fetchone()[0]
    assert _record(conn).placed == 3


def test_placing_past_a_tenth_of_the_share_clusters_everything_afresh(
    home: Path, share: Path, conn: sqlite3.Connection, encoder: SentenceTransformerEncoder
) -> None:
    clustered = _record(conn).clustered
    for number in range(clustered // 10 + 1):
        _write(share, f"nota-{number}.txt", f"Nota {number} over de begroting van het jaar. " * 6)
    _ingest(home, share, encoder)

    record = _record(conn)
    assert record.placed == 0 and record.clustered == clustered + clustered // 10 + 1
    doc_ids, means = mean_vectors(chunk_vectors(conn))
    numbers = cluster_vectors(means, TopicConfig().max_distance)
    expected = {doc_id: number + 1 for doc_id, number in zip(doc_ids, numbers, strict=True)}
    assert _topics(conn) == expected


def test_another_threshold_clusters_everything_afresh(conn: sqlite3.Connection) -> None:
    before = _record(conn)
    with conn:
        record_topics(conn, chunk_vectors(conn), TopicConfig(max_distance=0.2))
    after = _record(conn)
    assert after.settings != before.settings and after.placed == 0
    with conn:
        refresh_governance(conn)  # the default threshold again: afresh once more
    assert _record(conn).settings == before.settings


def test_a_document_joins_the_topic_closest_on_average_or_starts_its_own() -> None:
    rng = np.random.default_rng(7)
    centre_a, centre_b = rng.standard_normal((2, 32)).astype(np.float32)
    vectors = [centre_a + 0.05 * rng.standard_normal(32) for _ in range(3)]
    vectors += [centre_b + 0.05 * rng.standard_normal(32) for _ in range(2)]
    vectors += [centre_b + 0.05 * rng.standard_normal(32), rng.standard_normal(32)]
    means = np.stack(vectors).astype(np.float32)
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    doc_ids = [f"d{n}" for n in range(len(means))]
    members = {4: ["d0", "d1", "d2"], 9: ["d3", "d4"]}
    place_documents(members, doc_ids, means, ["d5", "d6"], max_distance=0.06)
    assert members == {4: ["d0", "d1", "d2"], 9: ["d3", "d4", "d5"], 10: ["d6"]}


def test_an_emptied_home_has_no_topics(tmp_path: Path, home: Path) -> None:
    empty = tmp_path / "empty"
    shutil.copytree(home, empty)
    connection = connect(catalog_path(empty))
    try:
        with connection:
            connection.execute("DELETE FROM documents")
            refresh_governance(connection)
        assert not _topics(connection)
        assert not connection.execute("SELECT count(*) FROM topic_counts").fetchone()[0]
    finally:
        connection.close()


def _partition(numbers: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for row, number in enumerate(numbers):
        groups.setdefault(number, set()).add(row)
    return {frozenset(group) for group in groups.values()}


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_a_share_past_the_limit_gets_the_topics_clustering_all_of_it_gives() -> None:
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((6, 48))
    rows = np.vstack([centre + 0.03 * rng.standard_normal((40, 48)) for centre in centres])
    vectors = _unit(rows[rng.permutation(len(rows))])
    whole = cluster_vectors(vectors, 0.06)
    assert len(set(whole)) == 6
    assert _partition(cluster_share(vectors, 0.06, limit=50)) == _partition(whole)


def test_documents_close_to_no_sampled_topic_are_clustered_among_themselves() -> None:
    vectors = _unit(np.random.default_rng(4).standard_normal((230, 64)))  # all far apart
    numbers = cluster_share(vectors, 0.06, limit=50)
    assert sorted(numbers) == list(range(230))  # each its own topic, numbered without gaps


def _stored_words(conn: sqlite3.Connection) -> dict[str, Counter[str]]:
    """Each document's stored topic words, spelled out from the vocabulary."""
    spelling = dict(conn.execute("SELECT word_id, word FROM topic_vocabulary").fetchall())
    words = {}
    for doc_id, ids, counts in conn.execute("SELECT doc_id, word_ids, counts FROM topic_counts"):
        found = np.frombuffer(ids, "<i4").tolist(), np.frombuffer(counts, "<i4").tolist()
        pairs = zip(*found, strict=True)
        words[doc_id] = Counter({spelling[word_id]: count for word_id, count in pairs})
    return words


def _counted(conn: sqlite3.Connection) -> dict[str, Counter[str]]:
    """Each document's topic words counted from scratch."""
    titles = dict(conn.execute("SELECT doc_id, title FROM documents").fetchall())
    texts = conn.execute(
        "SELECT doc_id, text FROM chunks WHERE retired_seq IS NULL ORDER BY doc_id, ordinal"
    )
    counted = document_words(titles, texts)
    return {doc_id: counted[doc_id] for doc_id in _topics(conn)}


def test_stored_words_are_the_counted_ones_and_survive_an_ingest(
    home: Path, share: Path, conn: sqlite3.Connection, encoder: SentenceTransformerEncoder
) -> None:
    assert _stored_words(conn) == _counted(conn)
    ids_before = dict(conn.execute("SELECT word, word_id FROM topic_vocabulary").fetchall())
    _write(share, "nieuw.txt", "Xylofoonlessen en zeppelinvaart voor het hele team. " * 6)
    _ingest(home, share, encoder)

    assert _stored_words(conn) == _counted(conn)
    ids_after = dict(conn.execute("SELECT word, word_id FROM topic_vocabulary").fetchall())
    assert {word: ids_after[word] for word in ids_before} == ids_before  # ids never move
    assert {"xylofoonlessen", "zeppelinvaart"} <= ids_after.keys()


def test_words_kept_as_json_by_older_versions_are_converted_once(
    tmp_path: Path, home: Path, conn: sqlite3.Connection
) -> None:
    words, topics = _stored_words(conn), _topics(conn)
    labels = dict(conn.execute("SELECT topic_id, label FROM topics").fetchall())
    sha_of = dict(conn.execute("SELECT doc_id, sha256 FROM documents").fetchall())
    with conn:  # the tables as session 12 left them
        conn.execute("DROP TABLE topic_counts")
        conn.execute("DROP TABLE topic_vocabulary")
        conn.execute("CREATE TABLE topic_inputs (doc_id TEXT PRIMARY KEY, sha256 TEXT, words TEXT)")
        conn.executemany(
            "INSERT INTO topic_inputs VALUES (?, ?, ?)",
            [(doc_id, sha_of[doc_id], json.dumps(found)) for doc_id, found in words.items()],
        )
    migrate_catalog(home)

    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "topic_inputs" not in tables and _stored_words(conn) == words
    with conn:
        refresh_governance(conn)
    assert _record(conn).placed == 0 and _topics(conn) == topics  # all kept, none recounted
    assert dict(conn.execute("SELECT topic_id, label FROM topics").fetchall()) == labels


def test_words_no_document_has_leave_the_vocabulary_once_they_outnumber_the_used(
    conn: sqlite3.Connection,
) -> None:
    labels = dict(conn.execute("SELECT topic_id, label FROM topics").fetchall())
    used = _vocabulary_size(conn)
    first = conn.execute("SELECT max(word_id) FROM topic_vocabulary").fetchone()[0] + 1
    for added, expected in [(used + PRUNE_FROM, 2 * used + PRUNE_FROM), (1, used)]:
        with conn:
            conn.executemany(
                "INSERT INTO topic_vocabulary (word_id, word) VALUES (?, ?)",
                [(first + n, f"vergeten{first + n}") for n in range(added)],
            )
            refresh_governance(conn)
        first += added
        assert _vocabulary_size(conn) == expected
    assert dict(conn.execute("SELECT topic_id, label FROM topics").fetchall()) == labels
    assert _stored_words(conn) == _counted(conn)


def _vocabulary_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM topic_vocabulary").fetchone()[0])
