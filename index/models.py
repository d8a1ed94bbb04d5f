"""Index-side data: the manifest of a published generation and a search hit."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Manifest:
    """Everything needed to check and reproduce one published index generation.

    ``index_kind`` is ``exact``, ``ivf_sq8`` or ``hnsw`` (see ``index.ann``); ``search_effort``
    is the nprobe or efSearch each query uses (0 for exact search). ``trained_count`` is the
    chunk count an IVF+SQ8 index's lists were trained at (0 otherwise), and ``reused_training``
    says they were kept from an earlier publish rather than trained for this one
    (``index.quantizer``). ``probe_recall`` is the recall@10 that ``probes`` probe queries
    measured at ``search_effort`` where it was calibrated on the home's own text
    (``index.calibration``; 0 where it was not). ``grown_from`` is the generation an IVF+SQ8
    index was grown from rather than rebuilt (``index.grow``; 0: rebuilt). Manifests written
    before these fields existed describe exact indexes.
    """

    generation: int
    model_profile: str
    model_name: str
    dimension: int
    weights_sha256: str
    normalized: bool
    chunking: dict[str, int]
    vector_count: int
    document_count: int
    catalog_seq: int
    vectors_sha256: str
    created_at: str
    versions: dict[str, str]
    index_kind: str = "exact"
    search_effort: int = 0
    trained_count: int = 0
    reused_training: bool = False
    probe_recall: float = 0.0
    probes: int = 0
    grown_from: int = 0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return asdict(self)


@dataclass(frozen=True)
class Owner:
    """An owner as shown with a hit."""

    name: str
    source: str


@dataclass(frozen=True)
class Hit:
    """One ranked passage with its document's metadata."""

    chunk_id: str
    chunk_rowid: int
    doc_id: str
    root: str
    doc_path: str
    title: str
    text: str
    score: float
    owners: tuple[Owner, ...]
    modified_at: str
    page: int | None
    section: str | None
    file_type: str
    language: str | None
    review_state: str = "current"
    superseded_by: str | None = None
