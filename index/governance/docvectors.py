"""Document-level views of the chunk embeddings stored in the catalog."""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


def chunk_vectors(conn: sqlite3.Connection) -> dict[str, Matrix]:
    """Each document's current chunk embeddings (retired ones left out), one row per chunk."""
    blobs: dict[str, list[bytes]] = defaultdict(list)
    sql = "SELECT doc_id, embedding FROM chunks WHERE retired_seq IS NULL ORDER BY doc_id, ordinal"
    for row in conn.execute(sql):
        blobs[row[0]].append(row[1])
    return {doc_id: _rows(chunks) for doc_id, chunks in blobs.items()}


def _rows(blobs: list[bytes]) -> Matrix:
    """Stored embeddings (float32 bytes, one per chunk) as one matrix, read-only.

    Joining the bytes and viewing them once gives the same values as stacking one view per
    chunk, with one array per document instead of one per chunk.
    """
    rows: Matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
    return rows


def mean_vectors(chunks: dict[str, Matrix]) -> tuple[list[str], Matrix]:
    """Document ids (sorted) and the L2-normalised mean of each one's chunk embeddings."""
    doc_ids = sorted(chunks)
    if not doc_ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    means = np.stack([chunks[doc_id].mean(axis=0) for doc_id in doc_ids]).astype(np.float32)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return doc_ids, (means / np.where(norms == 0, 1, norms)).astype(np.float32)


def alignment(left: Matrix, right: Matrix) -> float:
    """How much two documents say the same: each chunk's best match, averaged both ways."""
    similarity = left @ right.T
    return float((similarity.max(axis=1).mean() + similarity.max(axis=0).mean()) / 2)
