"""Approximate nearest-neighbour indexes (HNSW, IVF+SQ8) and their per-query search parameters.

Exact search (``IndexIDMap2(IndexFlatIP)``) costs O(n) per query; past ``EXACT_LIMIT`` chunks a
generation is built with one of ``BUILDERS`` instead (``index.publish`` chooses, and the
manifest records the kind and the search effort). Both keep the catalog row ids as FAISS ids.
Neither is mutated once built: deleted or forbidden chunks are left out per query with an ID
selector inside the ``SearchParameters`` from ``search_parameters`` (HNSW has no
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
IndexKind = Literal["exact", "hnsw", "ivf_sq8"]
EXACT_LIMIT = 100_000
MAX_EF_SEARCH = 4_096


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
        nprobe: IVF lists scanned per query; 0 lets a publish measure it on the home's own
            text (``index.calibration``), or, where it cannot, picks ``nlist / 16`` (at least
            16), which held recall@10 ≥ 0.95 on the benchmark's 1M random vectors but not on
            real embeddings.
        train_per_list: IVF training vectors per list (k-means sample size).
        seed: Seed of the IVF training sample.
        retrain_factor: A publish reuses the IVF+SQ8 training of an earlier one while the
            chunk count is within this factor of the count it was trained at (either way);
            past it, it trains again (see ``index.quantizer``).
    """

    kind: AnnKind = "ivf_sq8"
    hnsw_m: int = 32
    ef_construction: int = 200
    ef_search: int = 128
    nlist: int = 0
    nprobe: int = 0
    train_per_list: int = 40
    seed: int = 0
    retrain_factor: float = 2.0


@dataclass(frozen=True, eq=False)
class AllowedIds:
    """Chunk row ids a query may return, with the FAISS selector over them, built once.

    The selector is a bitmap with one bit per row id up to the largest (125 KB for a million
    chunks): cheap to test per vector and, unlike ``IDSelectorBatch``'s hash set, cheap to
    keep. An ``IDSelectorBatch`` built per query cost 4.6 ms at 100,000 ids, where the exact
    search itself took 6.5 ms.
    Selectors are only read while searching, so one serves concurrent queries.
    """

    ids: npt.NDArray[np.int64]
    bitmap: npt.NDArray[np.uint8]
    selector: faiss.IDSelectorBitmap

    @classmethod
    def of(cls, ids: npt.NDArray[np.int64]) -> AllowedIds:
        """The selector over ``ids`` (non-negative row ids)."""
        bits = np.zeros(int(ids.max()) + 1 if len(ids) else 8, dtype=bool)
        bits[ids] = True
        bitmap = np.packbits(bits, bitorder="little")
        return cls(ids, bitmap, faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap)))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        """Bytes held by the ids and the bitmap."""
        return int(self.ids.nbytes + self.bitmap.nbytes)


def default_nlist(count: int) -> int:
    """IVF list count for ``count`` vectors: ``4·√count`` rounded down to a power of two."""
    target = max(1, int(4 * math.sqrt(max(count, 1))))
    return 1 << int(math.log2(target))


def default_nprobe(nlist: int) -> int:
    """IVF lists scanned per query when none is set: a sixteenth of the lists, at least 16."""
    return min(nlist, max(16, nlist // 16))


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
    index = train_ivf_sq8(vectors, config)
    index.add_with_ids(vectors, ids)
    return index


def train_ivf_sq8(vectors: npt.NDArray[np.float32], config: AnnConfig) -> faiss.Index:
    """An empty IVF+SQ8 index whose lists and 8-bit ranges are trained on a sample of ``vectors``.

    ``faiss.clone_index`` of it, plus ``add_with_ids``, gives a full index without training
    again (``index.quantizer`` keeps one between generations).

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


def index_kind(index: faiss.Index) -> IndexKind:
    """What kind of index ``index`` is, as the manifest records it."""
    inner = _inner(index)
    if isinstance(inner, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVF):
        return "ivf_sq8"
    return "exact"


def recorded_config(kind: str, effort: int) -> AnnConfig:
    """The per-query effort a manifest recorded, as the config ``search_parameters`` takes."""
    if kind == "hnsw":
        return AnnConfig(kind="hnsw", ef_search=effort)
    return AnnConfig(nprobe=effort)


def search_effort(index: faiss.Index, config: AnnConfig) -> int:
    """The efSearch (HNSW) or nprobe (IVF) a query of ``index`` uses; 0 for exact search."""
    inner = _inner(index)
    if isinstance(inner, faiss.IndexHNSW):
        return config.ef_search
    if isinstance(inner, faiss.IndexIVF):
        return config.nprobe or default_nprobe(int(inner.nlist))
    return 0


def _filtered_effort(effort: int, ceiling: int, total: int, allowed: int) -> int:
    """Raise ``effort`` by how much a filter thins the index, up to ``ceiling``.

    A selector only drops vectors inside the lists (or graph nodes) a query visits, so a filter
    that keeps a tenth of the chunks needs about ten times the effort to find ``top_k`` of them.
    """
    factor = total / max(allowed, 1)
    return int(min(ceiling, max(effort, math.ceil(effort * factor))))


def search_parameters(
    index: faiss.Index,
    config: AnnConfig,
    allowed: AllowedIds | None = None,
) -> faiss.SearchParameters:
    """Fresh per-query parameters for ``index``: its search effort plus an optional id filter.

    Pass a new object to every ``index.search`` call (never set ``efSearch``/``nprobe`` on a
    shared index): a served index is searched from many threads at once, and an ``IndexIDMap``
    swaps the selector inside the parameters while it searches. The parameters keep their
    selector alive. With a filter the effort grows with the share of chunks it leaves out
    (see ``_filtered_effort``): an IVF query then scans up to every list, as exact search would.
    """
    inner = _inner(index)
    effort = search_effort(index, config)
    total = int(index.ntotal)
    params: Any  # faiss's stubs lack SearchParametersHNSW and the Python-side attribute below
    if isinstance(inner, faiss.IndexHNSW):
        params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        ceiling = max(effort, min(total, MAX_EF_SEARCH))
        params.efSearch = (
            effort if allowed is None else _filtered_effort(effort, ceiling, total, len(allowed))
        )
    elif isinstance(inner, faiss.IndexIVF):
        params = faiss.SearchParametersIVF()
        nlist = int(inner.nlist)
        params.nprobe = (
            effort if allowed is None else _filtered_effort(effort, nlist, total, len(allowed))
        )
    else:
        params = faiss.SearchParameters()
    if allowed is not None:
        params.sel = allowed.selector
        params.referenced_objects = [allowed]  # keeps the selector alive with the parameters
    chosen: faiss.SearchParameters = params
    return chosen
