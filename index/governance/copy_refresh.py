"""Copies refreshed at each ingest: only pairs with a new or changed document are looked for.

Finding copies compares every document with its nearest ones by mean embedding, so it cost 4.0
of a 34 s ingest into a 100,000-chunk home (BENCHMARKS.md, session 10) and grows with the
square of the share. Two documents whose content did not change are copies or not as they were,
so the pairs found (``copy_pairs``) are kept, and an ingest looks only for pairs that have a new
or changed document in them (its nearest documents and its name's stem). Everything is looked
for again under the same rules as topics (``index.governance.topic_place``): past a tenth of
the share new, changed or removed since, when the thresholds or embeddings changed, and when
there is no record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import asdict, replace

from index.catalog import get_meta
from index.governance.docvectors import Matrix
from index.governance.supersede import CopyPair, SupersedeConfig, find_copies, record_copies
from index.governance.topic_place import RefreshRecord, read_record, write_record

COPIES_VERSION = 1
"""Raise when what finding copies computes changes, so every home looks afresh once."""
RECORD_KEY = "copies_found"


def refresh_copies(
    conn: sqlite3.Connection,
    chunks: Mapping[str, Matrix],
    config: SupersedeConfig,
    kept: Collection[str],
    survivors: int,
) -> int:
    """Find and store the groups of copies; ``kept`` are the documents whose content the last
    refresh saw, ``survivors`` how many documents it saw are still here."""
    paths = {row[0]: row[1] for row in conn.execute("SELECT doc_id, rel_path FROM documents")}
    present = {doc_id: matrix for doc_id, matrix in chunks.items() if doc_id in paths}
    kept = set(kept) & present.keys()
    changed = [doc_id for doc_id in present if doc_id not in kept]
    settings = _settings(conn, config)
    record = read_record(conn, RECORD_KEY)
    moved = len(changed) + (max(0, record.present - survivors) if record else 0)
    if record is not None and kept and record.allows(settings, moved):
        pairs = [pair for pair in _stored(conn) if pair.left in kept and pair.right in kept]
        pairs += find_copies(present, paths, config, changed)
        write_record(
            conn, replace(record, placed=record.placed + moved, present=len(present)), RECORD_KEY
        )
    else:
        pairs = find_copies(present, paths, config)
        write_record(conn, RefreshRecord(settings, len(present), present=len(present)), RECORD_KEY)
    conn.execute("DELETE FROM copy_pairs")
    conn.executemany(
        "INSERT INTO copy_pairs (left_id, right_id, similarity, reason) VALUES (?, ?, ?, ?)",
        [(pair.left, pair.right, pair.similarity, pair.reason) for pair in pairs],
    )
    return record_copies(conn, sorted(pairs, key=lambda pair: (pair.left, pair.right)))


def _stored(conn: sqlite3.Connection) -> list[CopyPair]:
    rows = conn.execute("SELECT left_id, right_id, similarity, reason FROM copy_pairs")
    return [CopyPair(*row) for row in rows]


def _settings(conn: sqlite3.Connection, config: SupersedeConfig) -> str:
    """What copies depend on: the thresholds and the embeddings (model and input)."""
    return json.dumps(
        {
            "config": asdict(config),
            "model_profile": get_meta(conn, "model_profile"),
            "embedding_input": get_meta(conn, "embedding_input"),
            "version": COPIES_VERSION,
        },
        sort_keys=True,
    )
