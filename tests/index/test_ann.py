"""Approximate indexes: recall against exact search, ids kept, filters per query."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from index.ann import AllowedIds, AnnConfig, build_ann, default_nlist, search_parameters
from index.vectors import build_flat


def _vectors(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((count, 384), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize(
    "config",
    [AnnConfig(kind="hnsw", ef_search=128), AnnConfig(kind="ivf_sq8", nlist=16, nprobe=16)],
)
def test_full_effort_finds_the_exact_neighbours_by_row_id(config: AnnConfig) -> None:
    vectors = _vectors(2_000)
    ids = np.arange(1_000, 3_000, dtype=np.int64)
    exact = build_flat(ids, vectors, 384)
    index = build_ann(ids, vectors, config)
    queries = vectors[:20]
    _, truth = exact.search(queries, 10)
    _, found = index.search(queries, 10, params=search_parameters(index, config))
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.9  # every list is scanned; SQ8 rounding alone may swap near-ties
    assert found[:, 0].tolist() == ids[:20].tolist()


@pytest.mark.parametrize("kind", ["hnsw", "ivf_sq8"])
def test_allowed_ids_filter_each_query(kind: str) -> None:
    config = AnnConfig(kind=kind, nlist=8, nprobe=8)  # type: ignore[arg-type]
    vectors = _vectors(1_000, seed=1)
    ids = np.arange(1_000, dtype=np.int64)
    index = build_ann(ids, vectors, config)
    allowed = AllowedIds.of(np.array([3, 500, 999], dtype=np.int64))
    params = search_parameters(index, config, allowed)
    _, found = index.search(vectors[500:501], 3, params=params)
    assert found[0, 0] == 500
    assert set(found[0].tolist()) <= {3, 500, 999, -1}


@pytest.mark.parametrize("ids", [[], [0], [3, 500, 999], list(range(7, 4_000, 3))])
def test_allowed_ids_select_exactly_their_ids(ids: list[int]) -> None:
    allowed = AllowedIds.of(np.array(ids, dtype=np.int64))
    members = [i for i in range(-2, 5_000) if allowed.selector.is_member(i)]
    assert members == ids
    assert len(allowed) == len(ids)


def test_one_allowed_ids_serves_many_queries_of_an_exact_index() -> None:
    vectors = _vectors(500, seed=2)
    index = build_flat(np.arange(1, 501, dtype=np.int64), vectors, 384)
    allowed = AllowedIds.of(np.arange(2, 501, 2, dtype=np.int64))
    for row in range(0, 500, 50):
        params = search_parameters(index, AnnConfig(), allowed)
        _, found = index.search(vectors[row : row + 1], 5, params=params)
        assert all(i % 2 == 0 for i in found[0].tolist())
        assert (row + 1) % 2 == 1 or found[0, 0] == row + 1


def test_unknown_kind_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="choose one of hnsw, ivf_sq8"):
        build_ann(np.arange(1, dtype=np.int64), _vectors(1), AnnConfig(kind="lsh"))  # type: ignore[arg-type]


def test_ivf_refuses_fewer_vectors_than_lists() -> None:
    with pytest.raises(ValueError, match="at least nlist=64"):
        build_ann(np.arange(10, dtype=np.int64), _vectors(10), AnnConfig(nlist=64))


def test_default_nlist_is_a_power_of_two_near_four_root_n() -> None:
    assert default_nlist(1_000_000) == 2048
    assert default_nlist(100_000) == 1024


def test_a_large_exact_index_keeps_half_precision_and_the_same_neighbours() -> None:
    """Past the limit the flat scan reads 16-bit floats: half the bytes, the same top 10."""
    vectors = _vectors(3_000, seed=2)
    ids = np.arange(7, 3_007, dtype=np.int64)
    full = build_flat(ids, vectors, 384, half_precision_from=10_000)
    half = build_flat(ids, vectors, 384, half_precision_from=1_000)
    assert isinstance(faiss.downcast_index(full.index), faiss.IndexFlatIP)
    assert isinstance(faiss.downcast_index(half.index), faiss.IndexScalarQuantizer)
    queries = (vectors[::100] + 0.3 * _vectors(30, seed=3)).astype(np.float32)
    truth_scores, truth = full.search(queries, 10)
    scores, found = half.search(queries, 10)
    # Rounding to 16 bits may swap near-ties inside the top 10, never much more.
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.99 and found[:, 0].tolist() == truth[:, 0].tolist()
    assert np.abs(scores - truth_scores).max() < 1e-3
    allowed = AllowedIds.of(ids[1::2])
    _, filtered = half.search(queries, 10, params=search_parameters(half, AnnConfig(), allowed))
    assert set(filtered.ravel()) <= set(ids[1::2].tolist())
