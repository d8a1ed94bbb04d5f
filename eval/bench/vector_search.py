"""Section ``vectors``: exact FAISS search vs HNSW and IVF+SQ8 on synthetic 384-d vectors.

Vectors are Gaussian with a power-law spectrum (variance of the i-th axis ∝ 1/i, in a random
rotation), normalised: an intrinsic dimension of about 26, closer to real sentence embeddings
than uniform vectors (no structure, the hardest case for ANN) or well-separated clusters
(trivially easy). Recall@10 is measured against exact search on the same vectors; the search
effort (efSearch, nprobe) is tuned on half the recall queries and checked on the other half.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from eval.bench.measure import percentile, rss_bytes, timed
from index.ann import AnnConfig, build_ann, search_parameters
from index.vectors import build_flat

logger = logging.getLogger(__name__)
DIMENSION = 384
TOP_K = 10
TARGET_RECALL = 0.95
SWEEPS: dict[str, tuple[int, ...]] = {
    "hnsw": (16, 32, 64, 128, 256),
    "ivf_sq8": (8, 16, 32, 64, 128, 256),
}
Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class VectorSource:
    """A seeded generator of normalised vectors with a power-law spectrum."""

    seed: int = 0
    alpha: float = 1.0

    def _basis(self) -> tuple[Vectors, Vectors]:
        rng = np.random.default_rng(self.seed)
        rotation, _ = np.linalg.qr(rng.standard_normal((DIMENSION, DIMENSION)))
        scale = np.arange(1, DIMENSION + 1, dtype=np.float64) ** (-self.alpha / 2)
        return rotation.astype(np.float32), scale.astype(np.float32)

    def draw(self, count: int, stream: int) -> Vectors:
        """``count`` vectors of stream ``stream`` (0: the database, 1: queries)."""
        rotation, scale = self._basis()
        rng = np.random.default_rng([self.seed, stream])
        out = np.empty((count, DIMENSION), dtype=np.float32)
        for start in range(0, count, 100_000):
            stop = min(count, start + 100_000)
            block = rng.standard_normal((stop - start, DIMENSION), dtype=np.float32) * scale
            block = block @ rotation.T
            out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out


@dataclass(frozen=True)
class BuiltIndex:
    """An index with what it cost to build."""

    name: str
    index: faiss.Index
    seconds: float
    rss_delta: int
    serialized: int
    cached: bool = False


def build_measured(name: str, build: Callable[[], faiss.Index]) -> BuiltIndex:
    """Build an index, timing it and measuring resident and serialised bytes."""
    gc.collect()
    before = rss_bytes()
    index, seconds = timed(build)
    gc.collect()
    delta = rss_bytes() - before
    serialized = int(faiss.serialize_index(index).nbytes)
    logger.info("Built %s in %.1f s", name, seconds)
    return BuiltIndex(name, index, seconds, delta, serialized)


def _cache_paths(folder: Path, name: str, key: str) -> tuple[Path, Path]:
    stem = folder / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    return stem.with_suffix(".faiss"), stem.with_suffix(".json")


def cached_build(folder: Path, name: str, key: str, build: Callable[[], faiss.Index]) -> BuiltIndex:
    """Reuse an index built by an earlier run for the same ``key`` (with its build time).

    A slow build (HNSW at 200k takes minutes) is kept in ``folder``; a later run reads the
    file back (the resident bytes are then measured around the read) and reports the build
    time recorded when it was made.
    """
    index_path, facts_path = _cache_paths(folder, name, key)
    if index_path.exists() and facts_path.exists():
        facts = json.loads(facts_path.read_text())
        loaded = build_measured(name, lambda: faiss.read_index(str(index_path)))
        return replace(loaded, seconds=float(facts["seconds"]), cached=True)
    built = build_measured(name, build)
    folder.mkdir(parents=True, exist_ok=True)
    faiss.write_index(built.index, str(index_path))
    facts_path.write_text(json.dumps({"key": key, "seconds": built.seconds}))
    return built


def build_exact(vectors: Vectors) -> BuiltIndex:
    """Exact search in float32 (``IndexIDMap2(IndexFlatIP)``) over ``vectors``: the truth
    recall is measured against (past 50,000 chunks a published exact index keeps half
    precision instead, see ``index.vectors.build_flat``)."""
    ids = np.arange(len(vectors), dtype=np.int64)
    return build_measured("exact", lambda: build_flat(ids, vectors, DIMENSION, len(ids)))


def build_approximate(vectors: Vectors, config: AnnConfig, cache: Path, tag: str) -> BuiltIndex:
    """An ``index.ann`` index of ``config.kind`` over ``vectors`` (cached under ``tag``)."""
    ids = np.arange(len(vectors), dtype=np.int64)
    build_only = replace(config, ef_search=0, nprobe=0)  # query effort does not change the build
    key = f"{tag}|{len(vectors)}|{build_only}|{faiss.__version__}"
    return cached_build(cache, config.kind, key, lambda: build_ann(ids, vectors, config))


def with_effort(config: AnnConfig, effort: int) -> AnnConfig:
    """``config`` with its per-query effort (efSearch or nprobe) set to ``effort``."""
    if config.kind == "hnsw":
        return replace(config, ef_search=effort)
    return replace(config, nprobe=effort)


def effort_of(config: AnnConfig) -> int:
    """The per-query effort of ``config``: efSearch for HNSW, nprobe for IVF."""
    return config.ef_search if config.kind == "hnsw" else config.nprobe


def search_batch(
    index: faiss.Index, queries: Vectors, config: AnnConfig | None
) -> npt.NDArray[np.int64]:
    """Ids of the top 10 for each query (per-query parameters when ``config`` is given)."""
    params = None if config is None else search_parameters(index, config)
    _, ids = index.search(queries, TOP_K, params=params)
    return np.asarray(ids, dtype=np.int64)


def recall_at_10(found: npt.NDArray[np.int64], truth: npt.NDArray[np.int64]) -> float:
    """Mean share of the exact top 10 that was found."""
    hits = [len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) / TOP_K


def single_query_ms(index: faiss.Index, queries: Vectors, config: AnnConfig | None) -> list[float]:
    """Latency of one-query searches, each with fresh per-query parameters."""
    latencies = []
    for row in range(len(queries)):
        started = time.perf_counter()
        search_batch(index, queries[row : row + 1], config)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def tune(
    built: BuiltIndex, config: AnnConfig, queries: Vectors, truth: npt.NDArray[np.int64]
) -> tuple[AnnConfig, list[tuple[int, float, float]]]:
    """Smallest effort reaching ``TARGET_RECALL`` (else the largest), and the whole sweep.

    Returns:
        The tuned config and (effort, recall@10, median single-query ms) per effort tried.
    """
    sweep = []
    chosen = None
    for effort in SWEEPS[config.kind]:
        trial = with_effort(config, effort)
        recall = recall_at_10(search_batch(built.index, queries, trial), truth)
        median = percentile(single_query_ms(built.index, queries[:20], trial), 50)
        sweep.append((effort, recall, median))
        if chosen is None and recall >= TARGET_RECALL:
            chosen = trial
    return chosen or with_effort(config, SWEEPS[config.kind][-1]), sweep
