"""What topics were last computed from, per document: its content hash and its topic words.

Counting the topic words of every chunk again at each ingest cost 3.7 of a 48.5 s ingest into a
100,000-chunk home (BENCHMARKS.md, session 9). A document's words depend only on its title and
its chunks' text, so they are kept in ``topic_counts`` with the ``sha256`` they were counted at
and counted again only for documents whose content changed. The same hash tells
``index.governance.topic_place`` which documents keep their topic.

Words are kept as ids into ``topic_vocabulary`` with their counts, both as little-endian int32
arrays: reading them back is a concatenation. Kept as JSON objects of words (until session 13)
they cost 2.2 s of that ingest to parse and to count again into a matrix (BENCHMARKS.md,
session 12); ``migrate_topic_inputs`` converts a catalog that still has them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from index.governance.topics import WordTable, document_words

_INT32 = np.dtype("<i4")
PRUNE_FROM = 1024
"""Words no document has are deleted from the vocabulary once they outnumber the words in use
by more than this (a share that shrank, or rewrote its documents)."""


@dataclass(frozen=True)
class WordCounts:
    """One document's topic words: vocabulary ids and how often each occurs (int32 bytes)."""

    word_ids: bytes
    counts: bytes


@dataclass(frozen=True)
class PreviousInput:
    """A document as topics last saw it: its content hash, topic and topic words."""

    sha256: str
    topic: int | None
    words: WordCounts


def previous_inputs(conn: sqlite3.Connection) -> dict[str, PreviousInput]:
    """Document id → what the last topic refresh recorded for it."""
    rows = conn.execute(
        "SELECT tc.doc_id, tc.sha256, dt.topic_id, tc.word_ids, tc.counts FROM topic_counts tc "
        "LEFT JOIN document_topics dt USING (doc_id)"
    )
    return {row[0]: PreviousInput(row[1], row[2], WordCounts(row[3], row[4])) for row in rows}


def unchanged(previous: Mapping[str, PreviousInput], sha_of: Mapping[str, str]) -> set[str]:
    """Documents whose content is the one topics last saw."""
    return {doc_id for doc_id, seen in previous.items() if sha_of.get(doc_id) == seen.sha256}


def count_fresh(
    conn: sqlite3.Connection, titles: Mapping[str, str], kept: set[str]
) -> dict[str, WordCounts]:
    """Count the topic words of the documents not ``kept``, adding new words to the vocabulary
    (in the caller's transaction)."""
    fresh = [doc_id for doc_id in titles if doc_id not in kept]
    if not fresh:
        return {}
    rows = conn.execute(
        "SELECT doc_id, text FROM chunks WHERE retired_seq IS NULL AND doc_id IN "
        "(SELECT value FROM json_each(?)) ORDER BY doc_id, ordinal",
        (json.dumps(fresh),),
    )
    words = document_words({doc_id: titles[doc_id] for doc_id in fresh}, rows)
    return encode_counts(conn, words)


def encode_counts(
    conn: sqlite3.Connection, words: Mapping[str, Counter[str]]
) -> dict[str, WordCounts]:
    """Word counters as vocabulary ids and counts; words not in the vocabulary are added."""
    id_of = _word_ids(conn, set[str]().union(*words.values()))
    return {
        doc_id: WordCounts(
            np.fromiter(map(id_of.__getitem__, found), _INT32, len(found)).tobytes(),
            np.fromiter(found.values(), _INT32, len(found)).tobytes(),
        )
        for doc_id, found in words.items()
    }


def _word_ids(conn: sqlite3.Connection, words: set[str]) -> dict[str, int]:
    """Each word's vocabulary id, new words numbered after the highest id in use."""
    wanted = json.dumps(sorted(words), ensure_ascii=False)
    id_of = dict(
        conn.execute(
            "SELECT word, word_id FROM topic_vocabulary "
            "WHERE word IN (SELECT value FROM json_each(?))",
            (wanted,),
        ).fetchall()
    )
    missing = sorted(words - id_of.keys())
    if missing:
        first = (
            int(
                conn.execute("SELECT coalesce(max(word_id), 0) FROM topic_vocabulary").fetchone()[0]
            )
            + 1
        )
        new = {word: first + offset for offset, word in enumerate(missing)}
        conn.executemany(
            "INSERT INTO topic_vocabulary (word_id, word) VALUES (?, ?)",
            [(word_id, word) for word, word_id in new.items()],
        )
        id_of.update(new)
    return id_of


