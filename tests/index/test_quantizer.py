"""IVF+SQ8 generations reuse the training kept from an earlier publish while the size is near it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from index import vectors
from index.ann import AnnConfig, search_parameters
from index.catalog import catalog_path, connect
from index.errors import StorageError
from index.models import Manifest
from index.publish import IndexChoice, publish_from_catalog
from index.quantizer import RECORD_FILE, TRAINED_FILE
from ingest.chunk import ChunkingConfig
from tests.catalog_support import add_document, blobs

DIMENSION = 32
MODEL = {"profile": "test", "name": "test", "weights_sha256": "w" * 64}
CHOICE = IndexChoice(exact_limit=100, ann=AnnConfig(nlist=16, nprobe=8))


def _vectors(count: int, seed: int) -> npt.NDArray[np.float32]:
    """Unit vectors around 40 fixed centres (the same centres for every seed)."""
    centres = np.random.default_rng(99).standard_normal((40, DIMENSION))
    rng = np.random.default_rng(seed)
    drawn = centres[rng.integers(0, 40, count)] + 0.5 * rng.standard_normal((count, DIMENSION))
    return (drawn / np.linalg.norm(drawn, axis=1, keepdims=True)).astype(np.float32)


def _publish(home: Path, choice: IndexChoice = CHOICE, model: dict[str, str] = MODEL) -> Manifest:
    conn = connect(catalog_path(home))
    try:
        return publish_from_catalog(conn, home, DIMENSION, model, ChunkingConfig(), choice)
    finally:
        conn.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A catalog of 1,000 chunks with one IVF+SQ8 generation published (and trained)."""
    add_document(tmp_path, "a.txt", blobs(_vectors(1_000, seed=1)))
    manifest = _publish(tmp_path)
    assert (manifest.index_kind, manifest.reused_training) == ("ivf_sq8", False)
    assert manifest.trained_count == 1_000
    return tmp_path


def _recall_at_10(home: Path) -> float:
    manifest, index = vectors.load(home)
    conn = connect(catalog_path(home), readonly=True)
    try:
        ids, stored = vectors.read_vectors(conn, DIMENSION)
    finally:
        conn.close()
    queries = _vectors(50, seed=7)
    truth = ids[np.argsort(-(queries @ stored.T), axis=1)[:, :10]]
    config = AnnConfig(nprobe=manifest.search_effort)
    _, found = index.search(queries, 10, params=search_parameters(index, config))
    return float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)]))


def test_the_next_publish_reuses_the_training_and_finds_what_exact_search_finds(
    home: Path,
) -> None:
    add_document(home, "b.txt", blobs(_vectors(600, seed=2)))
    manifest = _publish(home)
    assert (manifest.reused_training, manifest.trained_count) == (True, 1_000)
    assert (manifest.index_kind, manifest.vector_count) == ("ivf_sq8", 1_600)
    assert _recall_at_10(home) >= 0.95


def test_a_size_past_the_factor_trains_again(home: Path) -> None:
    add_document(home, "b.txt", blobs(_vectors(1_200, seed=2)))
    manifest = _publish(home)
    assert (manifest.reused_training, manifest.trained_count) == (False, 2_200)
    add_document(home, "c.txt", blobs(_vectors(100, seed=3)))
    assert _publish(home).trained_count == 2_200  # the new training is kept in turn
    assert _recall_at_10(home) >= 0.95


@pytest.mark.parametrize(
    "change",
    [
        IndexChoice(exact_limit=100, ann=AnnConfig(nlist=16, nprobe=8), retrain=True),
        IndexChoice(exact_limit=100, ann=AnnConfig(nlist=32, nprobe=8)),
    ],
    ids=["reindex", "other-nlist"],
)
def test_reindex_or_other_lists_train_again(home: Path, change: IndexChoice) -> None:
    assert not _publish(home, change).reused_training


def test_another_model_trains_again(home: Path) -> None:
    assert not _publish(home, model={**MODEL, "weights_sha256": "v" * 64}).reused_training


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / TRAINED_FILE).unlink(),
        lambda folder: (folder / RECORD_FILE).unlink(),
        lambda folder: _flip_byte(folder / TRAINED_FILE),
        lambda folder: (folder / TRAINED_FILE).write_bytes(b""),
        lambda folder: (folder / RECORD_FILE).write_text("{"),
        lambda folder: (folder / RECORD_FILE).write_text(json.dumps({"nlist": 16})),
    ],
    ids=["no-index", "no-record", "bit-flip", "empty", "torn-record", "partial-record"],
)
def test_a_missing_or_damaged_training_trains_again(home: Path, damage: object) -> None:
    folder = vectors.index_dir(home)
    damage(folder)  # type: ignore[operator]
    manifest = _publish(home)
    assert (manifest.reused_training, manifest.trained_count) == (False, 1_000)
    assert _recall_at_10(home) >= 0.95
    assert _publish(home).reused_training  # and kept again, intact


def test_a_failed_write_of_the_training_publishes_nothing(home: Path) -> None:
    live = vectors.current_generation(home)
    folder = vectors.index_dir(home)
    for name in (TRAINED_FILE, RECORD_FILE):
        (folder / name).unlink()
    (folder / TRAINED_FILE).mkdir()
    (folder / TRAINED_FILE / "blocker").touch()  # replacing a non-empty folder fails
    with pytest.raises(StorageError, match="Could not keep the IVF\\+SQ8 training"):
        _publish(home)
    assert vectors.current_generation(home) == live
    shutil.rmtree(folder / TRAINED_FILE)
    assert _publish(home).generation > live
