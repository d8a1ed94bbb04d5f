"""Document views of the stored chunk embeddings: current chunks only, in ordinal order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.catalog import catalog_path, connect
from index.governance.docvectors import chunk_vectors
from tests.catalog_support import add_document, blobs


def test_each_document_gets_its_current_chunks_in_order(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    first = rng.standard_normal((4, 6)).astype(np.float32)
    second = rng.standard_normal((1, 6)).astype(np.float32)
    add_document(tmp_path, "b.txt", blobs(first), retired=[None, 3, None, None])
    add_document(tmp_path, "a.txt", blobs(second))
    add_document(tmp_path, "gone.txt", blobs(second), retired=[2])
    conn = connect(catalog_path(tmp_path))
    try:
        found = chunk_vectors(conn)
    finally:
        conn.close()
    assert list(found) == ["r/a.txt", "r/b.txt"]
    assert np.array_equal(found["r/a.txt"], second)
    assert np.array_equal(found["r/b.txt"], first[[0, 2, 3]])
    assert found["r/b.txt"].dtype == np.float32
