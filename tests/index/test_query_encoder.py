"""The ONNX query path gives the torch model's vectors, caches them, and checks its export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.e5_convert import ModelCacheError
from index.encoder import QueryConfig, SentenceTransformerEncoder
from index.onnx_export import DATA_FILE, ONNX_FILE, ensure_onnx_model
from index.profiles import get_profile
from index.query_encoder import OnnxQueryEncoder
from service.settings import Settings

QUERIES = [
    "Hoeveel vakantiedagen krijg ik per jaar?",
    "Wie beslist over een verlofaanvraag van meer dan drie weken?",
    "How many days of leave do I get each year?",
    "expense claim deadline",
    "thuiswerkvergoeding",
    "Wat zijn de regels voor het declareren van reiskosten met de eigen auto naar een klant "
    "in het buitenland, en welke bonnen moet ik bewaren voor de belastingdienst?",
]


@pytest.fixture(scope="module")
def encoders(sample_settings: Settings) -> tuple[SentenceTransformerEncoder, ...]:
    profile = get_profile("multilingual-e5-small")
    cache = sample_settings.model_cache
    onnx = SentenceTransformerEncoder(profile, cache, queries=QueryConfig("onnx", threads=2))
    torch = SentenceTransformerEncoder(profile, cache, queries=QueryConfig("torch"))
    return onnx, torch


def test_onnx_query_vectors_match_torch_one_by_one_and_batched(
    encoders: tuple[SentenceTransformerEncoder, ...],
) -> None:
    onnx, torch = encoders
    expected = torch.encode_queries(QUERIES)
    one_by_one = np.vstack([onnx.encode_queries([query]) for query in QUERIES])
    batched = onnx.encode_queries(QUERIES)
    for found in (one_by_one, batched):
        assert found.shape == expected.shape == (len(QUERIES), onnx.dimension)
        assert onnx.dimension == onnx.onnx_queries.dimension == torch.dimension
        assert np.linalg.norm(found, axis=1) == pytest.approx(1.0, abs=1e-5)
        assert np.min(np.sum(found * expected, axis=1)) >= 0.9999


def test_a_repeated_query_comes_from_the_cache(
    encoders: tuple[SentenceTransformerEncoder, ...],
) -> None:
    onnx, _ = encoders
    first = onnx.encode_queries(["Hoe vraag ik ouderschapsverlof aan?"])
    again = onnx.encode_queries(["Hoe vraag ik ouderschapsverlof aan?"])
    assert np.array_equal(first, again)
    assert "query: Hoe vraag ik ouderschapsverlof aan?" in onnx.onnx_queries._recent


def test_the_weights_are_mapped_from_their_own_file_not_copied(
    encoders: tuple[SentenceTransformerEncoder, ...],
) -> None:
    onnx, _ = encoders
    onnx.encode_queries(["Wie is eigenaar van het verlofbeleid?"])
    folder = onnx.onnx_queries.folder
    weights = folder / DATA_FILE
    assert weights.stat().st_size > 100 * (folder / ONNX_FILE).stat().st_size
    assert str(weights) in Path("/proc/self/maps").read_text()


@pytest.mark.parametrize("changed", [ONNX_FILE, DATA_FILE])
def test_a_changed_export_is_refused_with_the_way_out(
    encoders: tuple[SentenceTransformerEncoder, ...], tmp_path: Path, changed: str
) -> None:
    onnx, _ = encoders
    folder = onnx.onnx_queries.folder
    cache = tmp_path / "cache"
    copy = cache / folder.name
    shutil.copytree(folder, copy)
    assert ensure_onnx_model(cache, onnx.model_dir, onnx.weights_sha256) == copy
    with (copy / changed).open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelCacheError, match="delete .* exported again"):
        ensure_onnx_model(cache, onnx.model_dir, onnx.weights_sha256)


def test_an_export_replaces_older_versions_whatever_the_working_directory(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = get_profile("minilm-en")
    shipped = SentenceTransformerEncoder(profile, sample_settings.model_cache)
    cache = tmp_path / "cache"
    older = cache / f"{shipped.model_dir.name}-onnx1-{shipped.weights_sha256[:12]}"
    older.mkdir(parents=True)
    (older / ONNX_FILE).write_bytes(b"an export of exporter version 1")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / DATA_FILE).write_bytes(b"not ours")  # save_model(external) refused to write
    monkeypatch.chdir(elsewhere)
    folder = ensure_onnx_model(cache, shipped.model_dir, shipped.weights_sha256)
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [ONNX_FILE, DATA_FILE, "tokenizer.json", "wegwijs-onnx.json"]
    )
    assert not older.exists()
    onnx = OnnxQueryEncoder(folder, profile.max_seq_length, threads=1)
    expected = shipped.encode_queries(QUERIES[:3])
    assert np.min(np.sum(onnx.encode(QUERIES[:3]) * expected, axis=1)) >= 0.9999


def test_a_model_the_export_cannot_reproduce_is_refused_as_such(tmp_path: Path) -> None:
    model = tmp_path / "cls-model"
    (model / "1_Pooling").mkdir(parents=True)
    types = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"]
    (model / "modules.json").write_text(json.dumps([{"type": kind} for kind in types]))
    (model / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode": "cls"}))
    with pytest.raises(ModelCacheError) as refused:
        ensure_onnx_model(tmp_path / "cache", model, "0" * 64)
    assert "cls pooling" in str(refused.value)
    assert "writable" not in str(refused.value)
