"""``/healthz`` says ``degraded`` and why: a fallback generation, a catalog ahead of the index."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from index import vectors
from index.build import RunSummary
from index.catalog import catalog_path
from index.encoder import SentenceTransformerEncoder
from index.rebuild import reindex
from ingest.chunk import ChunkingConfig
from service.api import create_app
from service.engine import model_info
from service.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def home_copy(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    home = tmp_path / "home"
    shutil.copytree(sample_settings.home, home, ignore=shutil.ignore_patterns("models"))
    return home


def _health(home: Path) -> dict[str, Any]:
    with TestClient(create_app(make_settings(home))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_an_intact_home_is_ok(home_copy: Path) -> None:
    health = _health(home_copy)
    assert (health["status"], health["detail"]) == ("ok", None)


def test_serving_a_fallback_generation_is_degraded_with_the_reason(
    home_copy: Path, encoder: SentenceTransformerEncoder
) -> None:
    first = reindex(home_copy, encoder, model_info(encoder), ChunkingConfig())
    second = reindex(home_copy, encoder, model_info(encoder), ChunkingConfig())
    damaged = vectors.index_dir(home_copy) / f"gen-{second.generation:06d}" / vectors.VECTORS_FILE
    damaged.write_bytes(damaged.read_bytes()[:64])
    health = _health(home_copy)
    assert health["status"] == "degraded"
    assert health["generation"] == first.generation
    assert f"CURRENT names {second.generation}" in health["detail"]


def test_a_catalog_ahead_of_the_index_is_degraded(home_copy: Path) -> None:
    conn = sqlite3.connect(catalog_path(home_copy))
    with conn:
        conn.execute("DELETE FROM chunks WHERE chunk_rowid = (SELECT max(chunk_rowid) FROM chunks)")
    conn.close()
    health = _health(home_copy)
    assert health["status"] == "degraded"
    assert "reindex" in health["detail"]


def test_a_damaged_current_pointer_keeps_serving_and_says_so(home_copy: Path) -> None:
    live = vectors.current_generation(home_copy)
    (vectors.index_dir(home_copy) / vectors.CURRENT_FILE).write_bytes(b"gen-\xff\x00garbage")
    health = _health(home_copy)
    assert health["status"] == "degraded"
    assert health["generation"] == live
    assert "damaged" in health["detail"]
