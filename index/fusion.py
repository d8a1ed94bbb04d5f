"""Fuse the dense and lexical arms: min-max normalise each arm's scores, then weight them."""

from __future__ import annotations

from collections.abc import Mapping


def normalise(scores: Mapping[int, float]) -> dict[int, float]:
    """Scale one arm's scores to [0, 1] (all equal → 1)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {key: (value - low) / span if span > 0 else 1.0 for key, value in scores.items()}


def fuse(
    dense: Mapping[int, float],
    lexical: Mapping[int, float],
    dense_weight: float,
    lexical_weight: float,
) -> list[tuple[int, float]]:
    """Weighted sum of normalised scores; a chunk missing from an arm gets 0 there."""
    dense_n, lexical_n = normalise(dense), normalise(lexical)
    fused = {
        key: dense_weight * dense_n.get(key, 0.0) + lexical_weight * lexical_n.get(key, 0.0)
        for key in dense_n.keys() | lexical_n.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
