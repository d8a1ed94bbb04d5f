"""Retrieval metrics and significance tests from ranx, behind one small surface.

Gains are the qrels grades as given (ranx's default, trec_eval-style nDCG); a grade of 0 is not
relevant. Confidence intervals are percentile bootstraps of the mean over queries.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10", "map@100")
PRIMARY_METRIC = "ndcg@10"
METRIC_LABELS = {
    "ndcg@10": "nDCG@10",
    "recall@10": "Recall@10",
    "recall@100": "Recall@100",
    "mrr@10": "MRR@10",
    "map@100": "MAP@100",
}
StatTest = Literal["student", "fisher"]
STAT_TESTS: tuple[StatTest, ...] = get_args(StatTest)
Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Mapping[str, float]]
PerQuery = dict[str, dict[str, float]]


@dataclass(frozen=True)
class MetricScore:
    """A metric's mean over queries with a 95% bootstrap confidence interval."""

    mean: float
    low: float
    high: float


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence ranx's numba cast warning and scipy's warning on identical samples."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="unsafe cast")
        warnings.filterwarnings("ignore", message="Precision loss occurred")
        yield


def _ranx_qrels(qrels: Qrels) -> object:
    from ranx import Qrels as RanxQrels

    return RanxQrels.from_dict({q: dict(docs) for q, docs in qrels.items()})


def _ranx_run(run: Run, name: str) -> object:
    from ranx import Run as RanxRun

    return RanxRun.from_dict({q: dict(docs) for q, docs in run.items()}, name=name)


def per_query(qrels: Qrels, run: Run, metrics: Sequence[str] = METRICS) -> PerQuery:
    """Each metric per query: metric → query_id → score (queries missing from the run score 0)."""
    from ranx import evaluate

    ranx_run = _ranx_run(run, "run")
    with _quiet():
        evaluate(_ranx_qrels(qrels), ranx_run, list(metrics), make_comparable=True)
    scores = ranx_run.scores  # type: ignore[attr-defined]
    return {metric: {q: float(v) for q, v in scores[metric].items()} for metric in metrics}


def summarise(scores: PerQuery, resamples: int = 2000, seed: int = 0) -> dict[str, MetricScore]:
    """Mean and 95% percentile-bootstrap interval of each metric over queries."""
    summary = {}
    for metric, by_query in scores.items():
        values = np.fromiter(by_query.values(), dtype=np.float64)
        low, high = bootstrap_interval(values, resamples, seed)
        summary[metric] = MetricScore(float(values.mean()) if values.size else 0.0, low, high)
    return summary


def bootstrap_interval(
    values: np.ndarray, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the mean of ``values`` resampled with replacement."""
    if values.size == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, values.size, size=(resamples, values.size))
    means = values[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def compare_to_baseline(
    qrels: Qrels,
    runs: Mapping[str, Run],
    stat_test: StatTest = "student",
    metrics: Sequence[str] = METRICS,
) -> dict[str, dict[str, float | None]]:
    """Paired p-values of each run against the first (the baseline), per metric.

    Returns:
        run name → metric → p-value (None where undefined, e.g. identical scores). The baseline
        itself is not included. Student's paired t-test or Fisher's randomisation test.
    """
    from ranx import compare

    if stat_test not in STAT_TESTS:
        raise ValueError(f"Unknown test '{stat_test}': choose one of {', '.join(STAT_TESTS)}.")
    names = list(runs)
    if len(names) < 2:
        return {}
    ranx_runs = [_ranx_run(runs[name], name) for name in names]
    with _quiet():
        report = compare(
            _ranx_qrels(qrels),
            ranx_runs,
            list(metrics),
            stat_test=stat_test,
            rounding_digits=6,
            make_comparable=True,
        )
    table = report.to_dict()[names[0]]["comparisons"]
    return {
        name: {metric: _p_value(table[name][metric]) for metric in metrics} for name in names[1:]
    }


def _p_value(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
