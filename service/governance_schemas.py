"""Pydantic models of the governance API: marks, audit, experts and gaps (HTTP boundary only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReviewIn(BaseModel):
    """Who reviewed the document, and what they checked.

    A signed-in caller's mark is recorded under their own user name: leave out ``by`` (a
    different name is refused). Anonymous callers of the demo say who they are in ``by``.
    """

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"by": "Marieke Jansen", "note": "ok"}]}
    )

    by: str | None = Field(None, min_length=1, max_length=200)
    note: str = Field("", max_length=2000)


class OutdatedIn(BaseModel):
    """Who marks the document outdated, and why (``by`` as in ``ReviewIn``)."""

    model_config = ConfigDict(extra="forbid")

    by: str | None = Field(None, min_length=1, max_length=200)
    reason: str = Field("", max_length=2000)


class MarkOut(BaseModel):
    """A recorded review or outdated mark."""

    doc_id: str
    sha256: str
    action: str
    reviewer: str
    note: str
    recorded_at: str


class AuditItemOut(BaseModel):
    """A document that needs its owner's attention, or an orphan."""

    doc_id: str
    title: str
    owners: list[str]
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
    suggested_owners: list[str]
    age: str


class OwnerQueueOut(BaseModel):
    """One owner's review queue, most harmful first."""

    owner: str
    people: list[str]
    items: list[AuditItemOut]


class SupersededOut(BaseModel):
    """A superseded copy and its newer version."""

    doc_id: str
    title: str
    superseded_by: str
    owners: list[str]
    similarity: float
    reason: str


class BusFactorOut(BaseModel):
    """An area or topic and the people behind it."""

    kind: str
    name: str
    documents: list[str]
    people: list[str]
    suggested: list[str]
    single_person: str | None


class AuditOut(BaseModel):
    """The audit."""

    generated_at: str
    queues: list[OwnerQueueOut]
    orphans: list[AuditItemOut]
    superseded: list[SupersededOut]
    bus_factor: list[BusFactorOut]


class EvidenceOut(BaseModel):
    """A passage that points at an expert."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    role: str
    weight: float


class ExpertOut(BaseModel):
    """A person and the evidence for them."""

    name: str
    score: float
    evidence: list[EvidenceOut]


class ExpertsOut(BaseModel):
    """People for a query, best first."""

    query: str
    experts: list[ExpertOut]


class GapOut(BaseModel):
    """One question in the gap ledger."""

    gap_id: int
    query: str
    source: str
    times: int
    confidence: float | None
    first_asked: str
    last_asked: str
    closed_at: str | None
    answer_doc_id: str | None


class GapGroupOut(BaseModel):
    """Similar open questions and where they are routed."""

    question: str
    times: int
    routed_to: str | None
    area: str | None
    nearest_doc_id: str | None
    queries: list[GapOut]


class GapsOut(BaseModel):
    """Open gap groups, and the questions answered since (when asked)."""

    groups: list[GapGroupOut]
    closed: list[GapOut]
