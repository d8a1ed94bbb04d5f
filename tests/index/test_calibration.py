"""An IVF generation's nprobe is the smallest step whose measured recall@10 reaches the target."""

from __future__ import annotations

from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import pytest

from index.ann import AnnConfig, build_ann, search_parameters
from index.calibration import TOP_K, calibrate_nprobe, ladder, probe_spans


def _unit(rows: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
    normed = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return np.ascontiguousarray(normed, dtype=np.float32)


@pytest.fixture(scope="module")
def clustered() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """20,000 vectors around 200 centres (row ids from 1,000), and 200 queries near them."""
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((200, 48)).astype(np.float32)
    vectors = _unit(centres[rng.integers(0, 200, 20_000)] + 0.6 * rng.standard_normal((20_000, 48)))
    queries = _unit(vectors[:200] + 0.5 * rng.standard_normal((200, 48)))
    return np.arange(1_000, 21_000, dtype=np.int64), vectors, queries


def _recall_at(
    index: faiss.Index,
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    queries: npt.NDArray[np.float32],
    nprobe: int,
) -> float:
    truth = ids[np.argsort(-(queries @ vectors.T), axis=1)[:, :TOP_K]]
    _, found = index.search(
        queries, TOP_K, params=search_parameters(index, AnnConfig(nprobe=nprobe))
    )
    return float(np.mean([len(set(f) & set(t)) / TOP_K for f, t in zip(found, truth, strict=True)]))


def test_the_chosen_nprobe_is_the_smallest_step_that_reaches_the_target(
    clustered: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.float32]],
) -> None:
    ids, vectors, queries = clustered
    index = build_ann(ids, vectors, AnnConfig(nlist=256))
    found = calibrate_nprobe(index, ids, vectors, queries, target=0.95)
    steps = ladder(256)
    assert found.effort in steps and found.effort > steps[0]
    assert found.probes == len(queries)
    assert found.recall == pytest.approx(_recall_at(index, ids, vectors, queries, found.effort))
    assert found.recall >= 0.95
    smaller = steps[steps.index(found.effort) - 1]
    assert _recall_at(index, ids, vectors, queries, smaller) < 0.95


def test_a_target_no_step_reaches_scans_every_list(
    clustered: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.float32]],
) -> None:
    ids, vectors, queries = clustered
    index = build_ann(ids, vectors, AnnConfig(nlist=64))
    found = calibrate_nprobe(index, ids, vectors, queries, target=1.01)
    assert found.effort == 64
    assert found.recall == pytest.approx(_recall_at(index, ids, vectors, queries, 64))


def test_the_ladder_climbs_by_halves_and_ends_at_every_list() -> None:
    assert ladder(512) == [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
    assert ladder(100) == [8, 12, 16, 24, 32, 48, 64, 96, 100]
    assert ladder(4) == [4]


def test_probe_spans_are_consecutive_words_of_their_text() -> None:
    texts = [" ".join(f"w{i}" for i in range(40)), "kort stuk", "", "   "]
    spans = probe_spans(texts, np.random.default_rng(3), words=8)
    assert len(spans) == 2
    words = spans[0].split()
    first = int(words[0][1:])
    assert words == [f"w{i}" for i in range(first, first + 8)]
    assert spans[1] == "kort stuk"
