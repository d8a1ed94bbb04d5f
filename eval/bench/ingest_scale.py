"""Ingest at scale: batches of new documents into homes of about 10,000 and 100,000 chunks.

The homes are synthetic (``eval.bench.homes``: generated chunks with random unit vectors, bound
to the ingest model). Two batches go through ``index.build.ingest`` as ``wegwijs ingest`` runs
it (crawl, parser processes, chunking, real embedding, catalog writes, governance and publishing
a new generation over the whole home): a tree of generated ``.txt`` documents, and an office
batch, the sample share's documents in its 12 formats re-worded (``eval.bench.mixed_batch``),
whose parsing costs what the formats cost. Each run ingests each batch into a fresh copy of each
home (so nothing of it is cached) and embeds the same embedding inputs alone with the same
encoder (the raw rate).

Each home has had one untimed ingest of a smaller priming batch, as a share that grew to that
size has had many: the 100,000-chunk home is then past the exact limit with its IVF+SQ8
training and calibration kept (``index.quantizer``), so the timed ingest is a steady-state one.
Without it every copy crossed the limit afresh and paid a first training and calibration
(about 6 s of a 57 s ingest on a quiet machine), which a share pays once in its life.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from eval.bench.corpus import CORPUS_VERSION, write_document_tree
from eval.bench.encoders import EncoderPool, bench_settings
from eval.bench.homes import MARKER, build_synthetic_home
from eval.bench.measure import spread, timed
from eval.bench.mixed_batch import write_mixed_tree
from eval.bench.plan import BenchContext, BenchPlan
from eval.bench.results import Check, Table, check
from index.build import RunSummary, ingest
from index.catalog import catalog_path, connect, migrate_catalog
from index.embedding_input import context_title, embedding_text
from index.vectors import read_manifest
from service.engine import ingest_config

logger = logging.getLogger(__name__)
BATCH_ROOT = "nieuw"
PRIMING_ROOT = "eerder"
PRIMED = ".primed"
COMPLETE = ".complete"
OFFICE_VERSION = 1
"""Bumped when the office batch's documents change, so a cached tree is written again."""
Runs = dict[tuple[str, int], list[float]]
"""Per-run values by batch and home size."""


def _batch_tree(context: BenchContext) -> Path:
    plan = context.plan
    tree = context.work_dir / f"batch-v{CORPUS_VERSION}-{plan.scale_files}x{plan.scale_paragraphs}"
    if not (tree / COMPLETE).exists():
        shutil.rmtree(tree, ignore_errors=True)
        write_document_tree(tree / BATCH_ROOT, plan.scale_files, plan.scale_paragraphs)
        (tree / COMPLETE).touch()
    return tree / BATCH_ROOT


def _office_tree(context: BenchContext) -> Path:
    files = context.plan.office_files
    tree = context.work_dir / f"office-batch-v{OFFICE_VERSION}-{files}"
    if not (tree / COMPLETE).exists():
        shutil.rmtree(tree, ignore_errors=True)
        write_mixed_tree(tree / BATCH_ROOT, files)
        (tree / COMPLETE).touch()
    return tree / BATCH_ROOT


def _batches(context: BenchContext) -> dict[str, Path]:
    """The batches measured, by name: ``text`` and, unless the plan has none, ``office``."""
    batches = {"text": _batch_tree(context)}
    if context.plan.office_files:
        batches["office"] = _office_tree(context)
    return batches


