"""Pydantic models of the HTTP API (the trust boundary)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.answering import AnswerMode
from service.i18n import Lang

DOC_ID = "sample-share/hr/verlofregeling.docx"
CHUNK_ID = f"{DOC_ID}#2"


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    detail: str = Field(examples=["No document 'hr/nope.docx' in the catalog."])


class OwnerOut(BaseModel):
    """An owner and its source: ``owners_file``, ``document_property`` or ``file_system``."""

    name: str
    source: str


class HitOut(BaseModel):
    """One passage with its document, owners and how recent it is."""

    chunk_id: str = Field(examples=[CHUNK_ID])
    doc_id: str = Field(examples=[DOC_ID])
    root: str = Field(examples=["sample-share"])
    doc_path: str = Field(examples=["hr/verlofregeling.docx"])
    title: str = Field(examples=["Verlofregeling Stichting Wegwijs"])
    text: str
    snippet: str = Field(description="Up to 320 characters of the passage around the matches.")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) code-point offsets in `snippet` of words matching the query.",
        examples=[[[25, 38]]],
    )
    score: float = Field(description="Higher is better; comparable within one response only.")
    owners: list[str] = Field(examples=[["Team HR"]])
    owner_sources: list[OwnerOut]
    modified_at: str = Field(examples=["2026-08-01T09:30:00+00:00"])
    age: str = Field(examples=["3 months ago"])
    age_days: int
    page: int | None
    section: str | None
    file_type: str = Field(examples=["docx"])
    language: str | None = Field(examples=["nl"])
    review_state: str = Field("current", examples=["overdue"])
    superseded_by: str | None = Field(None, description="doc_id of the newer version, if any.")


class FacetValueOut(BaseModel):
    """A filter value and how many documents among the top candidates have it."""

    value: str = Field(examples=["pdf"])
    count: int = Field(examples=[4])


class SearchOut(BaseModel):
    """Hits for a query, best first, with the cursor of the next page and facet counts."""

    query: str
    mode: str
    hits: list[HitOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    facets: dict[str, list[FacetValueOut]] = Field(
        description="Per facet (root, owner, file_type, language): document counts over the "
        "top 50 candidates of this query and filters."
    )


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
    original_url: str = Field(description="Where to download the original file.")
    chunks: list[ChunkOut]


class AskIn(BaseModel):
    """A question, optionally restricted like a search."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"question": "Hoeveel vakantiedagen krijg ik?", "folder": "hr"}]
        },
    )

    question: str = Field(min_length=1)
    lang: Lang | None = Field(None, description="Language of the messages (default: guessed).")
    mode: AnswerMode = Field(
        "extractive",
        description="`generate` asks the configured language model (WEGWIJS_LLM_URL).",
    )
    root: str | None = None
    folder: str | None = None
    owner: str | None = None
    file_type: str | None = None
    language: str | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None


class CitationOut(BaseModel):
    """Passage ``[n]`` of an answer."""

    n: int = Field(examples=[1])
    chunk_id: str = Field(examples=[CHUNK_ID])
    doc_id: str = Field(examples=[DOC_ID])
    doc_path: str
    title: str
    page: int | None
    section: str | None
    owners: list[str]
    modified_at: str
    text: str


class AnswerSentenceOut(BaseModel):
    """A sentence of the answer and the citation it comes from."""

    text: str
    n: int


class AskOut(BaseModel):
    """An extractive answer: cited sentences, or 'not confident' and the people to ask."""

    question: str
    answer: str = Field(
        examples=["Medewerkers met een voltijdaanstelling hebben recht op 25 vakantiedagen. [1]"]
    )
    confident: bool
    score: float = Field(description="Score of the best sentence; confident at or above it.")
    sentences: list[AnswerSentenceOut]
    citations: list[CitationOut]
    ask: list[str] = Field(
        description="Owners of the top documents, when the answer is not confident.",
        examples=[["Team HR"]],
    )
    mode: AnswerMode = Field(
        "extractive", description="How the answer was made: `extractive` or `generate`."
    )
    notice: str | None = Field(
        None, description="Why a requested generated answer fell back to the extractive one."
    )


class FeedbackIn(BaseModel):
    """Was a hit or an answer helpful for a query?"""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"query": "vakantiedagen", "chunk_id": CHUNK_ID, "helpful": True}]
        },
    )

    query: str = Field(min_length=1)
    chunk_id: str | None = Field(None, description="The hit judged; leave out for an answer.")
    helpful: bool
    comment: str | None = Field(None, max_length=2000)


class FeedbackOut(BaseModel):
    """The stored feedback's id."""

    feedback_id: int


class HealthOut(BaseModel):
    """Liveness and what is being served."""

    status: str
    generation: int
    documents: int
    chunks: int
    model: str
    detail: str | None = None
    process: int = Field(0, description="Id of the answering process (`serve --workers`).")
