"""Section ``ingest``: re-scan of an unchanged tree, and end-to-end ingest vs raw embedding."""

from __future__ import annotations

import logging
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from eval.bench.corpus import CORPUS_VERSION, write_text_tree
from eval.bench.encoders import EncoderPool, bench_settings
from eval.bench.ingest_scale import measure_scale
from eval.bench.measure import spread, timed
from eval.bench.plan import BenchContext
from eval.bench.results import Check, Measured, Table, check
from index.build import RunSummary, ingest
from index.catalog import catalog_path, connect, get_meta
from index.embedding_input import EMBEDDING_INPUT
from index.vectors import current_generation
from service.engine import ingest_config
from service.sample_share import generate_sample_share
from service.sample_share.content import document_dates, load_documents
from service.sample_share.render import render_document

logger = logging.getLogger(__name__)
COMPLETE = ".complete"
PLAIN = ("md", "txt")


def _ingest(context: BenchContext, pool: EncoderPool, home: Path, root: Path) -> RunSummary:
    """One ingest of ``root`` into ``home`` with the plan's (already loaded) ingest model."""
    profile = context.plan.ingest_profile
    settings = bench_settings(home, profile, context.model_cache, context.plan.threads)
    encoder = pool.get(profile)
    return ingest(home, [root], ingest_config(settings), encoder, pool.info(profile))


def _timed_ingest(
    context: BenchContext, pool: EncoderPool, home: Path, root: Path
) -> tuple[RunSummary, float]:
    return timed(lambda: _ingest(context, pool, home, root))


def _text_tree(context: BenchContext) -> Path:
    files = context.plan.tree_files
    tree = context.work_dir / f"tree-v{CORPUS_VERSION}-{files}"
    if not (tree / COMPLETE).exists():
        shutil.rmtree(tree, ignore_errors=True)
        write_text_tree(tree / "notities", files)
        (tree / COMPLETE).touch()
    return tree / "notities"


def _current_embeddings(home: Path) -> bool:
    """True when the home's embeddings were made from this Wegwijs's embedding input."""
    conn = connect(catalog_path(home), readonly=True)
    try:
        return get_meta(conn, "embedding_input") == EMBEDDING_INPUT
    finally:
        conn.close()


def measure_rescan(context: BenchContext, pool: EncoderPool) -> tuple[Table, dict[str, float]]:
    """Ingest a tree of small text files once, then time ingests that find nothing changed."""
    plan = context.plan
    tree = _text_tree(context)
    home = context.work_dir / f"tree-home-v{CORPUS_VERSION}-{plan.tree_files}-{plan.ingest_profile}"
    first = "reused from an earlier run"
    if not current_generation(home) or not _current_embeddings(home):
        shutil.rmtree(home, ignore_errors=True)
        summary, seconds = _timed_ingest(context, pool, home, tree)
        first = f"{seconds:.1f} s ({summary.chunks:,} chunks)"
    times: list[float] = []
    parsed = 0
    for _ in range(plan.runs):
        summary, seconds = _timed_ingest(context, pool, home, tree)
        times.append(seconds)
        parsed += summary.added + summary.updated + summary.skipped + summary.embedded
    rescan = spread(times)
    row = (
        f"{plan.tree_files:,}",
        first,
        rescan.show(2),
        f"{plan.tree_files / rescan.median:,.0f}",
        str(parsed),
    )
    header = ("files", "first ingest", "unchanged re-scan s", "files/s", "parsed or embedded")
    table = Table(f"Re-scan of an unchanged tree ({plan.ingest_profile})", header, (row,))
    return table, {"rescan.seconds": rescan.median, "rescan.files": float(plan.tree_files)}


def sample_share(context: BenchContext) -> Path:
    """The sample share (or its first ``plan.sample_files`` documents), written once."""
    keep = context.plan.sample_files
    share = context.work_dir / f"sample-share-{keep or 'all'}"
    if not (share / COMPLETE).exists():
        shutil.rmtree(share, ignore_errors=True)
        if keep:
            write_sample_documents(share / "share", keep)
        else:
            generate_sample_share(share / "share")
        (share / COMPLETE).touch()
    return share / "share"


def write_sample_documents(dest: Path, count: int) -> None:
    """Write only ``count`` documents of the sample share, plain-text ones first (no OWNERS)."""
    now = datetime.now(UTC)
    documents = sorted(load_documents(), key=lambda d: (d.file_format not in PLAIN, d.path))
    for document in documents[:count]:
        target = dest.joinpath(*PurePosixPath(document.path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_document(document, document_dates(document, now)))


def _chunk_texts(home: Path) -> list[str]:
    conn = connect(catalog_path(home), readonly=True)
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT text FROM chunks WHERE retired_seq IS NULL ORDER BY chunk_rowid"
            )
        ]
    finally:
        conn.close()


