"""Section ``memory``: resident memory of a loaded searcher per chunk (text stays on disk).

Each home is opened in a fresh spawned process so earlier allocations do not blur the numbers.
The chunk text lives in the SQLite catalog, read from disk per hit, so it is not resident.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.bench.encoders import EncoderPool, bench_settings
from eval.bench.homes import build_synthetic_home
from eval.bench.measure import rss_bytes
from eval.bench.plan import BenchContext
from eval.bench.results import Measured, Table, check
from eval.bench.served_memory import ServedMemory, render_served, served_memory

logger = logging.getLogger(__name__)
SEARCHES = 20
# Worker counts of the served servers whose memory is summed (``served_memory``).
SERVED_WORKERS = (1, 2)


@dataclass(frozen=True)
class SearcherMemory:
    """Resident bytes of one process at each step of loading and using a searcher."""

    chunks: int
    base: int
    index_loaded: int
    after_lexical: int
    after_model: int


def searcher_memory(home: Path, profile: str, model_cache: Path, threads: int) -> SearcherMemory:
    """Open ``home``'s searcher in this (fresh) process and record its resident memory."""
    from ingest.offline import enforce_offline

    enforce_offline()
    from index.search import Searcher
    from service.engine import make_encoder
    from service.sample_share import load_questions

    encoder = make_encoder(bench_settings(home, profile, model_cache, threads))
    questions = [question.question for question in load_questions()]
    gc.collect()
    base = rss_bytes()
    searcher = Searcher.open(home, encoder, profile)
    searcher.lexical_memory.wait()  # the lexical postings are part of a loaded searcher
    # The vectors are mapped from their file: one scan makes them resident, as a dense search would.
    searcher.index.search(np.zeros((1, searcher.index.d), dtype=np.float32), 1)
    index_loaded = rss_bytes()
    for question in questions[:SEARCHES]:
        searcher.search(question, mode="lexical")
    gc.collect()
    after_lexical = rss_bytes()
    searcher.search(questions[0], mode="hybrid")
    after_model = rss_bytes()
    chunks = searcher.manifest.vector_count
    return SearcherMemory(chunks, base, index_loaded, after_lexical, after_model)


def _in_fresh_process(home: Path, context: BenchContext) -> SearcherMemory:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        plan = context.plan
        future = pool.submit(
            searcher_memory, home, plan.http_profile, context.model_cache, plan.threads
        )
        return future.result()


def measure_memory(context: BenchContext, pool: EncoderPool) -> Measured:
    """Resident memory of a searcher over each synthetic home, and the growth per chunk."""
    plan = context.plan
    info = pool.info(plan.http_profile)
    found = []
    served: list[ServedMemory] = []
    for size in plan.http_sizes:
        home = build_synthetic_home(context.work_dir / f"home-{size}", size, info)
        found.append(_in_fresh_process(home, context))
        for workers in SERVED_WORKERS:
            served.append(
                served_memory(home, plan.http_profile, context.model_cache, workers, size)
            )
    searcher, server = _render(context, found), render_served(served)
    return Measured(
        searcher.tables + server.tables,
        searcher.notes + server.notes,
        searcher.figures | server.figures,
        searcher.checks + server.checks,
        searcher.findings + server.findings,
    )


def _render(context: BenchContext, found: list[SearcherMemory]) -> Measured:
    mib = 1024 * 1024
    rows = []
    for item in found:
        held = item.after_lexical - item.base
        rows.append(
            (
                f"{item.chunks:,}",
                f"{(item.index_loaded - item.base) / mib:.1f}",
                f"{held / mib:.1f}",
                f"{held / item.chunks:,.0f}",
                f"{(item.after_model - item.after_lexical) / mib:.0f}",
            )
        )
    largest = found[-1]
    per_chunk = (largest.after_lexical - largest.base) / largest.chunks
    figures = {"memory.bytes_per_chunk": per_chunk}
    checks = [check(f"Resident bytes per chunk at {largest.chunks:,}", per_chunk, 3072, True, 0)]
    if len(found) >= 2:
        small, large = found[0], found[-1]
        slope = ((large.after_lexical - large.base) - (small.after_lexical - small.base)) / (
            large.chunks - small.chunks
        )
        figures["memory.slope_bytes_per_chunk"] = slope
        checks.append(check("Resident bytes per extra chunk (growth)", slope, 3072, True, 0))
        rows.append(("growth per chunk", "", "", f"{slope:,.0f}", ""))
    header = (
        "chunks",
        "index load MiB",
        f"after {SEARCHES} searches MiB",
        "bytes/chunk",
        "model MiB (first dense search)",
    )
    notes = (
        f"Each home opened in a fresh spawned process with profile {context.plan.http_profile}: "
        "RSS after importing torch and FAISS is the base; then `Searcher.open` (the exact index "
        "is mapped and scanned once with a zero vector so its pages are resident, the lexical "
        "postings are counted or mapped; index load includes both) and "
        f"{SEARCHES} lexical searches (one SQLite connection); the "
        "model is loaded only by the first dense search, shown separately as a fixed cost. "
        "Bytes/chunk = (RSS after the searches − base) / chunks; `growth per chunk` compares the "
        "two homes, which removes fixed costs.",
    )
    table = Table("Resident memory of a loaded searcher", header, tuple(rows))
    model = (largest.after_model - largest.after_lexical) / 1024 / 1024
    finding = (
        f"Memory: {per_chunk:,.0f} resident bytes per chunk at {largest.chunks:,} chunks "
        f"(the exact index holds 1,536 bytes of float32 per vector plus ids); the "
        f"{context.plan.http_profile} model adds a fixed {model:,.0f} MiB."
    )
    return Measured((table,), notes, figures, tuple(checks), (finding,))
