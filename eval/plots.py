"""Charts for the HTML report, drawn with matplotlib's Agg canvas into PNG bytes."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from eval.metrics import METRIC_LABELS, PRIMARY_METRIC

Report = dict[str, Any]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def metric_chart(report: Report) -> bytes:
    """Grouped bars: each metric's mean per config, with its 95% bootstrap interval."""
    metrics = report["metrics"]
    configs = report["configs"]
    width = 0.8 / len(configs)
    figure = Figure(figsize=(max(6.0, 1.6 * len(metrics)), 3.8))
    axes = figure.subplots()
    positions = np.arange(len(metrics))
    for number, config in enumerate(configs):
        means = np.array([config["scores"][m]["mean"] for m in metrics])
        lows = means - np.array([config["scores"][m]["low"] for m in metrics])
        highs = np.array([config["scores"][m]["high"] for m in metrics]) - means
        axes.bar(
            positions + number * width - 0.4 + width / 2,
            means,
            width,
            yerr=np.vstack([lows, highs]),
            capsize=3,
            label=config["name"],
        )
    axes.set_xticks(positions, [METRIC_LABELS[m] for m in metrics])
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("mean over queries")
    axes.legend(fontsize="small", loc="lower right")
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def delta_chart(report: Report) -> bytes | None:
    """Per-query nDCG@10 difference of each config from the baseline, sorted (None: one config)."""
    configs = report["configs"]
    if len(configs) < 2:
        return None
    baseline = report["per_query"][configs[0]["name"]][PRIMARY_METRIC]
    figure = Figure(figsize=(7.0, 3.8))
    axes = figure.subplots()
    for config in configs[1:]:
        scores = report["per_query"][config["name"]][PRIMARY_METRIC]
        deltas = np.sort([scores[q] - baseline[q] for q in baseline])
        axes.step(np.arange(deltas.size), deltas, where="mid", label=config["name"])
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_xlabel("queries, sorted by difference")
    axes.set_ylabel(f"nDCG@10 − {configs[0]['name']}")
    axes.legend(fontsize="small", loc="upper left")
    axes.grid(alpha=0.3)
    return _png(figure)
