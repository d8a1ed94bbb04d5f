"""Read the stored embeddings of chunks from the catalog (no model call needed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def chunk_vectors(
    conn: sqlite3.Connection, chunk_rowids: Sequence[int]
) -> dict[int, npt.NDArray[np.float32]]:
    """Normalised embedding of each chunk row id that is still in the catalog (retired or not:
    the ids come from hits of the served generation)."""
    if not chunk_rowids:
        return {}
    marks = ",".join("?" * len(chunk_rowids))
    rows = conn.execute(
        f"SELECT chunk_rowid, embedding FROM chunks WHERE chunk_rowid IN ({marks})",
        list(chunk_rowids),
    )
    return {int(row[0]): np.frombuffer(row[1], dtype=np.float32) for row in rows}
