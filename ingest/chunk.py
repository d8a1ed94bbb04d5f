"""Elements → chunks with unstructured's ``chunk_by_title``, keeping page and section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from unstructured.chunking.title import chunk_by_title
from unstructured.documents.elements import Element, Title

from ingest.models import Chunk


@dataclass(frozen=True)
class ChunkingConfig:
    """Chunk sizes in characters, passed to ``chunk_by_title``.

    The defaults keep a chunk well inside a 512-token embedding window for Dutch and English
    prose (about 4 characters per token), see README "Chunking".
    """

    max_characters: int = 1200
    new_after_n_chars: int = 900
    combine_text_under_n_chars: int = 300
    overlap: int = 0


def chunk_elements(elements: Sequence[Element], config: ChunkingConfig) -> tuple[Chunk, ...]:
    """Group elements into chunks by section; each chunk keeps its first page and its heading."""
    if not elements:
        return ()
    pieces = chunk_by_title(
        list(elements),
        max_characters=config.max_characters,
        new_after_n_chars=config.new_after_n_chars,
        combine_text_under_n_chars=config.combine_text_under_n_chars,
        overlap=config.overlap,
        multipage_sections=True,
    )
    chunks: list[Chunk] = []
    section: str | None = None
    for piece in pieces:
        section = _section(piece) or section
        text = piece.text.strip()
        if text:
            chunk = Chunk(len(chunks), text, piece.metadata.page_number, section)
            chunks.append(chunk)
    return tuple(chunks)


def _section(piece: Any) -> str | None:
    originals = getattr(piece.metadata, "orig_elements", None) or []
    for element in originals:
        if isinstance(element, Title) and element.text.strip():
            return str(element.text.strip()[:200])
    return None


def first_title(elements: Sequence[Element]) -> str | None:
    """Return the text of the first Title element, if any."""
    for element in elements:
        if isinstance(element, Title) and element.text.strip():
            return str(element.text.strip()[:300])
    return None
