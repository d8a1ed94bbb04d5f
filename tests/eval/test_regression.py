"""Ranking regression gate: the sample-share questions against the session's sample home.

The thresholds sit about 0.05 below what was measured when they were set (see EVAL.md); a
change that ranks the sample share worse fails here, in ``make test``.
"""

from __future__ import annotations

import pytest

from eval.cli import EvalOptions, make_experiment
from eval.experiment import Results, run_experiment
from index.build import RunSummary
from service.sample_share.questions import QUESTIONS_JSONL
from service.settings import Settings

MIN_NDCG_AT_10 = {"bm25": 0.60, "dense": 0.76, "hybrid": 0.79}


@pytest.fixture(scope="module")
def sample_results(sample_ingest: RunSummary, sample_settings: Settings) -> Results:
    options = EvalOptions(
        source=QUESTIONS_JSONL,
        split="labels",
        configs=tuple(MIN_NDCG_AT_10),
        home=None,
        cache_dir=None,
        stat_test="student",
        rebuild=False,
        progress=False,
    )
    return run_experiment(make_experiment(sample_settings, options))


@pytest.mark.model
@pytest.mark.parametrize("config", list(MIN_NDCG_AT_10))
def test_sample_share_ndcg_at_10_holds(sample_results: Results, config: str) -> None:
    measured = sample_results.summary[config]["ndcg@10"].mean
    print(f"{config}: nDCG@10 {measured:.4f}")
    assert measured >= MIN_NDCG_AT_10[config], f"{config} nDCG@10 fell to {measured:.4f}"


def test_every_question_was_searched(sample_results: Results) -> None:
    assert all(len(run.run) == len(sample_results.query_set.queries) for run in sample_results.runs)
