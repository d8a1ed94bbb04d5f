"""How governance changes search: demotion, the gap threshold, the review policy, logging."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.governance.review_state import ReviewPolicy

DEFAULT_GAP_THRESHOLD = 0.82


@dataclass(frozen=True)
class GovernanceConfig:
    """Settings of the search hook.

    Attributes:
        demotion: Score factor for overdue and outdated documents (1.0: no demotion).
        gap_threshold: A search whose best answerable passage has a lower dense (cosine)
            score is a knowledge gap. Calibrated for multilingual-e5-small.
        log_queries: Record queries, top hits and gaps in the catalog (the service does;
            library callers such as eval do not).
        policy: When documents become due, overdue and expired.
    """

    demotion: float = 0.8
    gap_threshold: float = DEFAULT_GAP_THRESHOLD
    log_queries: bool = False
    policy: ReviewPolicy = field(default_factory=ReviewPolicy)
