"""Approximate nearest-neighbour indexes (HNSW, IVF+SQ8) and their per-query search parameters.

Exact search (``IndexIDMap2(IndexFlatIP)``) costs O(n) per query; past ``EXACT_LIMIT`` chunks a
generation can be built with one of ``BUILDERS`` instead. Both keep the catalog row ids as FAISS
ids. Neither is mutated once built: deleted or forbidden chunks are left out per query with an
ID selector inside the ``SearchParameters`` from ``search_parameters`` (HNSW has no
``remove_ids``), and the generation is rebuilt from the catalog at the next publish.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import faiss
import numpy as np
import numpy.typing as npt

AnnKind = Literal["hnsw", "ivf_sq8"]
EXACT_LIMIT = 100_000


@dataclass(frozen=True)
class AnnConfig:
    """How an approximate index is built and how hard each query searches it.

    Attributes:
        kind: ``hnsw`` (graph, vectors kept in float32) or ``ivf_sq8`` (inverted lists,
            8-bit scalar-quantised vectors: about a quarter of the memory).
        hnsw_m: HNSW links per node.
        ef_construction: HNSW candidate list while building (higher: better graph, slower).
        ef_search: HNSW candidate list per query (higher: better recall, slower).
        nlist: IVF lists; 0 picks ``4·√n`` rounded down to a power of two.
        nprobe: IVF lists scanned per query.
        train_per_list: IVF training vectors per list (k-means sample size).
        seed: Seed of the IVF training sample.
    """

    kind: AnnKind = "ivf_sq8"
    hnsw_m: int = 32
    ef_construction: int = 200
    ef_search: int = 64
    nlist: int = 0
    nprobe: int = 64
    train_per_list: int = 40
    seed: int = 0


def default_nlist(count: int) -> int:
    """IVF list count for ``count`` vectors: ``4·√count`` rounded down to a power of two."""
    target = max(1, int(4 * math.sqrt(max(count, 1))))
    return 1 << int(math.log2(target))


def build_hnsw(
    ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32], config: AnnConfig
) -> faiss.Index:
    """HNSW graph over normalised vectors (inner product), addressed by chunk row id."""
    graph = faiss.IndexHNSWFlat(vectors.shape[1], config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = config.ef_construction
    index = faiss.IndexIDMap2(graph)
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


def build_ivf_sq8(
    ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32], config: AnnConfig
) -> faiss.Index:
    """IVF with 8-bit scalar quantisation (inner product), addressed by chunk row id.

    Raises:
        ValueError: fewer vectors than IVF lists (use exact search for small sets).
    """
    count, dimension = vectors.shape
    nlist = config.nlist or default_nlist(count)
    if count < nlist:
        raise ValueError(
            f"IVF needs at least nlist={nlist} vectors to train, got {count}: "
            f"use exact search below {EXACT_LIMIT:,} chunks."
        )
    index = faiss.index_factory(dimension, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    sample = min(count, nlist * config.train_per_list)
    rng = np.random.default_rng(config.seed)
    picked = np.sort(rng.choice(count, size=sample, replace=False))
    index.train(np.ascontiguousarray(vectors[picked]))
    index.add_with_ids(vectors, ids)
    return index


BUILDERS: dict[
    AnnKind,
    Callable[[npt.NDArray[np.int64], npt.NDArray[np.float32], AnnConfig], faiss.Index],
] = {"hnsw": build_hnsw, "ivf_sq8": build_ivf_sq8}


def build_ann(
    ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32], config: AnnConfig
) -> faiss.Index:
    """Build the approximate index of ``config.kind``.

    Raises:
        ValueError: an unknown kind, or too few vectors for IVF.
    """
    builder = BUILDERS.get(config.kind)
    if builder is None:
        choices = ", ".join(sorted(BUILDERS))
        raise ValueError(f"Unknown ANN kind '{config.kind}': choose one of {choices}.")
    return builder(ids, vectors, config)


def _inner(index: faiss.Index) -> faiss.Index:
    if isinstance(index, faiss.IndexIDMap):
        return faiss.downcast_index(index.index)
    return faiss.downcast_index(index)


def search_parameters(
    index: faiss.Index,
    config: AnnConfig,
    allowed: npt.NDArray[np.int64] | None = None,
) -> faiss.SearchParameters:
    """Fresh per-query parameters for ``index``: its search effort plus an optional id filter.

    Pass a new object to every ``index.search`` call (never set ``efSearch``/``nprobe`` on a
    shared index): a served index is searched from many threads at once, and an ``IndexIDMap``
    swaps the selector inside the parameters while it searches. The parameters keep their
    selector alive. With IVF the selector only filters inside the probed lists: a filter that
    leaves few chunks returns fewer than ``top_k`` hits unless ``nprobe`` is raised.
    """
    inner = _inner(index)
    params: Any  # faiss's stubs lack SearchParametersHNSW and the Python-side attribute below
    if isinstance(inner, faiss.IndexHNSW):
        params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        params.efSearch = config.ef_search
    elif isinstance(inner, faiss.IndexIVF):
        params = faiss.SearchParametersIVF()
        params.nprobe = config.nprobe
    else:
        params = faiss.SearchParameters()
    if allowed is not None:
        selector = faiss.IDSelectorBatch(allowed)
        params.sel = selector
        params.referenced_objects = [selector]  # keeps the selector alive with the parameters
    chosen: faiss.SearchParameters = params
    return chosen
