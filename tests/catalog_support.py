"""Catalog rows written directly, for tests of the vector side that need no parsing or model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.catalog import catalog_path, connect, transaction


def blobs(rows: npt.NDArray[np.float32]) -> list[bytes]:
    """Each row as the catalog stores an embedding."""
    return [row.tobytes() for row in rows]


def add_document(
    home: Path, name: str, blobs: Sequence[bytes], retired: Sequence[int | None] | None = None
) -> None:
    """Insert the document ``r/<name>`` with one chunk per embedding in ``blobs``.

    ``retired`` gives each chunk's ``retired_seq`` (None: current); all current by default.
    """
    seqs = retired if retired is not None else [None] * len(blobs)
    conn = connect(catalog_path(home))
    try:
        with transaction(conn):
            conn.execute(
                "INSERT INTO documents (doc_id, root_label, root_path, rel_path, file_type, "
                "title, modified_at, size, mtime_ns, sha256, fs_uid, fs_gid, fs_mode, fs_user, "
                "fs_group, public, seq, indexed_at) VALUES (?, 'r', '/r', ?, 'txt', 'a', "
                "'2026-01-01', 1, 1, 'x', 0, 0, 420, 'u', 'g', 1, 1, '2026-01-01')",
                [f"r/{name}", name],
            )
            conn.executemany(
                "INSERT INTO chunks (doc_id, ordinal, text, text_sha256, embedding, retired_seq) "
                "VALUES (?, ?, 't', 'h', ?, ?)",
                [
                    (f"r/{name}", n, blob, seq)
                    for n, (blob, seq) in enumerate(zip(blobs, seqs, strict=True))
                ],
            )
    finally:
        conn.close()
