"""An IVF+SQ8 generation grows from the live one only where a rebuild would give the same lists."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
import pytest

from index import stamp, vectors
from index.catalog import catalog_path, connect, set_meta, transaction
from index.models import Manifest
from index.publish import IndexChoice, publish_from_catalog
from index.quantizer import TrainedRecord, load_trained
from ingest.chunk import ChunkingConfig
from tests.catalog_support import add_document, blobs
from tests.index.test_quantizer import CHOICE, DIMENSION, MODEL, _recall_at_10, _vectors

Lists = dict[int, set[tuple[int, bytes]]]


def _publish(home: Path, choice: IndexChoice = CHOICE, recorded: bool = True) -> Manifest:
    """Publish as an ingest does: the published stamp recorded after (unless not ``recorded``)."""
    conn = connect(catalog_path(home))
    try:
        manifest = publish_from_catalog(conn, home, DIMENSION, MODEL, ChunkingConfig(), choice)
        if recorded:
            with transaction(conn):
                stamp.record_published(conn, manifest.generation, MODEL, ChunkingConfig())
        return manifest
    finally:
        conn.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """1,000 chunks in two documents, one IVF+SQ8 generation published from them."""
    add_document(tmp_path, "a.txt", blobs(_vectors(800, seed=1)))
    add_document(tmp_path, "c.txt", blobs(_vectors(200, seed=3)))
    manifest = _publish(tmp_path)
    assert (manifest.index_kind, manifest.grown_from) == ("ivf_sq8", 0)
    return tmp_path


def _change(home: Path) -> None:
    """A new document, a deleted one and a retired chunk."""
    add_document(home, "b.txt", blobs(_vectors(300, seed=2)))
    with _catalog(home) as conn:
        conn.execute("DELETE FROM documents WHERE doc_id = 'r/c.txt'")
        conn.execute("UPDATE chunks SET retired_seq = 1 WHERE doc_id = 'r/a.txt' AND ordinal < 5")


class _catalog:
    """A writable catalog connection inside one transaction."""

    def __init__(self, home: Path) -> None:
        self.conn = connect(catalog_path(home))

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("COMMIT" if exc[0] is None else "ROLLBACK")
        self.conn.close()


def _lists(index: faiss.Index) -> Lists:
    """Each IVF list's (chunk id, code) pairs."""
    assert isinstance(index, faiss.IndexIVFScalarQuantizer)
    invlists = index.invlists
    assert invlists is not None
    found: Lists = {}
    for number in range(index.nlist):
        size = invlists.list_size(number)
        ids = faiss.rev_swig_ptr(invlists.get_ids(number), size).tolist() if size else []
        codes = faiss.rev_swig_ptr(invlists.get_codes(number), size * index.code_size)
        rows = np.asarray(codes).reshape(size, index.code_size) if size else []
        found[number] = {(chunk, bytes(row)) for chunk, row in zip(ids, rows, strict=True)}
    return found


def _rebuilt_lists(home: Path) -> Lists:
    """The lists a rebuild on the kept training gives for the current chunks."""
    wanted_count = _current_count(home)
    record = vectors.read_manifest(home)
    wanted = TrainedRecord(MODEL["weights_sha256"], DIMENSION, 16, wanted_count, "")
    kept = load_trained(vectors.index_dir(home), wanted, CHOICE.ann.retrain_factor)
    assert kept is not None and kept[1].trained_count == record.trained_count
    index = kept[0]
    conn = connect(catalog_path(home), readonly=True)
    try:
        ids, stored = vectors.read_vectors(conn, DIMENSION)
    finally:
        conn.close()
    index.add_with_ids(stored, ids)
    return _lists(index)


def _current_count(home: Path) -> int:
    conn = connect(catalog_path(home), readonly=True)
    try:
        row = conn.execute("SELECT count(*) FROM chunks WHERE retired_seq IS NULL").fetchone()
        return int(row[0])
    finally:
        conn.close()


def test_a_publish_grows_the_live_generation_into_what_a_rebuild_gives(home: Path) -> None:
    live = vectors.current_generation(home)
    _change(home)
    manifest = _publish(home)

    assert manifest.grown_from == live and manifest.reused_training
    assert manifest.vector_count == _current_count(home) == 800 - 5 + 300
    published = vectors.generation_dir(home, manifest) / vectors.VECTORS_FILE
    assert _lists(faiss.read_index(str(published))) == _rebuilt_lists(home)
    assert _recall_at_10(home) >= 0.95
    add_document(home, "d.txt", blobs(_vectors(50, seed=4)))
    assert _publish(home).grown_from == manifest.generation  # and again from the grown one


def _flip_live(home: Path) -> None:
    path = vectors.generation_dir(home, vectors.read_manifest(home)) / vectors.VECTORS_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_input(home: Path) -> None:
    with _catalog(home) as conn:
        set_meta(conn, "embedding_input", "another")


def _unrecorded(home: Path) -> None:
    add_document(home, "e.txt", blobs(_vectors(10, seed=5)))
    _publish(home, recorded=False)  # a publish no ingest recorded: its stamp names the one before


@pytest.mark.parametrize(
    ("before", "choice"),
    [
        (_flip_live, CHOICE),
        (_other_input, CHOICE),
        (_unrecorded, CHOICE),
        (lambda home: None, IndexChoice(exact_limit=100, ann=CHOICE.ann, retrain=True)),
        (lambda home: add_document(home, "f.txt", blobs(_vectors(1_500, seed=6))), CHOICE),
    ],
    ids=["damaged-live", "other-embedding-input", "unrecorded-live", "reindex", "past-factor"],
)
def test_a_generation_that_may_not_grow_is_rebuilt(
    home: Path, before: Callable[[Path], None], choice: IndexChoice
) -> None:
    before(home)
    _change(home)
    manifest = _publish(home, choice)
    assert manifest.grown_from == 0 and manifest.vector_count == _current_count(home)
    assert _recall_at_10(home) >= 0.95
