"""How big and how often each benchmark section measures: the full plan and the quick one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROFILES = ("multilingual-e5-small", "minilm-en")


@dataclass(frozen=True)
class ServerVariant:
    """Settings a benchmarked server process starts with.

    Attributes:
        name: Label in the report.
        threads: ``WEGWIJS_THREADS`` (torch and onnxruntime; FAISS uses one thread per
            request thread whatever this says).
        query_runtime: ``WEGWIJS_QUERY_RUNTIME``: ``onnx`` (the default) or ``torch``.
        query_cache: ``WEGWIJS_QUERY_CACHE``, or ``None`` for the default.
        lexical_memory: ``WEGWIJS_LEXICAL_MEMORY``: the lexical arm scores from in-memory
            postings (the default) or from FTS5 alone.
        workers: ``WEGWIJS_WORKERS``: server processes behind the one port (``None``: unset,
            the server's own choice for the machine, ``service.capacity.auto_workers``).
        settings: further ``WEGWIJS_`` settings, as (name, value) pairs.
    """

    name: str
    threads: int
    query_runtime: str = "onnx"
    query_cache: int | None = None
    lexical_memory: bool = True
    workers: int | None = None
    settings: tuple[tuple[str, str], ...] = ()


FTS5_SERVER = ServerVariant("FTS5 lexical arm (before)", 2, lexical_memory=False, workers=1)
ONNX_SERVER = ServerVariant("onnx queries, no cache", 2, "onnx", 0, workers=1)
ONE_PROCESS = ServerVariant("onnx + query cache, 1 process", 2, workers=1)
DEFAULT_SERVER = ServerVariant("defaults (processes: auto)", 2)


@dataclass(frozen=True)
class BenchPlan:
    """Sizes and repetitions of every section.

    Attributes:
        runs: Repetitions of every timed measurement (the report shows median and min–max).
        threads: CPU threads for torch, onnxruntime and FAISS, set once per process.
        profiles: Model profiles whose embedding speed is measured.
        passages: Passages embedded per run.
        passage_words: Words per passage (about 130 tokens for e5 on Dutch/English prose).
        query_samples: Single-query embeddings timed per run.
        http_sizes: Chunk counts of the synthetic homes searched over HTTP.
        http_profile: Model profile the HTTP server embeds queries with.
        http_requests: Requests the single client sends per run (per mode).
        http_busy_requests: Requests each of several concurrent clients sends per run (32: a
            run of 8 clients lasts about 2.5 s; with 8 it lasted 0.7 s, and connecting,
            starting the threads and the last client finishing alone moved the rate by ±15%).
        http_clients: Concurrent client counts.
        http_variants: Server thread settings compared within each run.
        vector_size: Synthetic vectors for the exact vs IVF+SQ8 comparison.
        hnsw_size: Synthetic vectors for the HNSW build (a prefix of the same vectors).
        recall_queries: Queries for recall@10 (half tune the search effort, half check it).
        latency_queries: Single-query searches timed per run.
        tree_files: Small text files in the re-scan tree.
        ingest_profile: Model profile of the ingest measurements.
        sample_files: Documents of the sample share to ingest (0: all of them).
        scale_sizes: Chunk counts of the synthetic homes a batch of new documents is ingested
            into (smallest first, largest last).
        scale_files: Generated ``.txt`` documents in that batch.
        scale_paragraphs: Paragraphs per document (60–90 words each).
        scale_runs: Runs of the scale measurement (each ingests the batch into every size).
        office_files: Documents of the office batch ingested beside the text batch at scale:
            the sample share's documents in its 12 formats, re-worded (``eval.bench.mixed_batch``;
            0: none).
        peer_size: Vectors each store (ours and the peers) ingests.
        peer_queries: Single-vector queries per store and run.
        peer_slow_stores: Stores measured ``peer_slow_runs`` times only (slow ingest).
        peer_slow_runs: Runs of those stores.
    """

    runs: int = 5
    threads: int = 2
    profiles: tuple[str, ...] = PROFILES
    passages: int = 64
    passage_words: int = 90
    query_samples: int = 20
    http_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    http_profile: str = "multilingual-e5-small"
    http_requests: int = 16
    http_busy_requests: int = 32
    http_clients: tuple[int, ...] = (1, 8)
    http_variants: tuple[ServerVariant, ...] = (
        FTS5_SERVER,
        ONNX_SERVER,
        ONE_PROCESS,
        DEFAULT_SERVER,
    )
    vector_size: int = 1_000_000
    hnsw_size: int = 200_000
    recall_queries: int = 200
    latency_queries: int = 20
    tree_files: int = 10_000
    ingest_profile: str = "minilm-en"
    sample_files: int = 0
    scale_sizes: tuple[int, ...] = (10_000, 100_000)
    scale_files: int = 60
    scale_paragraphs: int = 20
    scale_runs: int = 3
    office_files: int = 200
    peer_size: int = 10_000
    peer_queries: int = 50
    peer_slow_stores: tuple[str, ...] = ("qdrant",)
    peer_slow_runs: int = 1


FULL = BenchPlan()
QUICK = BenchPlan(
    runs=1,
    passages=4,
    query_samples=3,
    http_sizes=(300,),
    http_profile="minilm-en",
    http_requests=3,
    http_busy_requests=2,
    http_clients=(1, 2),
    http_variants=(DEFAULT_SERVER,),
    vector_size=3_000,
    hnsw_size=2_000,
    recall_queries=20,
    latency_queries=3,
    tree_files=3,
    sample_files=1,
    scale_sizes=(200, 400),
    scale_files=3,
    scale_paragraphs=4,
    scale_runs=1,
    office_files=12,
    peer_size=500,
    peer_queries=5,
)


@dataclass(frozen=True)
class BenchContext:
    """Where a benchmark run keeps its data, and its plan.

    Attributes:
        plan: Sizes and repetitions.
        work_dir: Synthetic homes, trees and section results (reused between runs).
        model_cache: Folder of converted models (``WEGWIJS_MODEL_CACHE_DIR``).
    """

    plan: BenchPlan
    work_dir: Path
    model_cache: Path
