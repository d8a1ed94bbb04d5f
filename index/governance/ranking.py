"""The search hook: attach each hit's review state, demote stale hits, hide dead ones."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from index.governance.config import GovernanceConfig
from index.governance.review_state import ReviewState
from index.governance.state import document_states
from index.models import Hit

DEMOTED: frozenset[ReviewState] = frozenset({"overdue", "outdated", "expired"})


def is_excluded(hit: Hit) -> bool:
    """Expired and superseded documents are shown only on request."""
    return hit.review_state == "expired" or hit.superseded_by is not None


def demote(score: float, factor: float) -> float:
    """A lower score: scaled by ``factor`` (< 1), whether the score is positive or negative."""
    return round(score * factor if score >= 0 else score / factor, 6)


def govern_hits(
    conn: sqlite3.Connection,
    hits: Sequence[Hit],
    config: GovernanceConfig,
    include_outdated: bool = False,
    now: datetime | None = None,
) -> list[Hit]:
    """Hits with ``review_state`` and ``superseded_by`` set, re-ranked.

    Overdue and outdated hits (and, when shown at all, expired and superseded ones) are demoted
    by ``config.demotion`` (see ``demote``; fused scores may be negative z-scores); expired and
    superseded hits are dropped unless ``include_outdated``.
    """
    states = document_states(
        conn, now or datetime.now(UTC), config.policy, {hit.doc_id for hit in hits}
    )
    governed = []
    for hit in hits:
        state = states.get(hit.doc_id)
        if state is None:
            governed.append(hit)
            continue
        marked = hit
        review = (state.review_state, state.superseded_by)
        if (hit.review_state, hit.superseded_by) != review:
            # dataclasses.replace costs about as much as loading the hit: most are current
            marked = replace(hit, review_state=review[0], superseded_by=review[1])
        if is_excluded(marked) and not include_outdated:
            continue
        if marked.review_state in DEMOTED or marked.superseded_by:
            marked = replace(marked, score=demote(marked.score, config.demotion))
        governed.append(marked)
    return sorted(governed, key=lambda hit: -hit.score)
