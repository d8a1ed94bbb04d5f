"""Rebuild a home's index from its catalog: republish, or re-embed every chunk with a new model."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.catalog import catalog_path, connect, get_meta, set_meta, transaction
from index.encoder import Encoder
from index.errors import IndexNotFoundError
from index.lock import writer_lock
from index.models import Manifest
from index.publish import publish_from_catalog
from ingest.chunk import ChunkingConfig

logger = logging.getLogger(__name__)
BATCH = 64


def reindex(
    home: Path,
    encoder: Encoder,
    model_info: dict[str, str],
    chunking: ChunkingConfig,
    progress: bool = False,
) -> Manifest:
    """Publish a fresh generation from the catalog; re-embed first if the model changed.

    Raises:
        IndexNotFoundError: the home has no catalog.
        WriterBusyError: an ingest is running.
    """
    path = catalog_path(home)
    if not path.exists():
        raise IndexNotFoundError(f"No catalog in {home}: run 'wegwijs --home {home} ingest' first.")
    with writer_lock(home):
        conn = connect(path)
        if (get_meta(conn, "model_profile"), get_meta(conn, "weights_sha256")) != (
            model_info["profile"],
            model_info["weights_sha256"],
        ):
            _reembed(conn, encoder, model_info, progress)
        manifest = publish_from_catalog(conn, home, encoder.dimension, model_info, chunking)
        conn.close()
    return manifest


def _reembed(
    conn: sqlite3.Connection, encoder: Encoder, model_info: dict[str, str], progress: bool
) -> None:
    rows = conn.execute("SELECT chunk_rowid, text FROM chunks ORDER BY chunk_rowid").fetchall()
    logger.info("Re-embedding %d chunks with %s", len(rows), model_info["profile"])
    bar = tqdm(total=len(rows), unit="chunk", disable=not progress, delay=1.0)
    updates: list[tuple[bytes, int]] = []
    for start in range(0, len(rows), BATCH):
        part = rows[start : start + BATCH]
        vectors = encoder.encode_passages([row[1] for row in part])
        updates += [
            (v.astype(np.float32).tobytes(), row[0]) for v, row in zip(vectors, part, strict=True)
        ]
        bar.update(len(part))
    bar.close()
    with transaction(conn):
        conn.executemany("UPDATE chunks SET embedding = ? WHERE chunk_rowid = ?", updates)
        set_meta(conn, "model_profile", model_info["profile"])
        set_meta(conn, "weights_sha256", model_info["weights_sha256"])
