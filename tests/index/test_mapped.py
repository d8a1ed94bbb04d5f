"""A loaded generation maps its vectors from the file and answers as the index it was built."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
import pytest

from index import vectors
from index.ann import AnnConfig, build_ann, index_kind, recorded_config, search_parameters
from index.models import Manifest


def _vectors(count: int) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(7)
    found = rng.standard_normal((count, 384), dtype=np.float32)
    normalised: npt.NDArray[np.float32] = found / np.linalg.norm(found, axis=1, keepdims=True)
    return normalised


def _built(kind: str, ids: npt.NDArray[np.int64], found: npt.NDArray[np.float32]) -> faiss.Index:
    if kind == "exact":
        return vectors.build_flat(ids, found, 384)
    if kind == "exact_fp16":
        return vectors.build_flat(ids, found, 384, half_precision_from=0)
    return build_ann(ids, found, AnnConfig(kind=kind, nlist=16, nprobe=4))  # type: ignore[arg-type]


def _manifest(index: faiss.Index) -> Manifest:
    return Manifest(
        generation=0, model_profile="test", model_name="test", dimension=384,
        weights_sha256="", normalized=True, chunking={}, vector_count=int(index.ntotal),
        document_count=1, catalog_seq=1, vectors_sha256="", created_at="", versions={},
        index_kind=index_kind(index), search_effort=4 if index_kind(index) != "exact" else 0,
    )  # fmt: skip


def _mapped_files() -> set[str]:
    maps = Path("/proc/self/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in maps if len(line.split(maxsplit=5)) == 6}


@pytest.mark.parametrize("kind", ["exact", "exact_fp16", "hnsw", "ivf_sq8"])
def test_a_loaded_generation_maps_its_file_and_finds_what_the_built_index_finds(
    tmp_path: Path, kind: str
) -> None:
    found = _vectors(3_000)
    ids = np.arange(5, 6_005, 2, dtype=np.int64)
    built = _built(kind, ids, found)
    manifest, loaded = vectors.load(
        tmp_path, vectors.publish(tmp_path, built, _manifest(built)).generation
    )
    path = vectors.index_dir(tmp_path) / f"gen-{manifest.generation:06d}" / vectors.VECTORS_FILE
    assert str(path) in _mapped_files()
    params = search_parameters(loaded, recorded_config(manifest.index_kind, manifest.search_effort))
    expected = built.search(found[:50], 150, params=params)
    answered = loaded.search(found[:50], 150, params=params)
    assert np.array_equal(answered[1], expected[1])
    assert np.array_equal(answered[0], expected[0])
    del loaded
    assert str(path) not in _mapped_files()
