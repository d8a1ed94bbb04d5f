"""Cosine distances: bit for bit SciPy's ``pdist``, whatever the dimension."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import pdist  # type: ignore[import-untyped]

from index.governance import distances
from index.governance.distances import cosine_distances, tiled_cosine_distances


@pytest.mark.parametrize("dimensions", [1, 2, 3, 7, 8, 384])
@pytest.mark.parametrize("count", [2, 3, 33, 300])
def test_distances_are_pdist_to_the_last_bit(count: int, dimensions: int) -> None:
    rng = np.random.default_rng(count * 1000 + dimensions)
    vectors = rng.standard_normal((count, dimensions)).astype(np.float32)
    vectors[count // 2] = vectors[0]  # an exact copy: distance 0, cosine clipped at 1
    assert np.array_equal(tiled_cosine_distances(vectors), pdist(vectors, "cosine"))


def test_float64_input_and_opposite_vectors() -> None:
    vectors = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0], [3.0, 2.0, 1.0]])
    assert np.array_equal(tiled_cosine_distances(vectors), pdist(vectors, "cosine"))


def test_tiles_from_a_size_on_and_pdist_below_it() -> None:
    vectors = np.random.default_rng(0).standard_normal((distances.TILED_FROM, 5))
    assert np.array_equal(cosine_distances(vectors), pdist(vectors, "cosine"))
    assert np.array_equal(cosine_distances(vectors[:-1]), pdist(vectors[:-1], "cosine"))
