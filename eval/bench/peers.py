"""Section ``peers``: our vector store next to chromadb, Qdrant local mode and LanceDB.

Every store gets the same synthetic vectors (``vector_search.VectorSource``) and the same
queries, in a fresh spawned process per store and run, so resident memory is that store's
alone. Peers come from the ``bench`` extra (``pip install -e '.[bench]'``); a missing one is
reported, not fatal. Ingest: the vectors with their ids into a store on disk (ours: the vector
part of a publish — build the index the size calls for, write it, fsync). Query: one vector at a
time, top 10, recall@10 against exact inner-product search.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from eval.bench.encoders import EncoderPool
from eval.bench.measure import percentile, rss_bytes, spread
from eval.bench.plan import BenchContext
from eval.bench.results import Check, Measured, Table, check
from eval.bench.vector_search import DIMENSION, TOP_K, VectorSource, recall_at_10

logger = logging.getLogger(__name__)
SOURCE = VectorSource()
STORES = ("wegwijs", "chromadb", "qdrant", "lancedb")
MODULES = {"wegwijs": "faiss", "chromadb": "chromadb", "qdrant": "qdrant_client",
           "lancedb": "lancedb"}  # fmt: skip
Vectors = npt.NDArray[np.float32]
Search = Callable[[Vectors], list[int]]


def _ours(vectors: Vectors, folder: Path) -> Search:
    import faiss

    from index.ann import index_kind, recorded_config, search_parameters
    from index.publish import IndexChoice, build_vector_index
    from index.threads import use_search_threads

    ids = np.arange(len(vectors), dtype=np.int64)
    index, effort = build_vector_index(ids, vectors, DIMENSION, IndexChoice())
    path = folder / "vectors.faiss"
    faiss.write_index(index, str(path))
    descriptor = os.open(path, os.O_RDONLY)
    os.fsync(descriptor)
    os.close(descriptor)
    config = recorded_config(index_kind(index), effort)
    use_search_threads()

    def search(query: Vectors) -> list[int]:
        _, found = index.search(query[None, :], TOP_K, params=search_parameters(index, config))
        return [int(i) for i in found[0]]

    return search


def _chroma(vectors: Vectors, folder: Path) -> Search:
    import chromadb

    client = chromadb.PersistentClient(path=str(folder))
    collection = client.create_collection(
        "bench", embedding_function=None, configuration={"hnsw": {"space": "ip"}}
    )
    ids = [str(i) for i in range(len(vectors))]
    for start in range(0, len(vectors), 5_000):
        collection.add(ids=ids[start : start + 5_000], embeddings=vectors[start : start + 5_000])

    def search(query: Vectors) -> list[int]:
        found = collection.query(query_embeddings=query[None, :], n_results=TOP_K)
        return [int(i) for i in found["ids"][0]]

    return search


def _qdrant(vectors: Vectors, folder: Path) -> Search:
    from qdrant_client import QdrantClient, models

    client = QdrantClient(path=str(folder))
    params = models.VectorParams(size=DIMENSION, distance=models.Distance.DOT)
    client.create_collection("bench", vectors_config=params)
    for start in range(0, len(vectors), 1_000):
        part = vectors[start : start + 1_000]
        batch = models.Batch(ids=list(range(start, start + len(part))), vectors=part.tolist())
        client.upsert("bench", points=batch)

    def search(query: Vectors) -> list[int]:
        points = client.query_points("bench", query=query.tolist(), limit=TOP_K).points
        return [int(point.id) for point in points]

    return search


def _lance(vectors: Vectors, folder: Path) -> Search:
    import lancedb
    import pyarrow as pa

    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIMENSION)
    data = pa.table({"chunk_rowid": np.arange(len(vectors)), "vector": column})
    table = lancedb.connect(str(folder)).create_table("bench", data=data)

    def search(query: Vectors) -> list[int]:
        builder: Any = table.search(query)  # a union in lancedb's stubs; this one is vector
        rows = builder.distance_type("dot").limit(TOP_K).to_list()
        return [int(row["chunk_rowid"]) for row in rows]

    return search


INGEST: dict[str, Callable[[Vectors, Path], Search]] = {
    "wegwijs": _ours, "chromadb": _chroma, "qdrant": _qdrant, "lancedb": _lance,
}  # fmt: skip


def measure_store(store: str, size: int, queries: int) -> dict[str, float]:
    """One run of one store (in its own process): ingest, then single-vector queries."""
    vectors, asked = SOURCE.draw(size, 0), SOURCE.draw(queries, 1)
    truth = np.argsort(-(asked @ vectors.T), axis=1)[:, :TOP_K]
    with tempfile.TemporaryDirectory(prefix=f"peer-{store}-") as folder:
        base = rss_bytes()
        started = time.perf_counter()
        search = INGEST[store](vectors, Path(folder))
        ingest = time.perf_counter() - started
        resident = rss_bytes() - base
        search(asked[0])  # first query opens files and warms caches
        latencies, found = [], []
        for row in asked:
            started = time.perf_counter()
            found.append(search(row))
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "ingest_s": ingest,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "resident_mb": resident / 2**20,
        "recall": recall_at_10(np.asarray(found, dtype=np.int64), truth),
    }


def _runs(context: BenchContext, store: str) -> list[dict[str, float]]:
    plan = context.plan
    runs = plan.peer_slow_runs if store in plan.peer_slow_stores else plan.runs
    spawn = multiprocessing.get_context("spawn")
    found = []
    for run in range(runs):
        with spawn.Pool(1) as pool:
            found.append(pool.apply(measure_store, (store, plan.peer_size, plan.peer_queries)))
        logger.info("peers %s run %d/%d done", store, run + 1, runs)
    return found


def measure_peers(context: BenchContext, _pool: EncoderPool) -> Measured:
    """Ingest and query the same vectors with every installed store."""
    installed = [s for s in STORES if importlib.util.find_spec(MODULES[s]) is not None]
    results = {store: _runs(context, store) for store in installed}
    missing = [store for store in STORES if store not in installed]
    return _render(context, results, missing)


def _median(runs: list[dict[str, float]], key: str) -> float:
    return spread([run[key] for run in runs]).median


def _render(
    context: BenchContext, results: dict[str, list[dict[str, float]]], missing: list[str]
) -> Measured:
    plan = context.plan
    rows, figures = [], {}
    for store, runs in results.items():
        rate = plan.peer_size / _median(runs, "ingest_s")
        rows.append(
            (
                store,
                str(len(runs)),
                spread([r["ingest_s"] for r in runs]).show(2),
                f"{rate:,.0f}",
                spread([r["p50_ms"] for r in runs]).show(2),
                spread([r["p99_ms"] for r in runs]).show(2),
                spread([r["resident_mb"] for r in runs]).show(0),
                f"{_median(runs, 'recall'):.3f}",
            )
        )
        for key in ("ingest_s", "p50_ms", "p99_ms", "resident_mb", "recall"):
            figures[f"peers.{store}.{key}"] = _median(runs, key)
    header = ("store", "runs", "ingest s", "vectors/s", "query p50 ms", "query p99 ms",
              "resident MiB", "recall@10")  # fmt: skip
    caption = f"{plan.peer_size:,} vectors of {DIMENSION} dimensions, top {TOP_K}"
    tables = [Table(caption, header, tuple(rows))]
    checks: list[Check] = []
    if "wegwijs" in results and "chromadb" in results:
        ours, chroma = results["wegwijs"], results["chromadb"]
        pairs = list(zip(ours, chroma, strict=False))
        ingest = spread([c["ingest_s"] / o["ingest_s"] for o, c in pairs])
        query = spread([c["p50_ms"] / o["p50_ms"] for o, c in pairs])
        ratio_rows = (("chromadb / wegwijs ingest time", ingest.show(1)),
                      ("chromadb / wegwijs query p50", query.show(1)))  # fmt: skip
        tables.append(Table("Ratios within each run", ("ratio", "value"), ratio_rows))
        checks += [
            check("Ingest vs chromadb: times faster", ingest.median, 3, False),
            check("Query p50 vs chromadb: times faster", query.median, 2, False),
        ]
    return Measured(tuple(tables), _notes(context, missing), figures, tuple(checks))


def _notes(context: BenchContext, missing: list[str]) -> tuple[str, ...]:
    plan = context.plan
    slow = ", ".join(plan.peer_slow_stores)
    notes = [
        f"Same {plan.peer_size:,} synthetic vectors and {plan.peer_queries} queries for every "
        "store (see eval/bench/vector_search.py), each run in a fresh spawned process. "
        "wegwijs: the vector part of a publish (at this size the exact IndexIDMap2(IndexFlatIP); "
        "build, write, fsync), one FAISS thread; the SQLite catalog write of a real ingest is "
        "not counted, as the peers store vectors and ids only. chromadb 1.5.9 PersistentClient "
        "(HNSW, inner product, batches of 5,000); Qdrant 1.20.0 local mode "
        "(`QdrantClient(path=...)`, dot product, batches of 1,000); LanceDB 0.40.0 (one table, "
        "no ANN index: brute force, dot). Resident MiB: RSS growth of the process over the "
        f"ingest. {slow}: {plan.peer_slow_runs} run(s) only, its ingest takes minutes here.",
    ]
    if missing:
        notes.append(f"Not installed, so not measured: {', '.join(missing)} (the bench extra).")
    return tuple(notes)
