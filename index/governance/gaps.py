"""Knowledge gaps: group the ledger's open questions, route each group, close answered ones.

Questions are grouped by the similarity of their query embeddings (agglomerative, average
linkage). A group is routed to the top expert for its most asked question, and names the area
of the nearest document. After every ingest ``recheck_gaps`` runs each open question again;
one that now finds an answerable passage above the gap threshold closes itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from index.catalog import catalog_path, connect, transaction
from index.filters import Filters
from index.governance.experts import find_experts, quiet
from index.governance.ledger import Gap, close_gap, import_feedback, read_gaps
from index.governance.query_log import answer_confidence
from index.governance.ranking import is_excluded
from index.governance.state import document_states
from index.governance.topics import cluster_vectors
from index.search import Searcher

logger = logging.getLogger(__name__)
GROUP_DISTANCE = 0.13


@dataclass(frozen=True)
class GapGroup:
    """Similar open questions, who should answer them, and where they belong."""

    queries: tuple[Gap, ...]
    times: int
    routed_to: str | None
    area: str | None
    nearest_doc_id: str | None


def group_gaps(searcher: Searcher, gaps: list[Gap]) -> list[GapGroup]:
    """Open questions grouped by meaning, most asked group first."""
    if not gaps:
        return []
    vectors = searcher.encoder.encode_queries([gap.query for gap in gaps])
    members: dict[int, list[Gap]] = {}
    for gap, number in zip(gaps, cluster_vectors(vectors, GROUP_DISTANCE), strict=True):
        members.setdefault(number, []).append(gap)
    groups = [_route(searcher, tuple(found)) for found in members.values()]
    return sorted(groups, key=lambda g: (-g.times, g.queries[0].last_asked, g.queries[0].query))


def _route(searcher: Searcher, gaps: tuple[Gap, ...]) -> GapGroup:
    leader = max(gaps, key=lambda gap: (gap.times, gap.last_asked))
    experts = find_experts(searcher, leader.query, top_k=1)
    hits = quiet(searcher).search(leader.query, top_k=1)
    nearest = hits[0].doc_id if hits else None
    area = None
    if nearest:
        states = document_states(
            searcher.conn, datetime.now(UTC), searcher.config.governance.policy, [nearest]
        )
        area = states[nearest].area if nearest in states else None
    ordered = (leader, *(gap for gap in gaps if gap is not leader))
    routed = experts[0].name if experts else None
    return GapGroup(ordered, sum(gap.times for gap in gaps), routed, area, nearest)


def best_answer(searcher: Searcher, query: str) -> tuple[float, str | None]:
    """The confidence of the best answerable passage for ``query`` and its document."""
    hits = quiet(searcher).search(query, top_k=10)
    dense = searcher.dense(query, searcher.config.candidates, Filters())
    confidence = answer_confidence(hits, dense) or 0.0
    answerable = [hit for hit in hits if not is_excluded(hit)]
    best = max(answerable, key=lambda hit: dense.get(hit.chunk_rowid, 0.0), default=None)
    return confidence, best.doc_id if best else None


def take_feedback(searcher: Searcher) -> None:
    """Bring thumbs-down feedback given since the last call into the ledger."""
    conn = connect(catalog_path(searcher.home))
    try:
        with transaction(conn):
            import_feedback(conn)
    finally:
        conn.close()


def recheck_gaps(searcher: Searcher) -> int:
    """Run every open question again; close those that now find a confident answer."""
    searcher.query_log.flush()
    take_feedback(searcher)
    threshold = searcher.config.governance.gap_threshold
    answered = []
    for gap in read_gaps(searcher.conn):
        confidence, doc_id = best_answer(searcher, gap.query)
        if confidence >= threshold and doc_id:
            answered.append((gap.gap_id, doc_id))
    if answered:
        conn = connect(catalog_path(searcher.home))
        try:
            with transaction(conn):
                at = datetime.now(UTC).isoformat(timespec="seconds")
                for gap_id, doc_id in answered:
                    close_gap(conn, gap_id, doc_id, at)
        finally:
            conn.close()
    logger.info("Knowledge gaps: %d question(s) now answered", len(answered))
    return len(answered)
