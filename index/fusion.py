"""Fuse the dense and lexical arms: normalise each arm's scores, then weight them.

Two normalisations: ``minmax`` scales an arm's candidate scores to [0, 1]; ``zscore``
standardises them (mean 0, standard deviation 1), which keeps an arm whose top scores stand out
from the rest louder than an arm whose scores are bunched. A chunk missing from an arm gets that
arm's lowest normalised score.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Literal

Normalisation = Literal["minmax", "zscore"]
NORMALISATIONS: tuple[Normalisation, ...] = ("minmax", "zscore")


def normalise(scores: Mapping[int, float], method: Normalisation = "minmax") -> dict[int, float]:
    """Normalise one arm's scores (all equal → all 1 for minmax, all 0 for zscore)."""
    if not scores:
        return {}
    values = list(scores.values())
    if method == "zscore":
        mean = statistics.fmean(values)
        spread = statistics.pstdev(values)
        return {key: (v - mean) / spread if spread > 0 else 0.0 for key, v in scores.items()}
    low, high = min(values), max(values)
    span = high - low
    return {key: (v - low) / span if span > 0 else 1.0 for key, v in scores.items()}


def fuse(
    dense: Mapping[int, float],
    lexical: Mapping[int, float],
    dense_weight: float,
    lexical_weight: float,
    method: Normalisation = "minmax",
) -> list[tuple[int, float]]:
    """Weighted sum of normalised scores, best first (ties broken by chunk id)."""
    dense_n, lexical_n = normalise(dense, method), normalise(lexical, method)
    dense_floor = min(dense_n.values(), default=0.0)
    lexical_floor = min(lexical_n.values(), default=0.0)
    fused = {
        key: dense_weight * dense_n.get(key, dense_floor)
        + lexical_weight * lexical_n.get(key, lexical_floor)
        for key in dense_n.keys() | lexical_n.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
