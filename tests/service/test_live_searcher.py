"""The service's live searcher hands out a newly published generation once it is ready."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from index.build import RunSummary
from index.catalog import catalog_path, connect
from index.encoder import SentenceTransformerEncoder
from index.publish import publish_from_catalog
from index.read_marks import marks_dir, oldest_read
from ingest.chunk import ChunkingConfig
from service import state
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


def _swapped(live: LiveSearcher, generation: int) -> None:
    deadline = time.monotonic() + 60
    while live.get().manifest.generation != generation:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_the_read_mark_follows_the_handed_out_generation_and_the_one_swapped_out(
    sample_ingest: RunSummary,
    sample_settings: Settings,
    encoder: SentenceTransformerEncoder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = copy_home(sample_settings.home, tmp_path / "home")
    live = LiveSearcher(make_settings(home), open_searcher)
    first = live.get()
    assert oldest_read(home) == first.manifest.catalog_seq
    connection = connect(catalog_path(home))
    connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'seq'")
    connection.commit()
    connection.close()
    _swapped(live, _publish(home, encoder))
    assert oldest_read(home) == first.manifest.catalog_seq  # requests may still hold it
    monkeypatch.setattr(state, "RETIRE_SECONDS", 0.0)
    _swapped(live, _publish(home, encoder))
    time.sleep(RECHECK_SECONDS)
    newest = live.get().manifest.catalog_seq
    assert oldest_read(home) == newest > first.manifest.catalog_seq
    live.close()
    assert oldest_read(home) is None and not list(marks_dir(home).iterdir())
