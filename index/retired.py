"""Retired chunks: a changed document's old chunks, kept until no served generation can see them.

Every chunk row has ``added_seq`` (the catalog ``seq`` of the write that added it) and
``retired_seq`` (the ``seq`` of the write that replaced its document; NULL while current). A
generation built at catalog ``seq`` S sees a chunk iff ``added_seq <= S`` and it was not retired
by then (``retired_seq`` NULL or ``> S``). So readers of the published generation keep finding a
changed document by its old text, in both arms, until the next generation is live; its new
chunks appear only with that generation. A deleted document loses all its rows at once, and
reader entries are per document, so a revoked reader loses the retired chunks too.

New generations are built from current chunks only (``CURRENT_SQL``). After a publish, retired
rows that neither the new generation, nor the one live before it, nor any generation a serving
process still reads (its read mark, ``index.read_marks``) can see are purged.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from index import vectors
from index.catalog import transaction
from index.errors import IndexCorruptError, IndexNotFoundError
from index.read_marks import oldest_read

logger = logging.getLogger(__name__)

CURRENT_SQL = "retired_seq IS NULL"


def visible_sql(alias: str, catalog_seq: int) -> tuple[str, list[object]]:
    """SQL condition over chunks ``alias``: the chunk is in the generation at ``catalog_seq``."""
    condition = (
        f"{alias}.added_seq <= ? AND ({alias}.retired_seq IS NULL OR {alias}.retired_seq > ?)"
    )
    return condition, [catalog_seq, catalog_seq]


def retire_chunks(conn: sqlite3.Connection, doc_id: str, seq: int) -> int:
    """Retire the current chunks of ``doc_id`` at ``seq`` (inside the caller's transaction)."""
    cursor = conn.execute(
        f"UPDATE chunks SET retired_seq = ? WHERE doc_id = ? AND {CURRENT_SQL}", (seq, doc_id)
    )
    return cursor.rowcount


def purge_horizon(home: Path, catalog_seq: int) -> int | None:
    """Retired chunks up to this ``retired_seq`` are seen by no generation that may be served.

    Call it before publishing the generation at ``catalog_seq``: a process that starts reading
    now loads the live one, so its ``catalog_seq`` is the horizon, unless a serving process's
    read mark (``index.read_marks``) says it still reads an older one. With nothing live, nobody
    sees a retired chunk; with a damaged live manifest or an unreadable mark, nothing is purged
    (readers may have fallen back to an older generation).
    """
    try:
        live = vectors.read_manifest(home).catalog_seq
    except IndexNotFoundError:
        live = catalog_seq
    except (IndexCorruptError, OSError) as exc:
        logger.warning(
            "Keeping retired chunks of %s: the live manifest is unreadable (%s)", home, exc
        )
        return None
    try:
        marked = oldest_read(home)
    except OSError as exc:
        logger.warning("Keeping retired chunks of %s: a read mark is unreadable (%s)", home, exc)
        return None
    return live if marked is None else min(live, marked)


def purge_retired(conn: sqlite3.Connection, horizon: int) -> int:
    """Delete retired chunks (and their full-text rows) retired at or before ``horizon``."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN "
            "(SELECT chunk_rowid FROM chunks WHERE retired_seq <= ?)",
            (horizon,),
        )
        purged = conn.execute("DELETE FROM chunks WHERE retired_seq <= ?", (horizon,)).rowcount
    if purged:
        logger.info("Purged %d retired chunks (retired at or before seq %d)", purged, horizon)
    return purged
