"""Composition: build the stage configs, the encoder and the searcher from ``Settings``."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

from index.catalog import migrate_catalog
from index.encoder import QueryConfig, SentenceTransformerEncoder
from index.governance.config import GovernanceConfig
from index.onnx_export import onnx_exported
from index.profiles import get_profile
from index.read_marks import holding_mark
from index.search import SearchConfig, Searcher
from index.threads import configure_threads
from ingest.parse import ParseLimits
from ingest.pipeline import IngestConfig
from ingest.workers import WorkerConfig
from service.settings import Settings

logger = logging.getLogger(__name__)


def make_encoder(settings: Settings) -> SentenceTransformerEncoder:
    """The embedding model of the configured profile, with threads set once."""
    configure_threads(settings.threads)
    return SentenceTransformerEncoder(
        get_profile(settings.model),
        settings.model_cache,
        queries=QueryConfig(settings.query_runtime, settings.threads, settings.query_cache),
    )


def prepare_query_model(settings: Settings) -> None:
    """Convert and export the query model into the model cache once, before the server
    processes start: each would otherwise do it on a first start (an upgrade's new export too),
    all at once. Converting needs numpy alone and is done here; exporting loads torch, so it
    runs in a process of its own (3 s to start), and only when the export is not there yet.

    Raises:
        ModelCacheError: the model cannot be converted or exported (the server does not start).
    """
    if settings.query_runtime != "onnx":
        return
    encoder = SentenceTransformerEncoder(get_profile(settings.model), settings.model_cache)
    if onnx_exported(settings.model_cache, encoder.model_dir, encoder.weights_sha256):
        return
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        pool.submit(_export_query_model, settings.to_json()).result()


def _export_query_model(settings_json: str) -> None:
    settings = Settings.from_json(settings_json)
    folder = make_encoder(settings).onnx_queries.folder
    logger.info("The query model is ready in %s", folder)


def model_info(encoder: SentenceTransformerEncoder) -> dict[str, str]:
    """What the catalog and manifest record about the model."""
    return {
        "profile": encoder.profile.name,
        "name": encoder.profile.description,
        "weights_sha256": encoder.weights_sha256,
    }


def ingest_config(settings: Settings) -> IngestConfig:
    """Ingest configuration from settings (crawl globs come from the CLI)."""
    workers = WorkerConfig(
        workers=settings.parse_workers,
        timeout_s=settings.parse_timeout,
        memory_bytes=settings.parse_memory_mb * 1024 * 1024,
    )
    return IngestConfig(limits=ParseLimits(), workers=workers)


def open_searcher(settings: Settings) -> Searcher:
    """Load the live generation of the home with the configured model (an older catalog is
    migrated first: its readers come from its mode bits until the next ingest)."""
    migrate_catalog(settings.home)
    encoder = make_encoder(settings)
    config = search_config(settings)
    return Searcher.open(
        settings.home, encoder, encoder.profile.name, config, settings.lexical_memory
    )


@contextmanager
def one_shot_searcher(settings: Settings) -> Iterator[Searcher]:
    """A searcher for one command (``search``, ``ask``, ``experts``, ``gaps``), under a read
    mark at 0 so that an ingest running meanwhile purges nothing it may read; its query log is
    written when the command is done."""
    with holding_mark(settings.home):
        searcher = open_searcher(settings)
        try:
            yield searcher
        finally:
            searcher.query_log.close()


def search_config(settings: Settings) -> SearchConfig:
    """Ranking and governance settings of the service; its searches are logged."""
    governance = GovernanceConfig(
        demotion=settings.outdated_demotion, gap_threshold=settings.gap_threshold, log_queries=True
    )
    return replace(ranking_config(settings), governance=governance)


def ranking_config(settings: Settings) -> SearchConfig:
    """The fusion settings (weights, candidates, completion, normalisation, coverage) and the
    lexical arm's BM25 parameters, nothing logged."""
    return SearchConfig(
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        candidates=settings.fusion_candidates,
        completion=settings.fusion_completion,
        normalisation=settings.fusion_normalisation,
        lexical_coverage=settings.fusion_lexical_coverage,
        document_coverage=settings.fusion_document_coverage,
        bm25=settings.bm25,
    )