def measure_end_to_end(
    context: BenchContext, pool: EncoderPool
) -> tuple[Table, dict[str, float], Check]:
    """Ingest the sample share into a fresh home per run, then embed its chunks alone."""
    plan = context.plan
    share = sample_share(context)
    encoder = pool.get(plan.ingest_profile)
    rates: list[float] = []
    raws: list[float] = []
    chunks = 0
    for run in range(plan.runs):
        home = context.work_dir / "ingest-runs" / f"run-{run}"
        shutil.rmtree(home, ignore_errors=True)
        summary, seconds = _timed_ingest(context, pool, home, share)
        texts = _chunk_texts(home)
        if not texts:
            raise RuntimeError(f"Ingesting {share} gave no chunks: see the log for skipped files.")
        started = time.perf_counter()
        encoder.encode_passages(texts)
        raws.append(len(texts) / (time.perf_counter() - started))
        chunks = summary.chunks
        rates.append(chunks / seconds)
        shutil.rmtree(home, ignore_errors=True)
        logger.info("ingest run %d/%d done", run + 1, plan.runs)
    ratios = [rate / raw for rate, raw in zip(rates, raws, strict=True)]
    rate, raw, ratio = spread(rates), spread(raws), spread(ratios)
    row = (
        f"{chunks:,}",
        rate.show(2),
        raw.show(2),
        ratio.show(2),
        f"{chunks / rate.median - chunks / raw.median:.1f}",
    )
    header = ("chunks", "ingest chunks/s", "raw embed chunks/s", "ratio", "s not embedding")
    table = Table(f"End-to-end ingest of the sample share ({plan.ingest_profile})", header, (row,))
    goal = f"Sample share ingest rate / raw embedding rate ({plan.ingest_profile})"
    figures = {
        "ingest.ratio": ratio.median,
        "ingest.chunks_per_s": rate.median,
        "ingest.other_seconds": chunks / rate.median - chunks / raw.median,
    }
    return table, figures, check(goal, ratio.median, 0.85, False, 2)


def measure_ingest(context: BenchContext, pool: EncoderPool) -> Measured:
    """The ingest measurements: re-scan, sample share end to end, and a batch at scale."""
    rescan, figures = measure_rescan(context, pool)
    end_to_end, more, ratio = measure_end_to_end(context, pool)
    scale_tables, scale_figures, scale_checks = measure_scale(context, pool)
    plan = context.plan
    notes = (
        f"Re-scan: {plan.tree_files:,} generated .txt files (1–2 paragraphs of 15–40 words) "
        f"ingested once, then `ingest` run {plan.runs} times on the unchanged tree; each run still "
        "walks and stats every file, reads the catalog and publishes a new generation.",
        f"End to end: the sample share ({plan.sample_files or 'all'} documents, 12 formats) "
        "into a fresh home per run "
        "with the model already loaded and the default 2 parser processes; then the same chunk "
        "texts "
        "embedded alone with the same encoder (raw rate). `s not embedding` is the ingest time "
        "minus the time the raw rate needs for those chunks: parsing, chunking, catalog writes, "
        "publishing.",
        f"At scale: {plan.scale_files} generated .txt documents ({plan.scale_paragraphs} "
        "paragraphs of 60–90 Zipf-drawn Dutch or English words each, in sentences of 8–25 "
        "words) ingested with the "
        "`wegwijs ingest` code path into a fresh copy of a synthetic home of each size "
        "(generated chunks with random unit vectors, bound to the same model); the homes "
        "alternate order from run to run, and the raw rate embeds the batch's own embedding "
        "inputs (context title + text) right after the first ingest of each run. `index` is "
        "the kind of FAISS index the ingest published (exact up to 100,000 chunks).",
        f"Office batch: {plan.office_files} documents made from the sample share's 50 in turn "
        "(its 12 formats, the same layout, headings, tables, mails and attachments, every text "
        "replaced by as many Zipf-drawn words of its language), ingested and measured like the "
        "text batch. Its chunks are shorter than the text batch's (headings, table rows, "
        "slides), so they embed faster and parsing weighs more.",
    )
    both = figures | more | scale_figures
    finding = (
        f"Ingest of the sample share: {both['ingest.chunks_per_s']:.2f} chunks/s end to end, "
        f"{both['ingest.ratio']:.0%} of the raw embedding rate; "
        f"{both['ingest.other_seconds']:.0f} s of each run is not embedding (parser processes "
        "starting and parsing, catalog writes, publishing). An unchanged re-scan of "
        f"{both['rescan.files']:,.0f} files takes {both['rescan.seconds']:.2f} s."
    )
    small, large = plan.scale_sizes[0], plan.scale_sizes[-1]
    at_scale = (
        f"A batch of new text documents ingests at {both[f'scale.{small}.ratio']:.0%} of the raw "
        f"embedding rate into {small:,} chunks and {both[f'scale.{large}.ratio']:.0%} into "
        f"{large:,}; the rate at {large:,} is {both['scale.growth']:.2f} of the rate at {small:,}."
    )
    if f"scale.office.{small}.ratio" in both:
        at_scale += (
            f" The office batch: {both[f'scale.office.{small}.ratio']:.0%} into {small:,} and "
            f"{both[f'scale.office.{large}.ratio']:.0%} into {large:,}."
        )
    return Measured(
        (rescan, end_to_end, *scale_tables),
        notes,
        both,
        (ratio, *scale_checks),
        (finding, at_scale),
    )
