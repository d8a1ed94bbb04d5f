"""Read each document's governance state from the catalog: clocks, review state, copies."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from index.governance.marks import MarkSummary, marks_for, summarise
from index.governance.review_state import (
    Clocks,
    ReviewPolicy,
    ReviewState,
    is_outdated_status,
    review_state,
)
from index.governance.rules import default_area
from index.governance.supersede import CopyFacts, choose_canonical
from index.governance.usage import usage_of

_DOC_SQL = (
    "SELECT d.doc_id, d.title, d.rel_path, d.sha256, d.modified_at, d.status, r.area, "
    "r.review_days, r.outdated, EXISTS (SELECT 1 FROM owners o WHERE o.doc_id = d.doc_id "
    "AND o.source = 'owners_file') FROM documents d LEFT JOIN document_rules r USING (doc_id)"
)


@dataclass(frozen=True)
class DocumentState:
    """Everything governance knows about one document at one moment.

    Review clocks run only for documents an OWNERS rule assigns to someone: an orphan has no
    reviewer and no interval, so it is ``current`` unless marked outdated (the audit lists it).
    """

    doc_id: str
    title: str
    rel_path: str
    sha256: str
    area: str
    interval_days: int
    clocks: Clocks
    review_state: ReviewState
    outdated_reason: str | None
    superseded_by: str | None
    uses: int
    reviewers: tuple[str, ...]


@dataclass(frozen=True)
class _Facts:
    doc_id: str
    title: str
    rel_path: str
    sha256: str
    modified_at: str
    status: str | None
    area: str | None
    review_days: int | None
    outdated_rule: str | None
    owned: int


def document_states(
    conn: sqlite3.Connection,
    now: datetime,
    policy: ReviewPolicy,
    doc_ids: Iterable[str] | None = None,
) -> dict[str, DocumentState]:
    """The state of the given documents (all documents when ``doc_ids`` is None)."""
    wanted = None if doc_ids is None else sorted(set(doc_ids))
    facts = _load_facts(conn, wanted)
    groups = _copy_groups(conn, list(facts))
    missing = {m for members in groups.values() for m in members} - set(facts)
    facts |= _load_facts(conn, sorted(missing)) if missing else {}
    summaries = {
        doc_id: summarise(marks)
        for doc_id, marks in marks_for(conn, {f.doc_id: f.sha256 for f in facts.values()}).items()
    }
    reasons = {d: _outdated_reason(f, summaries.get(d, MarkSummary())) for d, f in facts.items()}
    superseded = _superseded(groups, facts, summaries, reasons)
    # A document deleted by a concurrent ingest since its hit was read has no facts: skip it.
    present = [doc_id for doc_id in wanted or facts if doc_id in facts]
    uses = usage_of(conn, {doc_id: facts[doc_id].sha256 for doc_id in present})
    states = {}
    for doc_id in wanted if wanted is not None else sorted(facts):
        if doc_id not in facts:
            continue
        fact, summary = facts[doc_id], summaries.get(doc_id, MarkSummary())
        count, last_used = uses.get(doc_id, (0, None))
        clocks = Clocks(datetime.fromisoformat(fact.modified_at), summary.last_reviewed, last_used)
        interval = fact.review_days or policy.default_days
        outdated = reasons[doc_id] is not None
        if fact.owned:
            state = review_state(clocks, interval, outdated, now, policy)
        else:
            state = "outdated" if outdated else "current"
        states[doc_id] = DocumentState(
            doc_id, fact.title, fact.rel_path, fact.sha256,
            fact.area or default_area(fact.rel_path), interval, clocks, state,
            reasons[doc_id], superseded.get(doc_id), count, summary.reviewers,
        )  # fmt: skip
    return states


def _load_facts(conn: sqlite3.Connection, doc_ids: list[str] | None) -> dict[str, _Facts]:
    if doc_ids is None:
        rows = conn.execute(_DOC_SQL).fetchall()
    else:
        rows = []
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows += conn.execute(f"{_DOC_SQL} WHERE d.doc_id IN ({marks})", part).fetchall()
    return {row[0]: _Facts(*row) for row in rows}


def _copy_groups(conn: sqlite3.Connection, doc_ids: list[str]) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(doc_ids), 500):
        part = doc_ids[start : start + 500]
        rows = conn.execute(
            "SELECT doc_id, group_id FROM duplicates WHERE group_id IN "
            f"(SELECT group_id FROM duplicates WHERE doc_id IN ({','.join('?' * len(part))}))",
            part,
        )
        for row in rows:
            if row[0] not in groups[row[1]]:
                groups[row[1]].append(row[0])
    return groups


def _outdated_reason(fact: _Facts, summary: MarkSummary) -> str | None:
    if summary.outdated_by is not None:
        mark = summary.outdated_by
        return f"marked outdated by {mark.reviewer}" + (f": {mark.note}" if mark.note else "")
    if is_outdated_status(fact.status):
        return f"the document's status says '{fact.status}'"
    if fact.outdated_rule:
        return f"OWNERS rule: {fact.outdated_rule}"
    return None


def _superseded(
    groups: Mapping[int, list[str]],
    facts: Mapping[str, _Facts],
    summaries: Mapping[str, MarkSummary],
    reasons: Mapping[str, str | None],
) -> dict[str, str]:
    """doc_id → the canonical copy that supersedes it."""
    superseded: dict[str, str] = {}
    for members in groups.values():
        copies = []
        for doc_id in members:
            if doc_id not in facts:
                continue
            reviewed = summaries.get(doc_id, MarkSummary()).last_reviewed
            clocks = Clocks(datetime.fromisoformat(facts[doc_id].modified_at), reviewed)
            copies.append(CopyFacts(doc_id, clocks.restarted, reasons[doc_id] is not None))
        if len(copies) < 2:
            continue
        canonical = choose_canonical(copies)
        superseded |= {copy.doc_id: canonical for copy in copies if copy.doc_id != canonical}
    return superseded
