"""The audit: review queues per owner ordered by harm, orphans, superseded copies, bus factor.

Harm of a document that needs attention = (1 + times used) × how far through its review
interval it is (at least 1 when marked outdated) × 2 when it is the only document in good
standing for its topic. Orphans are documents no OWNERS rule assigns to anyone.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import datetime

from index.governance.busfactor import (
    SUGGESTIONS,
    BusFactor,
    MapKind,
    bus_factor_map,
    closest_people,
)
from index.governance.docvectors import Matrix, chunk_vectors, mean_vectors
from index.governance.review_state import ReviewPolicy, review_ratio
from index.governance.rules import expand_people, read_teams
from index.governance.state import DocumentState, document_states
from index.hits import owners_of

GOOD_STANDING = frozenset({"current", "review_due"})


@dataclass(frozen=True)
class AuditItem:
    """A document in a review queue or the orphan list."""

    doc_id: str
    title: str
    owners: tuple[str, ...]
    area: str
    topic: str
    review_state: str
    interval_days: int
    last_edited: str
    last_reviewed: str | None
    last_used: str | None
    uses: int
    only_source: bool
    harm: float
    outdated_reason: str | None
    suggested_owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class OwnerQueue:
    """The documents one owner (a person or a team) should review, most harmful first."""

    owner: str
    people: tuple[str, ...]
    items: tuple[AuditItem, ...]


@dataclass(frozen=True)
class SupersededCopy:
    """A copy that a newer or owner-chosen document replaces."""

    doc_id: str
    title: str
    superseded_by: str
    owners: tuple[str, ...]
    similarity: float
    reason: str


@dataclass(frozen=True)
class Audit:
    """Everything an owner or the organisation should act on."""

    generated_at: str
    queues: tuple[OwnerQueue, ...]
    orphans: tuple[AuditItem, ...]
    superseded: tuple[SupersededCopy, ...]
    bus_factor: tuple[BusFactor, ...]


@dataclass(frozen=True)
class _Catalog:
    states: dict[str, DocumentState]
    owners: dict[str, tuple[str, ...]]
    fallback: dict[str, tuple[str, ...]]
    topics: dict[str, tuple[int, str]]
    teams: dict[str, tuple[str, ...]]
    people: dict[str, tuple[str, ...]]
    sources: Counter[tuple[int, str]]


def build_audit(
    conn: sqlite3.Connection,
    now: datetime,
    policy: ReviewPolicy,
    owner: str | None = None,
    readable: Set[str] | None = None,
) -> Audit:
    """The audit of the whole catalog at ``now``; ``owner`` keeps only that person's or team's.

    With ``readable``, the audit is built as if only those documents existed.
    """
    catalog = _read(conn, now, policy, readable)
    vectors = dict(zip(*mean_vectors(chunk_vectors(conn)), strict=True))
    items = {d: _item(d, catalog, now) for d in catalog.states}
    queues = _queues(catalog, items, owner)
    people_docs = _people_docs(catalog)
    orphans = tuple(
        _with_suggestions(items[doc_id], catalog, people_docs, vectors)
        for doc_id in _by_harm(items, [d for d in catalog.states if not catalog.owners.get(d)])
        if not catalog.states[doc_id].superseded_by
    )
    return Audit(
        now.isoformat(timespec="seconds"),
        queues,
        orphans if owner is None else (),
        _superseded(conn, catalog, owner),
        tuple(bus_factor_map(_groups(catalog), _live_people(catalog), vectors)),
    )


def _read(
    conn: sqlite3.Connection, now: datetime, policy: ReviewPolicy, readable: Set[str] | None
) -> _Catalog:
    states = document_states(conn, now, policy)
    if readable is not None:
        states = {
            doc_id: state if state.superseded_by in readable else replace(state, superseded_by=None)
            for doc_id, state in states.items()
            if doc_id in readable
        }
    listed = owners_of(conn, sorted(states))
    owners = {
        d: tuple(o.name for o in found if o.source == "owners_file") for d, found in listed.items()
    }
    fallback = {
        d: tuple(o.name for o in found if o.source == "document_property")
        for d, found in listed.items()
    }
    topics = {
        row[0]: (int(row[1]), str(row[2]))
        for row in conn.execute(
            "SELECT dt.doc_id, dt.topic_id, t.label FROM document_topics dt JOIN topics t "
            "USING (topic_id)"
        )
    }
    teams = read_teams(conn)
    people = {doc_id: expand_people(names, teams) for doc_id, names in owners.items()}
    sources = Counter(
        topics[doc_id]
        for doc_id, state in states.items()
        if doc_id in topics and _in_good_standing(state)
    )
    return _Catalog(states, owners, fallback, topics, teams, people, sources)


def _in_good_standing(state: DocumentState) -> bool:
    return state.review_state in GOOD_STANDING and not state.superseded_by


def _item(doc_id: str, catalog: _Catalog, now: datetime) -> AuditItem:
    state = catalog.states[doc_id]
    ratio = review_ratio(state.clocks, state.interval_days, now)
    if state.outdated_reason:
        ratio = max(ratio, 1.0)
    only = _only_source(doc_id, catalog)
    clocks = state.clocks
    return AuditItem(
        doc_id, state.title, catalog.owners.get(doc_id, ()), state.area,
        catalog.topics.get(doc_id, (0, ""))[1], state.review_state, state.interval_days,
        clocks.edited.isoformat(), _iso(clocks.reviewed), _iso(clocks.used), state.uses, only,
        round((1 + state.uses) * ratio * (2 if only else 1), 3), state.outdated_reason,
    )  # fmt: skip


def _only_source(doc_id: str, catalog: _Catalog) -> bool:
    """No other document in good standing covers this document's topic."""
    topic = catalog.topics.get(doc_id)
    if topic is None:
        return True
    itself = int(_in_good_standing(catalog.states[doc_id]))
    return catalog.sources[topic] - itself == 0


