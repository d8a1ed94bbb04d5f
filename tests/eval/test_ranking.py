"""Ranking chunks per configuration from the two arms (pure functions, no index)."""

from __future__ import annotations

from typing import Any

import pytest

from eval.configs import Build, EvalConfig
from eval.ranking import rank_chunks, rrf, top
from index.fusion import fuse
from index.search import SearchConfig

DENSE = {1: 0.9, 2: 0.8, 3: 0.1}
LEXICAL = {3: 12.0, 4: 7.0, 1: 1.0}


def config(ranking: str, **search: Any) -> EvalConfig:
    return EvalConfig(ranking, ranking, Build("m"), SearchConfig(**search))  # type: ignore[arg-type]


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = dict(rrf(DENSE, LEXICAL, k=60))
    assert fused[1] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62) and fused[4] == pytest.approx(1 / 62)
    assert [key for key, _ in rrf(DENSE, LEXICAL, k=60)] == [1, 3, 2, 4]


def test_single_arms_and_hybrid_match_the_searcher() -> None:
    assert [k for k, _ in rank_chunks(config("dense"), DENSE, LEXICAL)] == [1, 2, 3]
    assert [k for k, _ in rank_chunks(config("lexical"), DENSE, LEXICAL)] == [3, 4, 1]
    hybrid = config("hybrid", dense_weight=0.6, lexical_weight=0.4, completion=False)
    assert rank_chunks(hybrid, DENSE, LEXICAL) == fuse(
        DENSE, LEXICAL, 0.6, 0.4, hybrid.search.normalisation
    )


def test_completion_fuses_the_completed_scores_of_the_candidates() -> None:
    completed = ({1: 0.9, 2: 0.8, 3: 0.1, 4: 0.05}, {1: 1.0, 2: 0.0, 3: 12.0, 4: 7.0})
    hybrid = config("hybrid", dense_weight=0.5, lexical_weight=0.5, candidates=2)
    # Candidates: dense 1, 2 and lexical 3, 4; each is fused with its completed scores.
    assert rank_chunks(hybrid, DENSE, LEXICAL, completed=completed) == fuse(
        completed[0], completed[1], 0.5, 0.5, hybrid.search.normalisation
    )
    with pytest.raises(ValueError, match="completed arms"):
        rank_chunks(hybrid, DENSE, LEXICAL)


def test_candidates_cut_each_arm_before_fusing() -> None:
    cut = config("hybrid", dense_weight=0.5, lexical_weight=0.5, candidates=1, completion=False)
    assert rank_chunks(cut, DENSE, LEXICAL) == fuse(
        {1: 0.9}, {3: 12.0}, 0.5, 0.5, cut.search.normalisation
    )
    assert top(LEXICAL, 2) == {3: 12.0, 4: 7.0}
