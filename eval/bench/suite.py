"""The benchmark sections, in the order they run, and running them with timing and load."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from eval.bench.api_latency import measure_http
from eval.bench.embed import measure_embedding
from eval.bench.encoders import EncoderPool
from eval.bench.ingest_rate import measure_ingest
from eval.bench.machine import load_line
from eval.bench.memory import measure_memory
from eval.bench.parse_rate import measure_parsing
from eval.bench.peers import measure_peers
from eval.bench.plan import BenchContext
from eval.bench.results import Measured, SectionResult, save_result
from eval.bench.vectors import measure_vectors
from index.threads import configure_threads

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    """A named measurement and its heading in the report."""

    title: str
    measure: Callable[[BenchContext, EncoderPool], Measured]


SECTIONS: dict[str, Section] = {
    "embed": Section("Embedding speed per model profile", measure_embedding),
    "http": Section("Query latency over HTTP", measure_http),
    "vectors": Section("Vector search alone at scale: exact vs ANN", measure_vectors),
    "ingest": Section("Ingest: unchanged re-scan and end-to-end rate", measure_ingest),
    "memory": Section("Resident memory per chunk", measure_memory),
    "peers": Section("Side by side: chromadb, Qdrant local, LanceDB", measure_peers),
    "parse": Section("Parse rate per file format", measure_parsing),
}


def run_section(key: str, context: BenchContext, pool: EncoderPool) -> SectionResult:
    """Run one section, save its result in the work dir and return it."""
    section = SECTIONS[key]
    logger.info("Section %s: %s", key, section.title)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = load_line()
    started = time.monotonic()
    measured = section.measure(context, pool)
    result = SectionResult(
        key=key,
        title=section.title,
        started_at=started_at,
        seconds=time.monotonic() - started,
        load_before=load_before,
        load_after=load_line(),
        tables=measured.tables,
        notes=measured.notes,
        figures=measured.figures,
        checks=measured.checks,
        findings=measured.findings,
    )
    save_result(context.work_dir, result)
    return result


def run_sections(keys: tuple[str, ...], context: BenchContext) -> list[SectionResult]:
    """Run the given sections in ``SECTIONS`` order, with threads set once for the process."""
    configure_threads(context.plan.threads)
    pool = EncoderPool(context.model_cache, context.plan.threads)
    return [run_section(key, context, pool) for key in SECTIONS if key in keys]
