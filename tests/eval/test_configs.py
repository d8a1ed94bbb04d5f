"""Parsing --config specs, and which configs share an ingested index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eval.configs import Build, EvalConfig, parse_config, parse_configs
from eval.errors import ConfigSpecError
from eval.experiment import group_by_build
from index.postings import Bm25Config
from index.search import SearchConfig
from ingest.chunk import ChunkingConfig

BASE = EvalConfig("", "hybrid", Build("minilm-en"), SearchConfig(0.7, 0.3))


def test_presets_map_to_rankings() -> None:
    configs = parse_configs(["bm25", "dense", "hybrid", "rrf"], BASE)
    assert [c.ranking for c in configs] == ["lexical", "dense", "hybrid", "rrf"]
    assert all(c.build == BASE.build and c.search == BASE.search for c in configs)


def test_search_keys_keep_the_build_and_build_keys_change_it() -> None:
    weighted = parse_config("hybrid:dense_weight=0.6, lexical_weight=0.4", BASE)
    assert weighted.name == "hybrid:dense_weight=0.6, lexical_weight=0.4"
    assert weighted.search == replace(SearchConfig(), dense_weight=0.6, lexical_weight=0.4)
    assert weighted.build == BASE.build
    chunked = parse_config("hybrid:max_characters=800", BASE)
    assert chunked.build == Build("minilm-en", ChunkingConfig(max_characters=800))
    other = parse_config("dense:model=multilingual-e5-small,candidates=50", BASE)
    assert other.build.model == "multilingual-e5-small" and other.search.candidates == 50
    groups = group_by_build([weighted, chunked, other, parse_config("bm25", BASE)])
    assert [len(members) for members in groups.values()] == [2, 1, 1]


def test_completion_is_an_on_off_key() -> None:
    assert parse_config("hybrid", BASE).search.completion
    assert not parse_config("hybrid:completion=0", BASE).search.completion
    assert parse_config("hybrid:completion=on", BASE).search.completion
    with pytest.raises(ConfigSpecError, match="1 \\(on\\) or 0 \\(off\\)"):
        parse_config("hybrid:completion=maybe", BASE)


@pytest.mark.parametrize("key", ["lexical_coverage", "document_coverage"])
def test_the_coverages_are_on_off_keys(key: str) -> None:
    assert getattr(parse_config("hybrid", BASE).search, key)
    assert not getattr(parse_config(f"hybrid:{key}=off", BASE).search, key)
    assert getattr(parse_config(f"hybrid:{key}=1", BASE).search, key)
    with pytest.raises(ConfigSpecError, match="1 \\(on\\) or 0 \\(off\\)"):
        parse_config(f"hybrid:{key}=2", BASE)


def test_bm25_keys_set_the_lexical_arms_parameters_and_share_the_index() -> None:
    assert parse_config("bm25", BASE).search.bm25 == BASE.search.bm25
    anserini = parse_config("bm25:k1=0.9,b=0.4,idf=lucene", BASE)
    assert anserini.ranking == "lexical"
    assert anserini.search == replace(BASE.search, bm25=Bm25Config(0.9, 0.4, "lucene"))
    hybrid = parse_config("hybrid:b=0.9", BASE)
    assert hybrid.search.bm25 == replace(BASE.search.bm25, b=0.9)
    assert hybrid.search.dense_weight == BASE.search.dense_weight
    assert len(group_by_build([anserini, hybrid, parse_config("bm25", BASE)])) == 1


def test_rrf_constant() -> None:
    assert parse_config("rrf", BASE).rrf_k == 60
    assert parse_config("rrf:rrf_k=10", BASE).rrf_k == 10


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bm42", "start with one of bm25, dense, hybrid, rrf"),
        ("hybrid:alpha=1", "Unknown key 'alpha'.*dense_weight"),
        ("hybrid:dense_weight", "not key=value"),
        ("hybrid:dense_weight=heavy", "expected a number"),
        ("hybrid:candidates=0", "at least 1"),
        ("hybrid:max_characters=1.5", "expected an integer"),
        ("hybrid:recency_weight=0.2", "governance issue"),
        ("bm25:idf=bm25plus", "idf is one of fts5, lucene"),
        ("bm25:b=1.5", "b between 0 and 1"),
        ("bm25:k1=-0.5", "at least 0"),
        ("bm25:k1=nan", "k1 must be at least 0"),
        ("bm25:k1=fast", "expected a number"),
        ("hybrid:bm25=1", "Unknown key 'bm25'.*k1, b, idf"),
    ],
)
def test_bad_specs_say_what_to_do(spec: str, message: str) -> None:
    with pytest.raises(ConfigSpecError, match=message):
        parse_config(spec, BASE)


def test_a_spec_given_twice_is_refused() -> None:
    with pytest.raises(ConfigSpecError, match="given twice"):
        parse_configs(["bm25", "dense", "bm25"], BASE)
