"""Settings: the BM25 parameters of the lexical arm, and what FTS5 alone can rank with."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from index.postings import Bm25Config
from index.search import TUNED_BM25, SearchConfig
from service.engine import ranking_config
from service.settings import Settings


def test_bm25_defaults_come_from_the_search_config() -> None:
    settings = Settings(_env_file=None)
    assert settings.bm25 == SearchConfig().bm25 == TUNED_BM25
    assert ranking_config(settings).bm25 == TUNED_BM25


def test_bm25_settings_reach_the_ranking_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_BM25_K1", "0.9")
    monkeypatch.setenv("WEGWIJS_BM25_B", "0.4")
    monkeypatch.setenv("WEGWIJS_BM25_IDF", "lucene")
    assert ranking_config(Settings(_env_file=None)).bm25 == Bm25Config(0.9, 0.4, "lucene")


@pytest.mark.parametrize("bad", [{"bm25_b": 1.5}, {"bm25_k1": -1}, {"bm25_idf": "okapi"}])
def test_impossible_bm25_parameters_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **bad)  # type: ignore[arg-type]


def test_fts5_alone_is_refused_with_other_parameters_than_its_own() -> None:
    with pytest.raises(ValidationError, match="WEGWIJS_BM25_K1=1.2 WEGWIJS_BM25_B=0.75"):
        Settings(_env_file=None, lexical_memory=False)
    fts5 = Settings(_env_file=None, lexical_memory=False, bm25_k1=1.2, bm25_b=0.75)
    assert fts5.bm25.is_fts5


def test_a_worker_rebuilds_the_settings_exactly_secrets_included(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parent = Settings(_env_file=None, proxy_secret="s3cret", workers=None, bm25_k1=0.9)  # type: ignore[arg-type]
    monkeypatch.setenv("WEGWIJS_BM25_K1", "1.7")  # a worker reads only what its parent sent
    child = Settings.from_json(parent.to_json())
    assert child == parent
    assert child.proxy_secret is not None and child.proxy_secret.get_secret_value() == "s3cret"
