"""Section ``vectors``: the vector part alone at scale, exact vs HNSW vs IVF+SQ8."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

from eval.bench.encoders import EncoderPool
from eval.bench.measure import percentile, spread
from eval.bench.plan import BenchContext, BenchPlan
from eval.bench.results import Check, Measured, Table, check
from eval.bench.vector_search import (
    TARGET_RECALL,
    TOP_K,
    BuiltIndex,
    VectorSource,
    build_approximate,
    build_exact,
    effort_of,
    recall_at_10,
    search_batch,
    single_query_ms,
    tune,
)
from index.ann import AnnConfig, search_effort

logger = logging.getLogger(__name__)
SOURCE = VectorSource()


@dataclass(frozen=True)
class Candidate:
    """One index under test: how it was built, its tuned search config and checked recall."""

    built: BuiltIndex
    size: int
    config: AnnConfig | None
    recall: float
    sweep: tuple[tuple[int, float, float], ...] = ()
    default_effort: int = 0
    default_recall: float = 1.0


def _approximate(
    context: BenchContext,
    vectors: npt.NDArray[np.float32],
    config: AnnConfig,
    queries: npt.NDArray[np.float32],
    truth: npt.NDArray[np.int64],
) -> Candidate:
    """Build (or reuse), tune on the first half of the queries, check on the second half."""
    built = build_approximate(vectors, config, context.work_dir / "indexes", repr(SOURCE))
    half = len(queries) // 2
    faiss.omp_set_num_threads(1)  # the sweep's latency column is single-threaded
    try:
        tuned, sweep = tune(built, config, queries[:half], truth[:half])
    finally:
        faiss.omp_set_num_threads(context.plan.threads)
    recall = recall_at_10(search_batch(built.index, queries[half:], tuned), truth[half:])
    default = AnnConfig(kind=config.kind)  # what publishing records: no tuning
    default_recall = recall_at_10(search_batch(built.index, queries, default), truth)
    effort = search_effort(built.index, default)
    return Candidate(built, len(vectors), tuned, recall, tuple(sweep), effort, default_recall)


def _candidates(context: BenchContext) -> tuple[list[Candidate], npt.NDArray[np.float32]]:
    plan = context.plan
    database = SOURCE.draw(plan.vector_size, 0)
    queries = SOURCE.draw(plan.recall_queries, 1)
    exact = build_exact(database)
    truth = search_batch(exact.index, queries, None)
    prefix = database[: plan.hnsw_size]
    exact_prefix = build_exact(prefix)
    prefix_truth = search_batch(exact_prefix.index, queries, None)
    found = [
        Candidate(exact, len(database), None, 1.0),
        _approximate(context, database, AnnConfig(kind="ivf_sq8"), queries, truth),
        Candidate(exact_prefix, len(prefix), None, 1.0),
        _approximate(context, prefix, AnnConfig(kind="hnsw"), queries, prefix_truth),
    ]
    return found, SOURCE.draw(plan.latency_queries, 2)


Latencies = dict[tuple[int, int], list[tuple[float, float]]]
"""(candidate, FAISS threads) → per-run (p50, p99)."""


def measure_vectors(context: BenchContext, _pool: EncoderPool) -> Measured:
    """Time single-query searches of every index at both thread counts, within each run."""
    plan = context.plan
    candidates, queries = _candidates(context)
    latencies: Latencies = defaultdict(list)
    for run in range(plan.runs):
        for number, candidate in enumerate(candidates):
            for threads in _thread_counts(plan):
                faiss.omp_set_num_threads(threads)
                found = single_query_ms(candidate.built.index, queries, candidate.config)
                latencies[(number, threads)].append((percentile(found, 50), percentile(found, 99)))
        faiss.omp_set_num_threads(plan.threads)
        logger.info("vectors run %d/%d done", run + 1, plan.runs)
    return _render(context, candidates, latencies)


def _thread_counts(plan: BenchPlan) -> tuple[int, ...]:
    """FAISS thread counts compared: the configured one, then 1."""
    return (plan.threads, 1) if plan.threads != 1 else (1,)


def _row(item: Candidate, runs: list[list[tuple[float, float]]]) -> tuple[str, ...]:
    built = item.built
    build = f"{built.seconds:.1f}" + (" (earlier run)" if built.cached else "")
    effort = "—" if item.config is None else f"{effort_of(item.config)}"
    cells = [spread([r[k] for r in per]).show(2) for per in runs for k in (0, 1)]
    return (
        built.name,
        f"{item.size:,}",
        build,
        f"{built.rss_delta / item.size:,.0f}",
        f"{built.serialized / item.size:,.0f}",
        effort,
        f"{item.recall:.3f}",
        "—" if item.config is None else f"{item.default_effort}: {item.default_recall:.3f}",
        *cells,
    )


def _render(context: BenchContext, candidates: list[Candidate], latencies: Latencies) -> Measured:
    plan = context.plan
    threads = _thread_counts(plan)
    rows, sweeps, figures = [], [], {}
    for number, item in enumerate(candidates):
        runs = [latencies[(number, count)] for count in threads]
        rows.append(_row(item, runs))
        for count, per in zip(threads, runs, strict=True):
            key = f"vectors.{item.built.name}.{item.size}.t{count}"
            figures[f"{key}.p50_ms"] = spread([r[0] for r in per]).median
            figures[f"{key}.p99_ms"] = spread([r[1] for r in per]).median
        figures[f"vectors.{item.built.name}.{item.size}.recall"] = item.recall
        sweeps += [
            (item.built.name, f"{item.size:,}", str(e), f"{r:.3f}", f"{m:.2f}")
            for e, r, m in item.sweep
        ]
    timing = [
        f"{p} ms, {count} thread{'s' if count > 1 else ''}"
        for count in threads
        for p in ("p50", "p99")
    ]
    header = (
        "index",
        "vectors",
        "build s",
        "resident B/vector",
        "file B/vector",
        "efSearch/nprobe",
        f"recall@{TOP_K}",
        f"default effort: recall@{TOP_K}",
        *timing,
    )
    sweep_header = (
        "index",
        "vectors",
        "efSearch/nprobe",
        "recall@10 (tuning half)",
        "p50 ms, 1 thread",
    )
    tables = (
        Table(
            "Single-query search, top 10: per-run p50/p99, median (min–max)", header, tuple(rows)
        ),
        Table("Effort sweep (one pass, 20 queries for latency)", sweep_header, tuple(sweeps)),
    )
    checks = _checks(candidates, figures)
    return Measured(tables, _notes(context), figures, checks, _findings(candidates, figures))


def _checks(candidates: list[Candidate], figures: dict[str, float]) -> tuple[Check, ...]:
    found = []
    for item in candidates:
        if item.config is None:
            continue
        base = f"vectors.{item.built.name}.{item.size}"
        for threads in sorted(
            {int(k.split(".t")[1].split(".")[0]) for k in figures if k.startswith(f"{base}.t")}
        ):
            where = f"{item.size:,} vectors, {item.built.name}, {threads} FAISS thread(s)"
            found += [
                check(f"{where}: p50 ms", figures[f"{base}.t{threads}.p50_ms"], 25, True, 2),
                check(f"{where}: p99 ms", figures[f"{base}.t{threads}.p99_ms"], 75, True, 2),
            ]
        where = f"{item.size:,} vectors, {item.built.name}"
        found.append(check(f"{where}: recall@{TOP_K}", item.recall, TARGET_RECALL, False, 3))
        found.append(
            check(
                f"{where}: recall@{TOP_K} at the default effort ({item.default_effort})",
                item.default_recall,
                TARGET_RECALL,
                False,
                3,
            )
        )
    return tuple(found)


def _findings(candidates: list[Candidate], figures: dict[str, float]) -> tuple[str, ...]:
    found = []
    for item in candidates:
        base = f"vectors.{item.built.name}.{item.size}"
        medians = ", ".join(
            f"{figures[key]:.2f} ms with {key.split('.t')[1].split('.')[0]} thread(s)"
            for key in sorted(figures)
            if key.startswith(f"{base}.t") and key.endswith("p50_ms")
        )
        effort = "" if item.config is None else f" at efSearch/nprobe {effort_of(item.config)}"
        found.append(
            f"Vector part alone, {item.built.name} over {item.size:,}{effort}: p50 {medians}; "
            f"recall@10 {item.recall:.3f}; build {item.built.seconds:.0f} s."
        )
    return tuple(found)


def _notes(context: BenchContext) -> tuple[str, ...]:
    plan = context.plan
    return (
        f"Synthetic vectors (see the module docstring of eval/bench/vector_search.py): "
        f"{plan.vector_size:,} for exact and IVF+SQ8 (nlist 4·√n rounded down to a power of "
        f"two, 40 training vectors per list), the first {plan.hnsw_size:,} of them for HNSW "
        f"(M=32, efConstruction=200) and its exact baseline. Effort: the smallest efSearch/"
        f"nprobe whose recall@10 reaches {TARGET_RECALL} on {plan.recall_queries // 2} tuning "
        f"queries; recall is then checked on {plan.recall_queries - plan.recall_queries // 2} "
        f"other queries. Latency: {plan.latency_queries} single-query searches per run, fresh "
        f"per-query SearchParameters each time, with {plan.threads} FAISS threads and with 1 "
        "(`faiss.omp_set_num_threads`) in turn. Resident bytes: RSS growth while building (the "
        "index's own memory; the input vectors are not counted). `default effort`: the "
        "nprobe/efSearch `index.ann` uses untuned (nprobe = nlist/16, efSearch 128), which a "
        "published IVF+SQ8 generation used before session 6 (it now measures its own on probe "
        "queries from its text, index/calibration.py; these vectors have none), with its recall "
        f"on all {plan.recall_queries} queries. Slow ANN builds are kept in "
        "the work folder and read back by later runs, which report the recorded build time.",
    )
