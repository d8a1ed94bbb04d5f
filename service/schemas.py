"""Pydantic models of the HTTP API (the trust boundary)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OwnerOut(BaseModel):
    """An owner and its source: ``owners_file``, ``document_property`` or ``file_system``."""

    name: str
    source: str


class HitOut(BaseModel):
    """One passage with its document, owners and how recent it is."""

    chunk_id: str = Field(examples=["sample-share/hr/verlofregeling.docx#2"])
    doc_id: str = Field(examples=["sample-share/hr/verlofregeling.docx"])
    root: str
    doc_path: str = Field(examples=["hr/verlofregeling.docx"])
    title: str
    text: str
    score: float
    owners: list[str] = Field(examples=[["Team HR"]])
    owner_sources: list[OwnerOut]
    modified_at: str = Field(examples=["2026-08-01T09:30:00+00:00"])
    age: str = Field(examples=["3 months ago"])
    age_days: int
    page: int | None
    section: str | None
    file_type: str
    language: str | None


class SearchOut(BaseModel):
    """Hits for a query, best first."""

    query: str
    mode: str
    hits: list[HitOut]


class ChunkOut(BaseModel):
    """A passage of a document, in document order."""

    chunk_id: str
    ordinal: int
    text: str
    page: int | None
    section: str | None


class DocumentOut(BaseModel):
    """A document's metadata and its passages."""

    doc_id: str
    root: str
    doc_path: str
    title: str
    file_type: str
    language: str | None
    owners: list[OwnerOut]
    modified_at: str
    age: str
    size: int
    sha256: str
    chunks: list[ChunkOut]


class HealthOut(BaseModel):
    """Liveness and what is being served."""

    status: str
    generation: int
    documents: int
    chunks: int
    model: str
    detail: str | None = None
