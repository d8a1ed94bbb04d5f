"""Experts: the people behind the passages that answer a query, weighted by freshness.

Each of the ten best passages counts for the people who own its document (named in OWNERS:
full weight; as members of an owning team: half), who reviewed it (0.8) or wrote it (document
property: half). A passage weighs the square of its score relative to the best one (so one
strong source beats many weak ones) times its document's freshness, which halves every year
since the document was last edited or reviewed. A person's score is the sum of their passages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from index.governance.rules import read_teams
from index.governance.state import DocumentState, document_states
from index.models import Hit
from index.search import Searcher

PASSAGES = 10
EVIDENCE = 3
HALF_LIFE_DAYS = 365
ROLE_WEIGHTS = {"owner": 1.0, "reviewer": 0.8, "team member": 0.5, "author": 0.5}


@dataclass(frozen=True)
class Evidence:
    """A passage that makes someone an expert, and in what role."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    role: str
    weight: float


@dataclass(frozen=True)
class Expert:
    """A person, how strongly the passages point at them, and those passages."""

    name: str
    score: float
    evidence: tuple[Evidence, ...]


def quiet(searcher: Searcher) -> Searcher:
    """The same loaded searcher without query logging, for governance's own searches."""
    governance = replace(searcher.config.governance, log_queries=False)
    config = replace(searcher.config, governance=governance)
    plain = searcher.with_config(config)
    return plain.scoped_to(searcher.reader)


def freshness(state: DocumentState, now: datetime) -> float:
    """1.0 for a document edited or reviewed today, halving every year since."""
    days = max(0.0, (now - state.clocks.restarted).total_seconds() / 86_400)
    return float(0.5 ** (days / HALF_LIFE_DAYS))


def roles(hit: Hit, state: DocumentState, teams: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each person's strongest role for the document of ``hit``."""
    found: dict[str, str] = {}

    def add(person: str, role: str) -> None:
        if ROLE_WEIGHTS[role] > ROLE_WEIGHTS.get(found.get(person, ""), 0.0):
            found[person] = role

    for owner in hit.owners:
        if owner.source == "owners_file":
            for person in teams.get(owner.name, ()):
                add(person, "team member")
            if owner.name not in teams:
                add(owner.name, "owner")
        elif owner.source == "document_property":
            add(owner.name, "author")
    for reviewer in state.reviewers:
        add(reviewer, "reviewer")
    return found


def find_experts(
    searcher: Searcher, query: str, top_k: int = 5, now: datetime | None = None
) -> list[Expert]:
    """The ``top_k`` people the best passages for ``query`` point at, with their evidence."""
    moment = now or datetime.now(UTC)
    hits = quiet(searcher).search(query, top_k=PASSAGES)
    policy = searcher.config.governance.policy
    states = document_states(searcher.conn, moment, policy, {h.doc_id for h in hits})
    teams = read_teams(searcher.conn)
    top = max((hit.score for hit in hits), default=0.0)
    found: dict[str, list[Evidence]] = defaultdict(list)
    for hit in hits:
        state = states.get(hit.doc_id)
        if state is None or top <= 0:
            continue
        relevance = max(hit.score, 0.0) / top
        weight = relevance**2 * freshness(state, moment)
        for person, role in roles(hit, state, teams).items():
            found[person].append(
                Evidence(hit.chunk_id, hit.doc_id, hit.title, hit.text, role,
                         round(weight * ROLE_WEIGHTS[role], 4))
            )  # fmt: skip
    experts = [
        Expert(
            person,
            round(sum(e.weight for e in evidence), 4),
            tuple(sorted(evidence, key=lambda e: -e.weight)[:EVIDENCE]),
        )
        for person, evidence in found.items()
    ]
    return sorted(experts, key=lambda e: (-e.score, e.name))[:top_k]