def word_table_of(
    conn: sqlite3.Connection, doc_ids: Sequence[str], words: Mapping[str, WordCounts]
) -> WordTable:
    """The ``WordTable`` of ``doc_ids`` (rows in that order) from their stored ``words``.

    Columns are the vocabulary words any of them has, sorted; the others are deleted from the
    vocabulary once they outnumber these by ``PRUNE_FROM`` (in the caller's transaction).
    """
    encoded = [words[doc_id] for doc_id in doc_ids]
    ids = np.frombuffer(b"".join(found.word_ids for found in encoded), _INT32)
    counts = np.frombuffer(b"".join(found.counts for found in encoded), _INT32)
    lengths = [len(found.word_ids) // _INT32.itemsize for found in encoded]
    indptr = np.cumsum([0, *lengths], dtype=np.int64)
    present = np.zeros(int(ids.max(initial=-1)) + 1, dtype=bool)
    present[ids] = True
    used = np.flatnonzero(present)  # what np.unique gives, without sorting all the ids
    columns = (np.cumsum(present) - 1)[ids]
    spelling = _spelling(conn, used)
    order = sorted(range(len(used)), key=spelling.__getitem__)
    rank = np.empty(len(used), dtype=np.int64)
    rank[order] = np.arange(len(used))
    matrix = sparse.csr_array(
        (counts.astype(np.int64), rank[columns], indptr), shape=(len(doc_ids), len(used))
    )
    vocabulary = [spelling[index] for index in order]
    return WordTable({doc_id: row for row, doc_id in enumerate(doc_ids)}, vocabulary, matrix)


def _spelling(conn: sqlite3.Connection, used: npt.NDArray[np.intp]) -> list[str]:
    """The words of the ``used`` ids (ascending), pruning the vocabulary of unused ones."""
    vocabulary = dict(conn.execute("SELECT word_id, word FROM topic_vocabulary").fetchall())
    if len(vocabulary) > 2 * len(used) + PRUNE_FROM:
        conn.execute(
            "DELETE FROM topic_vocabulary WHERE word_id NOT IN (SELECT value FROM json_each(?))",
            (json.dumps(used.tolist()),),
        )
    return [vocabulary[word_id] for word_id in used.tolist()]


def store_inputs(
    conn: sqlite3.Connection,
    sha_of: Mapping[str, str],
    fresh: Mapping[str, WordCounts],
    gone: Sequence[str],
) -> None:
    """Record the documents counted afresh and forget the ``gone`` ones."""
    conn.executemany("DELETE FROM topic_counts WHERE doc_id = ?", [(doc_id,) for doc_id in gone])
    conn.executemany(
        "INSERT OR REPLACE INTO topic_counts (doc_id, sha256, word_ids, counts) "
        "VALUES (?, ?, ?, ?)",
        [(doc_id, sha_of[doc_id], found.word_ids, found.counts) for doc_id, found in fresh.items()],
    )


def migrate_topic_inputs(conn: sqlite3.Connection) -> None:
    """Convert a catalog's words kept as JSON (``topic_inputs``) to ``topic_counts``, once."""
    if not _has_table(conn, "topic_inputs"):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _has_table(conn, "topic_inputs"):  # another writer may have converted meanwhile
            rows = conn.execute("SELECT doc_id, sha256, words FROM topic_inputs").fetchall()
            words = {row[0]: Counter[str](json.loads(row[2])) for row in rows}
            store_inputs(conn, {row[0]: row[1] for row in rows}, encode_counts(conn, words), [])
            conn.execute("DROP TABLE topic_inputs")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None
