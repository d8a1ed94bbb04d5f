"""Tie the catalog to its model, and publish the catalog's vectors as a new generation."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from index.catalog import get_meta, set_meta, transaction
from index.errors import IndexMismatchError
from index.models import Manifest
from index.vectors import build_flat, publish, read_vectors
from ingest.chunk import ChunkingConfig

_VERSIONED = ("faiss-cpu", "sentence-transformers", "torch", "unstructured")


def check_model(conn: sqlite3.Connection, home: Path, model_info: dict[str, str]) -> None:
    """Bind an empty catalog to a model; refuse a catalog built with another one.

    Raises:
        IndexMismatchError: the stored embeddings come from a different model.
    """
    stored = get_meta(conn, "model_profile")
    stored_sha = get_meta(conn, "weights_sha256")
    if stored is None:
        with transaction(conn):
            set_meta(conn, "model_profile", model_info["profile"])
            set_meta(conn, "weights_sha256", model_info["weights_sha256"])
        return
    if (stored, stored_sha) != (model_info["profile"], model_info["weights_sha256"]):
        raise IndexMismatchError(
            f"{home} was built with model '{stored}' but '{model_info['profile']}' was asked for. "
            f"Use --model {stored}, or re-embed the catalog: "
            f"'wegwijs --home {home} --model {model_info['profile']} reindex'."
        )


def publish_from_catalog(
    conn: sqlite3.Connection,
    home: Path,
    dimension: int,
    model_info: dict[str, str],
    chunking: ChunkingConfig,
) -> Manifest:
    """Build an exact index from every embedding in the catalog and publish it."""
    with transaction(conn):
        seq = int(get_meta(conn, "seq") or 0)
        ids, vectors = read_vectors(conn, dimension)
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    index = build_flat(ids, vectors, dimension)
    manifest = Manifest(
        generation=0,
        model_profile=model_info["profile"],
        model_name=model_info["name"],
        dimension=dimension,
        weights_sha256=model_info["weights_sha256"],
        normalized=True,
        chunking=asdict(chunking),
        vector_count=int(index.ntotal),
        document_count=int(documents),
        catalog_seq=seq,
        vectors_sha256="",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions={name: version(name) for name in _VERSIONED},
    )
    return publish(home, index, manifest)
