"""Rank chunks for one configuration from the two arms' scores (pure; no index access).

The linear fusion is the product's own ``index.fusion.fuse``, so hybrid here is what
``Searcher.search`` returns; reciprocal-rank fusion is an evaluation baseline only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from eval.configs import EvalConfig
from index.completion import restrict
from index.fusion import fuse

Ranked = list[tuple[int, float]]
Arms = tuple[Mapping[int, float], Mapping[int, float]]
# The lexical candidates → themselves reweighed and the factor of the lexical weight.
Weigh = Callable[[Mapping[int, float]], tuple[dict[int, float], float]]


def top(scores: Mapping[int, float], depth: int) -> dict[int, float]:
    """The ``depth`` best entries of one arm (what that arm returns when asked for ``depth``)."""
    return dict(sorted(scores.items(), key=lambda item: -item[1])[:depth])


def rrf(dense: Mapping[int, float], lexical: Mapping[int, float], k: int) -> Ranked:
    """Reciprocal-rank fusion: sum of ``1 / (k + rank)`` over the arms a chunk appears in."""
    fused: dict[int, float] = {}
    for arm in (dense, lexical):
        ranked = sorted(arm.items(), key=lambda item: -item[1])
        for rank, (key, _) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def rank_chunks(
    config: EvalConfig,
    dense: Mapping[int, float],
    lexical: Mapping[int, float],
    documents: Mapping[int, str] | None = None,
    completed: Arms | None = None,
    weigh: Weigh | None = None,
) -> Ranked:
    """Chunks in ranked order for ``config``, given both arms at any depth ≥ its candidates.

    ``documents`` (chunk id → document) is needed when the config uses document evidence;
    ``completed`` (both arms' scores for every chunk of either arm, ``Searcher.complete``) when
    it uses score completion; ``weigh`` (``Searcher.weigh_lexical`` for the query and config)
    when it uses lexical or document coverage, applied to the lexical candidates as search
    applies it.
    """
    depth = config.search.candidates
    if config.ranking == "dense":
        return sorted(top(dense, depth).items(), key=lambda item: -item[1])
    if config.ranking == "lexical":
        return sorted(top(lexical, depth).items(), key=lambda item: -item[1])
    if config.ranking == "rrf":
        return rrf(top(dense, depth), top(lexical, depth), config.rrf_k)
    dense, lexical = top(dense, depth), top(lexical, depth)
    if uses_completion(config):
        if completed is None:
            raise ValueError(f"{config.name} uses score completion: pass the completed arms.")
        dense, lexical = (restrict(arm, dense, lexical) for arm in completed)
    factor = 1.0
    if weigh is not None:
        lexical, factor = weigh(lexical)
    return fuse(
        dense,
        lexical,
        config.search.dense_weight,
        config.search.lexical_weight * factor,
        config.search.normalisation,
        documents,
        config.search.document_evidence,
    )


def arms_needed(config: EvalConfig) -> tuple[bool, bool]:
    """Whether the config uses the dense arm and the lexical arm."""
    return config.ranking != "lexical", config.ranking != "dense"


def uses_completion(config: EvalConfig) -> bool:
    """Whether the config fuses completed arms (``index.completion``)."""
    return config.ranking == "hybrid" and config.search.completion
