"""The service's live searcher hands out a newly published generation once it is ready."""

from __future__ import annotations

import time
from pathlib import Path

from index.build import RunSummary
from index.catalog import catalog_path, connect
from index.encoder import SentenceTransformerEncoder
from index.publish import publish_from_catalog
from ingest.chunk import ChunkingConfig
from service.engine import model_info, open_searcher
from service.settings import Settings
from service.state import RECHECK_SECONDS, LiveSearcher
from tests.conftest import make_settings
from tests.governance_support import copy_home


def _publish(home: Path, encoder: SentenceTransformerEncoder) -> int:
    conn = connect(catalog_path(home))
    try:
        dimension = encoder.dimension
        return publish_from_catalog(
            conn, home, dimension, model_info(encoder), ChunkingConfig()
        ).generation
    finally:
        conn.close()


def test_a_new_generation_is_handed_out_with_its_postings_built(
    sample_ingest: RunSummary,
    sample_settings: Settings,
    encoder: SentenceTransformerEncoder,
    tmp_path: Path,
) -> None:
    home = copy_home(sample_settings.home, tmp_path / "home")
    live = LiveSearcher(make_settings(home), open_searcher)
    first = live.get()
    newer = _publish(home, encoder)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        searcher = live.get()  # no 2 s recheck pause while a new generation is pending
        seen.append(searcher.manifest.generation)
        if searcher.manifest.generation == newer:
            break
        assert searcher is first
        time.sleep(0.01)
    assert seen[-1] == newer > first.manifest.generation
    assert searcher.lexical_memory.postings is not None  # ready when handed out
    assert searcher.search("vakantiedagen", mode="lexical")


def test_the_loaded_searcher_is_handed_out_without_a_look_only_between_looks(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path: Path
) -> None:
    home = copy_home(sample_settings.home, tmp_path / "home")
    live = LiveSearcher(make_settings(home), open_searcher)
    assert live.loaded() is None  # nothing loaded yet: get() has to load
    searcher = live.get()
    assert live.loaded() is searcher
    time.sleep(RECHECK_SECONDS)
    assert live.loaded() is None  # a look for a newer generation is due
    assert live.get() is searcher and live.loaded() is searcher  # looked: nothing newer
