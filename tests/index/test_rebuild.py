"""Damaged index files are detected; the service falls back or the index is rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import vectors
from index.build import RunSummary
from index.catalog import catalog_path, connect
from index.encoder import SentenceTransformerEncoder
from index.errors import IndexCorruptError, IndexMismatchError
from index.governance import copy_refresh, topic_place
from index.rebuild import reindex
from index.search import Searcher
from index.stamp import governance_current
from ingest.chunk import ChunkingConfig
from service.engine import make_encoder, model_info
from service.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def home_copy(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    home = tmp_path / "home"
    shutil.copytree(sample_settings.home, home)
    return home


def _vectors_file(home: Path, generation: int) -> Path:
    return vectors.index_dir(home) / f"gen-{generation:06d}" / vectors.VECTORS_FILE


def test_bit_flip_is_detected_and_reindex_publishes_an_intact_generation(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    live = vectors.current_generation(home_copy)
    path = _vectors_file(home_copy, live)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="reindex"):
        vectors.load(home_copy)
    with pytest.raises(IndexCorruptError, match="No intact index generation"):
        vectors.load_newest_valid(home_copy)
    manifest = reindex(home_copy, encoder, model_info(encoder), ChunkingConfig())
    assert manifest.generation == live + 1
    searcher = Searcher.open(home_copy, encoder, encoder.profile.name)
    assert searcher.search("vakantiedagen", top_k=1)


def test_truncated_live_generation_falls_back_to_the_previous_one(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    first = reindex(home_copy, encoder, model_info(encoder), ChunkingConfig())
    second = reindex(home_copy, encoder, model_info(encoder), ChunkingConfig())
    path = _vectors_file(home_copy, second.generation)
    path.write_bytes(path.read_bytes()[:100])
    manifest, index = vectors.load_newest_valid(home_copy)
    assert manifest.generation == first.generation
    assert index.ntotal == first.vector_count


def test_an_index_of_another_model_is_refused_with_the_fix(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    with pytest.raises(IndexMismatchError, match="reindex"):
        Searcher.open(home_copy, encoder, "some-other-model")


def test_reindex_with_another_model_refreshes_topics_and_copies_from_its_embeddings(
    home_copy: Path,
) -> None:
    other = make_encoder(make_settings(home_copy, model="minilm-en"))
    reindex(home_copy, other, model_info(other), ChunkingConfig())
    conn = connect(catalog_path(home_copy))
    try:
        for key in (topic_place.RECORD_KEY, copy_refresh.RECORD_KEY):
            record = topic_place.read_record(conn, key)
            assert record is not None and '"model_profile": "minilm-en"' in record.settings
        assert governance_current(conn)
    finally:
        conn.close()
