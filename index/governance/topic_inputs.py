"""What topics were last computed from, per document: its content hash and its topic words.

Counting the topic words of every chunk again at each ingest cost 3.7 of a 48.5 s ingest into a
100,000-chunk home (BENCHMARKS.md, session 9). A document's words depend only on its title and
its chunks' text, so they are kept in ``topic_inputs`` with the ``sha256`` they were counted at
and counted again only for documents whose content changed. The same hash tells
``index.governance.topic_place`` which documents keep their topic.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.governance.topics import document_words


@dataclass(frozen=True)
class PreviousInput:
    """A document as topics last saw it: its content hash and the topic it was put in."""

    sha256: str
    topic: int | None
    words: str


def previous_inputs(conn: sqlite3.Connection) -> dict[str, PreviousInput]:
    """Document id → what the last topic refresh recorded for it."""
    rows = conn.execute(
        "SELECT ti.doc_id, ti.sha256, dt.topic_id, ti.words FROM topic_inputs ti "
        "LEFT JOIN document_topics dt USING (doc_id)"
    )
    return {row[0]: PreviousInput(row[1], row[2], row[3]) for row in rows}


def unchanged(previous: Mapping[str, PreviousInput], sha_of: Mapping[str, str]) -> set[str]:
    """Documents whose content is the one topics last saw."""
    return {doc_id for doc_id, seen in previous.items() if sha_of.get(doc_id) == seen.sha256}


def topic_words_of(
    conn: sqlite3.Connection,
    titles: Mapping[str, str],
    previous: Mapping[str, PreviousInput],
    kept: set[str],
) -> dict[str, Counter[str]]:
    """Each document's topic words: stored for the ``kept`` ones, counted for the others."""
    words = {doc_id: Counter[str](json.loads(previous[doc_id].words)) for doc_id in kept}
    fresh = [doc_id for doc_id in titles if doc_id not in kept]
    if fresh:
        rows = conn.execute(
            "SELECT doc_id, text FROM chunks WHERE retired_seq IS NULL AND doc_id IN "
            "(SELECT value FROM json_each(?)) ORDER BY doc_id, ordinal",
            (json.dumps(fresh),),
        )
        words.update(document_words({doc_id: titles[doc_id] for doc_id in fresh}, rows))
    return {doc_id: words[doc_id] for doc_id in titles}


def store_inputs(
    conn: sqlite3.Connection,
    sha_of: Mapping[str, str],
    words: Mapping[str, Counter[str]],
    kept: set[str],
    gone: Sequence[str],
) -> None:
    """Record the documents counted afresh and forget the ``gone`` ones."""
    conn.executemany("DELETE FROM topic_inputs WHERE doc_id = ?", [(doc_id,) for doc_id in gone])
    conn.executemany(
        "INSERT OR REPLACE INTO topic_inputs (doc_id, sha256, words) VALUES (?, ?, ?)",
        [
            (doc_id, sha_of[doc_id], json.dumps(words[doc_id], ensure_ascii=False))
            for doc_id in words
            if doc_id not in kept
        ],
    )
