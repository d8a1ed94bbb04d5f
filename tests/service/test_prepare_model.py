"""``wegwijs serve`` exports the query model once, before its processes start."""

from __future__ import annotations

from pathlib import Path

from index.encoder import SentenceTransformerEncoder
from index.onnx_export import onnx_exported
from index.profiles import get_profile
from service.engine import prepare_query_model
from tests.conftest import make_settings


def test_the_export_is_made_once_and_then_found(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", model="minilm-en")
    settings = settings.model_copy(update={"model_cache_dir": tmp_path / "models"})
    encoder = SentenceTransformerEncoder(get_profile("minilm-en"), settings.model_cache)
    assert not onnx_exported(settings.model_cache, encoder.model_dir, encoder.weights_sha256)
    prepare_query_model(settings)  # exports in a spawned process
    assert onnx_exported(settings.model_cache, encoder.model_dir, encoder.weights_sha256)
    exports = sorted(settings.model_cache.iterdir())
    prepare_query_model(settings)  # found: nothing is exported again
    assert sorted(settings.model_cache.iterdir()) == exports


def test_the_torch_runtime_needs_no_export(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", model="minilm-en", query_runtime="torch")
    settings = settings.model_copy(update={"model_cache_dir": tmp_path / "models"})
    prepare_query_model(settings)
    assert not (tmp_path / "models").exists()