def _base_home(context: BenchContext, pool: EncoderPool, chunks: int) -> Path:
    """The synthetic home of ``chunks`` after one ingest of the priming batch (see above)."""
    profile = context.plan.ingest_profile
    synthetic = context.work_dir / f"scale-home-{chunks}-{profile}"
    build_synthetic_home(synthetic, chunks, pool.info(profile))
    home = context.work_dir / f"scale-home-{chunks}-{profile}-primed"
    made_from = (synthetic / MARKER).read_text()
    if not (home / PRIMED).exists() or (home / PRIMED).read_text() != made_from:
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(synthetic, home)
        files = max(1, context.plan.scale_files // 6)
        paragraphs = context.plan.scale_paragraphs
        tree = context.work_dir / f"priming-v{CORPUS_VERSION}-{files}x{paragraphs}"
        shutil.rmtree(tree, ignore_errors=True)
        write_document_tree(tree / PRIMING_ROOT, files, paragraphs, 3)
        settings = bench_settings(home, profile, context.model_cache, context.plan.threads)
        ingest(
            home,
            [tree / PRIMING_ROOT],
            ingest_config(settings),
            pool.get(profile),
            pool.info(profile),
        )
        (home / PRIMED).write_text(made_from)
    migrate_catalog(home)  # a home primed by older code, brought up to date untimed
    return home


def _ingest_copy(
    context: BenchContext, pool: EncoderPool, base: Path, batch: Path
) -> tuple[RunSummary, float, Path]:
    """Copy ``base`` (not timed), then time one ingest of ``batch`` into the copy."""
    home = context.work_dir / "scale-runs" / base.name
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home)
    profile = context.plan.ingest_profile
    settings = bench_settings(home, profile, context.model_cache, context.plan.threads)
    encoder = pool.get(profile)
    summary, seconds = timed(
        lambda: ingest(home, [batch], ingest_config(settings), encoder, pool.info(profile))
    )
    if summary.embedded != summary.chunks or not summary.chunks:
        raise RuntimeError(
            f"The batch {batch} gave {summary.chunks} chunks, {summary.embedded} embedded: "
            "expected every chunk new and embedded; see the log for skipped files."
        )
    return summary, seconds, home


def batch_inputs(home: Path, root_label: str) -> list[str]:
    """The embedding inputs of the current chunks of one root, as the ingest embedded them."""
    conn = connect(catalog_path(home), readonly=True)
    try:
        rows = conn.execute(
            "SELECT d.title, d.rel_path, c.section, c.text FROM chunks c "
            "JOIN documents d USING (doc_id) WHERE d.root_label = ? AND c.retired_seq IS NULL "
            "ORDER BY c.chunk_rowid",
            (root_label,),
        ).fetchall()
    finally:
        conn.close()
    return [embedding_text(context_title(row[0], row[1]), row[2], row[3]) for row in rows]


def _raw_rate(pool: EncoderPool, profile: str, texts: list[str]) -> float:
    started = time.perf_counter()
    pool.get(profile).encode_passages(texts)
    return len(texts) / (time.perf_counter() - started)


def _run_once(
    context: BenchContext,
    pool: EncoderPool,
    run: int,
    batches: dict[str, Path],
    bases: dict[int, Path],
) -> tuple[dict[tuple[str, int], float], dict[str, float], dict[int, str], dict[str, int]]:
    """One run: each batch into each home (order alternating per run), each batch's raw rate
    right after its first ingest."""
    sizes = list(context.plan.scale_sizes)
    order = sizes if run % 2 == 0 else sizes[::-1]
    rates: dict[tuple[str, int], float] = {}
    raws: dict[str, float] = {}
    kinds: dict[int, str] = {}
    chunks: dict[str, int] = {}
    for name, batch in batches.items():
        for position, size in enumerate(order):
            summary, seconds, home = _ingest_copy(context, pool, bases[size], batch)
            rates[name, size] = summary.chunks / seconds
            kinds[size] = read_manifest(home).index_kind
            chunks[name] = summary.chunks
            if position == 0:
                inputs = batch_inputs(home, BATCH_ROOT)
                raws[name] = _raw_rate(pool, context.plan.ingest_profile, inputs)
            shutil.rmtree(home, ignore_errors=True)
            logger.info(
                "scale run %d: %s batch, %d chunks into %d in %.1f s",
                run + 1,
                name,
                summary.chunks,
                size,
                seconds,
            )
    return rates, raws, kinds, chunks


