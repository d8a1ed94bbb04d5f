"""Rebuild a home's index from its catalog: republish, or re-embed every chunk with a new model."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index import stamp
from index.catalog import catalog_path, connect, get_meta, set_meta, transaction
from index.embedding_input import (
    EMBEDDING_INPUT,
    context_title,
    embedding_text,
    input_sha256,
)
from index.encoder import Encoder
from index.errors import IndexNotFoundError
from index.governance.refresh import refresh_governance
from index.lock import writer_lock
from index.models import Manifest
from index.publish import IndexChoice, publish_from_catalog
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
    """Publish a fresh generation from the catalog; re-embed first if the model or input changed,
    and then refresh governance, whose topics and copies come from the embeddings.

    An IVF+SQ8 generation is trained afresh (no kept training is reused).

    Raises:
        IndexNotFoundError: the home has no catalog.
        WriterBusyError: an ingest is running.
    """
    path = catalog_path(home)
    if not path.exists():
        raise IndexNotFoundError(f"No catalog in {home}: run 'wegwijs --home {home} ingest' first.")
    with writer_lock(home):
        conn = connect(path)
        same_model = (get_meta(conn, "model_profile"), get_meta(conn, "weights_sha256")) == (
            model_info["profile"],
            model_info["weights_sha256"],
        )
        if not same_model or get_meta(conn, "embedding_input") != EMBEDDING_INPUT:
            _reembed(conn, encoder, model_info, progress, keep_unchanged=same_model)
            with transaction(conn):  # topics and copies of the new embeddings, not the old
                refresh_governance(conn)
                stamp.record_governance(conn)
        manifest = publish_from_catalog(
            conn, home, encoder.dimension, model_info, chunking, IndexChoice(retrain=True),
            encoder.encode_queries,
        )  # fmt: skip
        conn.close()
    return manifest


def upgrade_embeddings(
    conn: sqlite3.Connection, encoder: Encoder, model_info: dict[str, str], progress: bool
) -> None:
    """Re-embed the chunks whose embedding input changed since an older Wegwijs made them.

    Ingest calls this when the catalog's ``embedding_input`` is not the current one: a chunk
    whose input is the same (no title or heading to add) keeps its vector.
    """
    if get_meta(conn, "embedding_input") != EMBEDDING_INPUT:
        _reembed(conn, encoder, model_info, progress, keep_unchanged=True)


def _reembed(
    conn: sqlite3.Connection,
    encoder: Encoder,
    model_info: dict[str, str],
    progress: bool,
    keep_unchanged: bool,
) -> None:
    """Embed every current chunk's input; with the same model, only inputs that changed.

    Retired chunks keep their vectors: no new generation holds them, and they are purged soon.
    """
    rows = []
    for row in conn.execute(
        "SELECT c.chunk_rowid, d.title, d.rel_path, c.section, c.text, c.text_sha256 "
        "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.retired_seq IS NULL "
        "ORDER BY c.chunk_rowid"
    ):
        text = embedding_text(context_title(row[1], row[2]), row[3], row[4])
        if not keep_unchanged or input_sha256(text) != row[5]:
            rows.append((row[0], text))
    logger.info("Re-embedding %d chunks with %s", len(rows), model_info["profile"])
    bar = tqdm(total=len(rows), unit="chunk", disable=not progress, delay=1.0)
    updates: list[tuple[bytes, str, int]] = []
    for start in range(0, len(rows), BATCH):
        part = rows[start : start + BATCH]
        inputs = [row[1] for row in part]
        vectors = encoder.encode_passages(inputs)
        updates += [
            (vectors[i].astype(np.float32).tobytes(), input_sha256(text), part[i][0])
            for i, text in enumerate(inputs)
        ]
        bar.update(len(part))
    bar.close()
    with transaction(conn):
        conn.executemany(
            "UPDATE chunks SET embedding = ?, text_sha256 = ? WHERE chunk_rowid = ?", updates
        )
        set_meta(conn, "model_profile", model_info["profile"])
        set_meta(conn, "weights_sha256", model_info["weights_sha256"])
        set_meta(conn, "embedding_input", EMBEDDING_INPUT)
