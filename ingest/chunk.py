"""Elements → chunks with unstructured's ``chunk_by_title``, keeping page and section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from unstructured.chunking.title import chunk_by_title
from unstructured.documents.elements import Element, Title

from ingest.models import Chunk

# A closing run of headings at most this long is carried into the next chunk (_split_headings).
_HEADING_CHARS = 300


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
    parts = [_split_headings(piece) for piece in pieces]
    last_body = max((at for at, part in enumerate(parts) if part.body), default=-1)
    chunks: list[Chunk] = []
    section: str | None = None
    carried: _Heading | None = None
    for at, part in enumerate(parts):
        body, leading, trailing = part.body, part.leading, part.trailing
        if at >= last_body and trailing:  # nothing after to lead: keep the piece whole
            body, leading, trailing = part.text, [*leading, *trailing], []
        if body:
            lead = carried or _Heading("", part.page, None)
            text = f"{lead.text}\n\n{body}" if lead.text else body
            own = lead.section or _section(leading) or section
            chunks.append(Chunk(len(chunks), text, lead.page, own))
            carried = None
        if trailing:
            carried = _carry(carried, trailing)
        section = _section([*leading, *trailing][::-1]) or section
    return tuple(chunks)


@dataclass(frozen=True)
class _Part:
    """A piece of ``chunk_by_title`` split into its body and the run of headings it ends with."""

    text: str
    page: int | None
    body: str
    leading: list[Element]
    trailing: list[Element]


@dataclass(frozen=True)
class _Heading:
    """Headings waiting to lead the chunk after them: their text, first page and section."""

    text: str
    page: int | None
    section: str | None


def _split_headings(piece: Any) -> _Part:
    """Split off the run of headings a piece ends with, to lead the next chunk.

    ``chunk_by_title`` starts a section at a heading but flushes a chunk when the next element
    does not fit: a title line over an abstract too long to join it becomes a chunk of its own,
    and a small section combined with the next one can end in that section's heading while its
    text starts the next chunk. A reader takes a heading with the text that follows it, so a
    closing run of headings (at most ``_HEADING_CHARS`` long) is carried into the next chunk,
    which grows by that much at most; its embedding input carried it anyway as title or section.
    """
    text = str(piece.text).strip()
    page = piece.metadata.page_number
    originals: list[Element] = [
        element
        for element in getattr(piece.metadata, "orig_elements", None) or []
        if element.text.strip()
    ]
    cut = len(originals)
    while cut > 0 and isinstance(originals[cut - 1], Title):
        cut -= 1
    tail = body_text(originals[cut:])
    if len(tail) > _HEADING_CHARS or not text.endswith(tail):
        return _Part(text, page, text, originals, [])
    body = text[: len(text) - len(tail)].strip()
    return _Part(text, page, body, originals[:cut], originals[cut:])


def body_text(elements: Sequence[Element]) -> str:
    """The text of a run of elements, a blank line between them, as ``chunk_by_title`` joins."""
    return "\n\n".join(element.text.strip() for element in elements)


def _carry(carried: _Heading | None, trailing: Sequence[Element]) -> _Heading:
    text = body_text(trailing)
    if carried is not None:
        return _Heading(f"{carried.text}\n\n{text}", carried.page, carried.section)
    return _Heading(text, trailing[0].metadata.page_number, _section(trailing))


def _section(elements: Sequence[Element]) -> str | None:
    for element in elements:
        if isinstance(element, Title) and element.text.strip():
            return str(element.text.strip()[:200])
    return None


def as_heading(elements: list[Element], title: str | None) -> list[Element]:
    """Make the first element a heading when it is the document's title line.

    unstructured calls a line a Title only when it looks like one (short, capitalised); a plain
    text file's title line that stands alone (``parse.text_title``) is a heading all the same,
    so it names the section and leads the text after it like any other heading.
    """
    if not title or not elements or isinstance(elements[0], Title):
        return elements
    if elements[0].text.strip() != title:
        return elements
    return [Title(title, metadata=elements[0].metadata), *elements[1:]]


def first_title(elements: Sequence[Element]) -> str | None:
    """Return the text of the first Title element, if any."""
    for element in elements:
        if isinstance(element, Title) and element.text.strip():
            return str(element.text.strip()[:300])
    return None
