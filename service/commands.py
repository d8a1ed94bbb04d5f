"""Bodies of the CLI commands: compose settings, library calls and rendering."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.build import RunSummary, ingest
from index.catalog import catalog_path, connect
from index.governance.gaps import recheck_gaps
from index.search import SEARCH_MODES, Searcher
from ingest.discover import CrawlConfig
from service.engine import (
    ingest_config,
    make_encoder,
    model_info,
    one_shot_searcher,
    prepare_query_model,
    search_config,
)
from service.render import hit_lines, hit_record
from service.settings import Settings

logger = logging.getLogger(__name__)


def run_ingest(
    settings: Settings,
    roots: list[Path],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    progress: bool,
) -> RunSummary:
    """Ingest roots into the home of ``settings``."""
    encoder = make_encoder(settings)
    config = replace(ingest_config(settings), crawl=CrawlConfig(include=include, exclude=exclude))
    summary = ingest(settings.home, roots, config, encoder, model_info(encoder), progress=progress)
    profile = encoder.profile.name
    recheck_gaps(Searcher.open(settings.home, encoder, profile, search_config(settings)))
    return summary


def run_reindex(settings: Settings, progress: bool) -> str:
    """Republish the index from the catalog (re-embedding if the model changed)."""
    from index.rebuild import reindex

    encoder = make_encoder(settings)
    chunking = ingest_config(settings).chunking
    manifest = reindex(settings.home, encoder, model_info(encoder), chunking, progress)
    measured = (
        f"; {manifest.index_kind} nprobe {manifest.search_effort}: recall@10 "
        f"{manifest.probe_recall:.3f} on {manifest.probes} probe queries"
        if manifest.probes
        else ""
    )
    return (
        f"Published generation {manifest.generation}: {manifest.vector_count:,} chunks of "
        f"{manifest.document_count:,} documents with model {manifest.model_profile}{measured}"
    )


def run_search(settings: Settings, query: str, top_k: int, mode: str, as_json: bool) -> list[str]:
    """Search and render hits as terminal lines or JSON lines."""
    if mode not in SEARCH_MODES:
        raise ValueError(f"Unknown mode '{mode}': choose one of {', '.join(SEARCH_MODES)}.")
    with one_shot_searcher(settings) as searcher:
        hits = searcher.search(query, top_k=top_k, mode=mode)
    if as_json:
        return [json.dumps(hit_record(hit), ensure_ascii=False) for hit in hits]
    lines = [line for rank, hit in enumerate(hits, 1) for line in [*hit_lines(rank, hit), ""]]
    return lines or [f"No passages found for '{query}'."]


def run_ask(
    settings: Settings, question: str, as_json: bool, mode: str = "extractive"
) -> tuple[list[str], bool]:
    """Answer a question; lines of text or one JSON line, and whether it is confident.

    ``mode`` ``generate`` asks the configured language model, falling back to extractive.
    """
    from service.answering import answer, generator_for, parse_mode
    from service.i18n import guess_language
    from service.render import answer_lines, answer_record

    if not question.strip():
        raise ValueError("The question is empty: say what you want to know.")
    with one_shot_searcher(settings) as searcher:
        result = answer(searcher, question.strip(), None, parse_mode(mode), generator_for(settings))
    lang = guess_language(question)
    if as_json:
        return [json.dumps(answer_record(result, lang), ensure_ascii=False)], result.confident
    return answer_lines(result, lang), result.confident


def list_errors(settings: Settings) -> list[dict[str, Any]]:
    """Files that could not be indexed, with their reasons."""
    path = catalog_path(settings.home)
    if not path.exists():
        return []
    conn = connect(path, readonly=True)
    rows = conn.execute(
        "SELECT doc_id, path, reason, recorded_at FROM errors ORDER BY path"
    ).fetchall()
    conn.close()
    return [dict(row) for row in rows]


# How long uvicorn's supervisor waits for a worker to answer its ping before it kills the worker
# as hung (uvicorn's default: 5 s). A spawned worker answers only once it has imported the CLI;
# on a loaded 2-core machine that took longer than 5 s, and the supervisor killed and restarted
# both workers for 15 minutes without either starting (BENCHMARKS.md, "Session 7").
WORKER_PING_S = 60


def run_server(settings: Settings) -> None:
    """Serve the page and API with uvicorn: in this process, or in ``settings.workers``
    (unset: ``auto_workers`` for this machine)."""
    import uvicorn

    from service.api import SETTINGS_ENV, create_app
    from service.capacity import auto_workers

    workers = settings.workers or auto_workers()
    prepare_query_model(settings)
    logger.info("Serving with %d process(es)%s", workers, "" if settings.workers else " (auto)")
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
        return
    os.environ[SETTINGS_ENV] = settings.to_json()  # inherited by the worker processes
    uvicorn.run(
        "service.api:app_from_environment",
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=WORKER_PING_S,
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


def prepare_demo(settings: Settings) -> RunSummary:
    """Generate the sample share into the home (once) and ingest it."""
    from service.sample_share import generate_sample_share

    share = settings.home / "sample-share"
    if not share.exists():
        generate_sample_share(share)
    return run_ingest(settings, [share], (), (), progress=True)