def _by_harm(items: Mapping[str, AuditItem], doc_ids: Sequence[str]) -> list[str]:
    return sorted(doc_ids, key=lambda d: (-items[d].harm, items[d].last_edited, d))


def _queues(
    catalog: _Catalog, items: Mapping[str, AuditItem], owner: str | None
) -> tuple[OwnerQueue, ...]:
    pending: dict[str, list[str]] = defaultdict(list)
    for doc_id, state in catalog.states.items():
        if state.review_state != "current" and not state.superseded_by:
            for name in catalog.owners.get(doc_id, ()):
                pending[name].append(doc_id)
    wanted = owner.casefold() if owner else None
    queues = []
    for name, doc_ids in pending.items():
        people = expand_people([name], catalog.teams)
        if wanted is None or wanted in {n.casefold() for n in (name, *people)}:
            ranked = _by_harm(items, doc_ids)
            queues.append(OwnerQueue(name, people, tuple(items[d] for d in ranked)))
    return tuple(sorted(queues, key=lambda q: (-q.items[0].harm, q.owner)))


def _people_docs(catalog: _Catalog) -> dict[str, list[str]]:
    people_docs: dict[str, list[str]] = defaultdict(list)
    for doc_id, people in _live_people(catalog).items():
        for person in people:
            people_docs[person].append(doc_id)
    return people_docs


def _with_suggestions(
    item: AuditItem,
    catalog: _Catalog,
    people_docs: Mapping[str, list[str]],
    vectors: Mapping[str, Matrix],
) -> AuditItem:
    """An orphan with who might own it: its own authors first, then the closest people."""
    closest = closest_people([item.doc_id], people_docs, vectors)
    suggested = tuple(dict.fromkeys([*catalog.fallback.get(item.doc_id, ()), *closest]))
    return replace(item, suggested_owners=suggested[:SUGGESTIONS])


def _superseded(
    conn: sqlite3.Connection, catalog: _Catalog, owner: str | None
) -> tuple[SupersededCopy, ...]:
    found = {row[0]: (float(row[1]), str(row[2])) for row in conn.execute(
        "SELECT doc_id, similarity, reason FROM duplicates"
    )}  # fmt: skip
    copies = []
    for doc_id, state in sorted(catalog.states.items()):
        if not state.superseded_by:
            continue
        owners = catalog.owners.get(doc_id, ())
        people = {p.casefold() for p in (*owners, *catalog.people.get(doc_id, ()))}
        if owner is None or owner.casefold() in people:
            similarity, reason = found.get(doc_id, (0.0, ""))
            copies.append(
                SupersededCopy(doc_id, state.title, state.superseded_by, owners, similarity, reason)
            )
    return tuple(copies)


def _live_people(catalog: _Catalog) -> dict[str, tuple[str, ...]]:
    """People behind each document that is not a superseded copy."""
    return {
        doc_id: people
        for doc_id, people in catalog.people.items()
        if people and not catalog.states[doc_id].superseded_by
    }


def _groups(catalog: _Catalog) -> dict[tuple[MapKind, str], list[str]]:
    """Areas (all) and topics with at least two documents, with their documents."""
    groups: dict[tuple[MapKind, str], list[str]] = defaultdict(list)
    topics: dict[tuple[MapKind, str], list[str]] = defaultdict(list)
    for doc_id, state in sorted(catalog.states.items()):
        if state.superseded_by:
            continue
        groups["area", state.area].append(doc_id)
        if doc_id in catalog.topics:
            topics["topic", catalog.topics[doc_id][1]].append(doc_id)
    groups.update({key: docs for key, docs in topics.items() if len(docs) > 1})
    return groups


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
