"""The ranx wrapper on tiny inline qrels and runs with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval.metrics import bootstrap_interval, compare_to_baseline, per_query, summarise

QRELS = {"q1": {"d1": 1, "d9": 0}, "q2": {"d2": 2, "d3": 1}, "q3": {"d5": 1}}
RUN = {
    "q1": {"d9": 0.9, "d1": 0.5},  # the grade-0 document first, the relevant one at rank 2
    "q2": {"d4": 1.0, "d3": 0.8, "d2": 0.7},  # relevant at ranks 2 (grade 1) and 3 (grade 2)
    # q3 retrieves nothing: it must count as 0, not be dropped
}


def test_per_query_matches_hand_computed_scores() -> None:
    scores = per_query(QRELS, RUN)
    log2_3 = math.log2(3)
    assert scores["ndcg@10"]["q1"] == pytest.approx(1 / log2_3)
    # linear gains (ranx default): DCG = 1/log2(3) + 2/log2(4), IDCG = 2 + 1/log2(3)
    assert scores["ndcg@10"]["q2"] == pytest.approx((1 / log2_3 + 1) / (2 + 1 / log2_3))
    assert scores["ndcg@10"]["q3"] == 0.0
    assert scores["mrr@10"] == pytest.approx({"q1": 0.5, "q2": 0.5, "q3": 0.0})
    assert scores["recall@10"] == pytest.approx({"q1": 1.0, "q2": 1.0, "q3": 0.0})
    assert scores["map@100"]["q2"] == pytest.approx((1 / 2 + 2 / 3) / 2)


def test_recall_at_10_ignores_documents_below_rank_10() -> None:
    run = {"q3": {f"x{i}": 1.0 - i / 100 for i in range(10)} | {"d5": 0.01}}
    scores = per_query({"q3": {"d5": 1}}, run)
    assert scores["recall@10"]["q3"] == 0.0
    assert scores["recall@100"]["q3"] == 1.0
    assert scores["mrr@10"]["q3"] == 0.0


def test_summary_mean_and_interval() -> None:
    summary = summarise({"ndcg@10": {"a": 1.0, "b": 0.0, "c": 0.5, "d": 0.5}})
    score = summary["ndcg@10"]
    assert score.mean == pytest.approx(0.5)
    assert 0.0 <= score.low < 0.5 < score.high <= 1.0


def test_bootstrap_interval_of_constant_values_is_a_point() -> None:
    assert bootstrap_interval(np.full(20, 0.7)) == pytest.approx((0.7, 0.7))
    assert bootstrap_interval(np.array([])) == (0.0, 0.0)


@pytest.mark.parametrize("stat_test", ["student", "fisher"])
def test_compare_to_baseline_gives_p_values_for_the_others(stat_test: str) -> None:
    qrels = {f"q{i}": {"good": 1} for i in range(12)}
    weak = {q: {"bad": 0.9, "good": 0.1} for q in qrels}
    strong = {q: {"good": 0.9, "bad": 0.1} for q in qrels}
    p_values = compare_to_baseline(qrels, {"weak": weak, "strong": strong}, stat_test)  # type: ignore[arg-type]
    assert set(p_values) == {"strong"}
    p_value = p_values["strong"]["ndcg@10"]
    assert p_value is not None and p_value < 0.01
    assert compare_to_baseline(qrels, {"weak": weak}) == {}
