"""Composition: build the stage configs, the encoder and the searcher from ``Settings``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from index.catalog import migrate_catalog
from index.encoder import QueryConfig, SentenceTransformerEncoder
from index.governance.config import GovernanceConfig
from index.profiles import get_profile
from index.read_marks import holding_mark
from index.search import SearchConfig, Searcher
from index.threads import configure_threads
from ingest.parse import ParseLimits
from ingest.pipeline import IngestConfig
from ingest.workers import WorkerConfig
from service.settings import Settings


def make_encoder(settings: Settings) -> SentenceTransformerEncoder:
    """The embedding model of the configured profile, with threads set once."""
    configure_threads(settings.threads)
    return SentenceTransformerEncoder(
        get_profile(settings.model),
        settings.model_cache,
        queries=QueryConfig(settings.query_runtime, settings.threads, settings.query_cache),
    )


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
    """The fusion settings (weights, candidates, completion, normalisation) and the lexical
    arm's BM25 parameters, nothing logged."""
    return SearchConfig(
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        candidates=settings.fusion_candidates,
        completion=settings.fusion_completion,
        normalisation=settings.fusion_normalisation,
        bm25=settings.bm25,
    )
