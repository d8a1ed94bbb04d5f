"""Publishing chooses exact or approximate search by size; ANN generations search, filter, load."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
import pytest

from index import vectors
from index.ann import AnnConfig
from index.build import RunSummary
from index.calibration import PROBES, EncodeQueries, ladder
from index.catalog import catalog_path, connect, transaction
from index.encoder import SentenceTransformerEncoder
from index.errors import IndexCorruptError
from index.filters import Filters
from index.models import Manifest
from index.publish import IndexChoice, publish_from_catalog
from index.search import Searcher
from ingest.chunk import ChunkingConfig
from service.engine import model_info
from service.settings import Settings
from tests.catalog_support import add_document, blobs

QUERY = "Hoeveel vakantiedagen krijg ik per jaar?"


@pytest.fixture
def home_copy(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    home = tmp_path / "home"
    shutil.copytree(sample_settings.home, home)
    return home


def _publish(
    home: Path,
    encoder: SentenceTransformerEncoder,
    choice: IndexChoice,
    encode_queries: EncodeQueries | None = None,
) -> Manifest:
    conn = connect(catalog_path(home))
    try:
        return publish_from_catalog(
            conn, home, encoder.dimension, model_info(encoder), ChunkingConfig(), choice,
            encode_queries,
        )  # fmt: skip
    finally:
        conn.close()


def _ivf(nprobe: int) -> IndexChoice:
    return IndexChoice(exact_limit=20, ann=AnnConfig(kind="ivf_sq8", nlist=16, nprobe=nprobe))


def test_small_generations_stay_exact(home_copy: Path, encoder: SentenceTransformerEncoder) -> None:
    manifest = _publish(home_copy, encoder, IndexChoice())
    assert (manifest.index_kind, manifest.search_effort) == ("exact", 0)
    _, index = vectors.load(home_copy)
    assert isinstance(faiss.downcast_index(index.index), faiss.IndexFlatIP)


def test_past_the_limit_the_generation_is_ivf_and_finds_what_exact_finds(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    exact = Searcher.open(home_copy, encoder, encoder.profile.name)
    manifest = _publish(home_copy, encoder, _ivf(nprobe=16))
    assert (manifest.index_kind, manifest.search_effort) == ("ivf_sq8", 16)
    approximate = Searcher.open(home_copy, encoder, encoder.profile.name)
    assert approximate.manifest.generation == manifest.generation
    truth = sorted(exact.dense(QUERY, 10, Filters()).items(), key=lambda item: -item[1])
    found = sorted(approximate.dense(QUERY, 10, Filters()).items(), key=lambda item: -item[1])
    assert [chunk for chunk, _ in found[:3]] == [chunk for chunk, _ in truth[:3]]
    for (_, want), (_, got) in zip(truth, found, strict=True):
        assert got == pytest.approx(want, abs=0.02)  # 8-bit quantised vectors


def test_a_narrow_filter_still_finds_its_chunks_with_a_low_nprobe(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    exact = Searcher.open(home_copy, encoder, encoder.profile.name)
    _publish(home_copy, encoder, _ivf(nprobe=1))
    approximate = Searcher.open(home_copy, encoder, encoder.profile.name)
    narrow = Filters(file_type="pdf")
    allowed = exact._allowed_ids(narrow)
    assert allowed is not None and 0 < len(allowed) < approximate.index.ntotal / 4
    assert set(exact.dense(QUERY, 100, narrow)) == set(allowed.ids.tolist())
    found = set(approximate.dense(QUERY, 100, narrow))
    assert found <= set(allowed.ids.tolist())
    # One list of 16 holds about a sixteenth of them; the effort grows with the filter instead.
    assert len(found) >= 0.6 * len(allowed)
    hits = approximate.search(QUERY, top_k=5, filters=narrow)
    assert hits and all(hit.file_type == "pdf" for hit in hits)


def test_an_ann_generation_with_a_wrong_manifest_kind_falls_back(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    before = vectors.current_generation(home_copy)
    manifest = _publish(home_copy, encoder, _ivf(nprobe=4))
    path = vectors.index_dir(home_copy) / f"gen-{manifest.generation:06d}" / vectors.MANIFEST_FILE
    recorded = json.loads(path.read_text())
    path.write_text(json.dumps({**recorded, "index_kind": "exact"}))
    with pytest.raises(IndexCorruptError, match="ivf_sq8 index, its manifest says exact"):
        vectors.load(home_copy)
    fallback = Searcher.open(home_copy, encoder, encoder.profile.name)
    assert fallback.manifest.generation == before
    assert fallback.manifest.index_kind == "exact"
    assert fallback.search(QUERY, top_k=1)


def test_a_deleted_document_is_gone_from_the_next_ann_generation(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    conn = connect(catalog_path(home_copy))
    doc_id, text = conn.execute("SELECT doc_id, text FROM chunks ORDER BY chunk_rowid").fetchone()
    removed = {
        row[0] for row in conn.execute("SELECT chunk_rowid FROM chunks WHERE doc_id = ?", [doc_id])
    }
    total = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    with transaction(conn):
        marks = ",".join("?" * len(removed))
        conn.execute(f"DELETE FROM chunks_fts WHERE rowid IN ({marks})", sorted(removed))
        conn.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])
    conn.close()
    manifest = _publish(home_copy, encoder, _ivf(nprobe=16))
    assert (manifest.index_kind, manifest.vector_count) == ("ivf_sq8", total - len(removed))
    searcher = Searcher.open(home_copy, encoder, encoder.profile.name)
    found = searcher.dense(text, 100, Filters())
    assert found and not set(found) & removed


def test_an_ivf_generation_measures_its_nprobe_on_its_own_text(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    manifest = _publish(home_copy, encoder, _ivf(nprobe=0), encoder.encode_queries)
    conn = connect(catalog_path(home_copy))
    chunks = conn.execute("SELECT count(*) FROM chunks WHERE retired_seq IS NULL").fetchone()[0]
    conn.close()
    assert manifest.index_kind == "ivf_sq8"
    assert manifest.search_effort in ladder(16)
    assert manifest.probes == min(PROBES, chunks)
    assert manifest.probe_recall >= 0.95 or manifest.search_effort == 16
    served = Searcher.open(home_copy, encoder, encoder.profile.name)
    assert served.manifest.search_effort == manifest.search_effort


def test_a_publish_on_the_same_training_keeps_the_measured_nprobe(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    batches: list[int] = []

    def encode_queries(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        batches.append(len(texts))
        return encoder.encode_queries(texts)

    first = _publish(home_copy, encoder, _ivf(nprobe=0), encode_queries)
    second = _publish(home_copy, encoder, _ivf(nprobe=0), encode_queries)
    assert (first.reused_training, second.reused_training) == (False, True)
    assert (second.search_effort, second.probe_recall, second.probes) == (
        first.search_effort,
        first.probe_recall,
        first.probes,
    )
    assert batches == [first.probes]


def test_an_nprobe_set_by_hand_is_not_calibrated(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    calibrated = _publish(home_copy, encoder, _ivf(nprobe=0), encoder.encode_queries)
    assert calibrated.probes
    manifest = _publish(home_copy, encoder, _ivf(nprobe=4), encoder.encode_queries)
    assert manifest.reused_training
    assert (manifest.search_effort, manifest.probes, manifest.probe_recall) == (4, 0, 0.0)


def test_read_vectors_returns_every_current_embedding_in_id_order(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    stored = rng.standard_normal((5_000, 8)).astype(np.float32)
    retired = [1 if n % 7 == 3 else None for n in range(len(stored))]
    add_document(tmp_path, "a.txt", blobs(stored), retired)
    conn = connect(catalog_path(tmp_path), readonly=True)
    try:
        ids, found = vectors.read_vectors(conn, 8)
    finally:
        conn.close()
    current = [n for n in range(len(stored)) if n % 7 != 3]
    assert ids.tolist() == [n + 1 for n in current]
    assert np.array_equal(found, stored[current])
    assert found.flags.writeable