def measure_scale(
    context: BenchContext, pool: EncoderPool
) -> tuple[tuple[Table, Table], dict[str, float], tuple[Check, ...]]:
    """Ingest each batch into each home size ``plan.scale_runs`` times, interleaved."""
    plan = context.plan
    batches = _batches(context)
    bases = {size: _base_home(context, pool, size) for size in plan.scale_sizes}
    # The passage model loads on its first use (seconds): not inside the first timed ingest.
    pool.get(plan.ingest_profile).encode_passages(["warm-up"])
    rates: Runs = defaultdict(list)
    raws: dict[str, list[float]] = defaultdict(list)
    kinds: dict[int, str] = {}
    chunks: dict[str, int] = {}
    for run in range(plan.scale_runs):
        found, raw, kinds, chunks = _run_once(context, pool, run, batches, bases)
        for name, raw_rate in raw.items():
            raws[name].append(raw_rate)
        for key, rate in found.items():
            rates[key].append(rate)
    return _render(context, rates, raws, kinds, chunks)


HEADER = (
    "batch",
    "chunks",
    "home chunks",
    "index",
    "ingest chunks/s",
    "raw embed chunks/s",
    "ratio",
    "s not embedding",
)


@dataclass
class _Report:
    """The scale section's table rows, figures, goals and growth ratios, batch by batch."""

    rows: list[tuple[str, ...]] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    growths: list[tuple[str, str]] = field(default_factory=list)


def _render(
    context: BenchContext,
    rates: Runs,
    raws: dict[str, list[float]],
    kinds: dict[int, str],
    chunks: dict[str, int],
) -> tuple[tuple[Table, Table], dict[str, float], tuple[Check, ...]]:
    plan = context.plan
    report = _Report()
    for name, batch_raws in raws.items():
        _render_batch(plan, report, name, rates, batch_raws, kinds, chunks[name])
    runs = f"{plan.scale_runs} run{'s' * (plan.scale_runs != 1)}"
    caption = f"New documents ingested into a home of each size ({plan.ingest_profile}, {runs})"
    ratios = Table("Ratio measured within each run", ("ratio", "value"), tuple(report.growths))
    table = Table(caption, HEADER, tuple(report.rows))
    return (table, ratios), report.figures, tuple(report.checks)


def _render_batch(
    plan: BenchPlan,
    report: _Report,
    name: str,
    rates: Runs,
    raws: list[float],
    kinds: dict[int, str],
    count: int,
) -> None:
    """Add one batch's rows, figures (``scale.`` for the text batch, ``scale.NAME.`` for the
    others) and goals to ``report``."""
    prefix = "scale" if name == "text" else f"scale.{name}"
    raw = spread(raws)
    report.figures[f"{prefix}.raw_chunks_per_s"] = raw.median
    for size in plan.scale_sizes:
        rate = spread(rates[name, size])
        ratio = spread([r / w for r, w in zip(rates[name, size], raws, strict=True)])
        other = count / rate.median - count / raw.median
        shown = (rate.show(2), raw.show(2), ratio.show(2), f"{other:.1f}")
        report.rows.append((name, f"{count:,}", f"{size:,}", kinds[size], *shown))
        report.figures[f"{prefix}.{size}.chunks_per_s"] = rate.median
        report.figures[f"{prefix}.{size}.ratio"] = ratio.median
        report.figures[f"{prefix}.{size}.other_seconds"] = other
        goal = f"{name.capitalize()} batch of {count:,} chunks into {size:,}: ingest / raw rate"
        report.checks.append(check(goal, ratio.median, 0.85, False, 2))
    small, large = plan.scale_sizes[0], plan.scale_sizes[-1]
    growth = spread([b / a for a, b in zip(rates[name, small], rates[name, large], strict=True)])
    report.figures[f"{prefix}.growth"] = growth.median
    goal = f"{name.capitalize()} batch: ingest rate at {large:,} chunks / at {small:,}"
    report.checks.append(check(goal, growth.median, 0.8, False, 2))
    label = f"{name} batch: ingest rate into {large:,} / into {small:,}"
    report.growths.append((label, growth.show(2)))
