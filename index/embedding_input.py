"""What the embedding model reads for a chunk: the passage under its document title and heading."""

from __future__ import annotations

import hashlib

# Stored in the catalog meta; bump when the input changes so old embeddings are re-made.
EMBEDDING_INPUT = "title-section-text/1"


def embedding_text(title: str, section: str | None, text: str) -> str:
    """The chunk text, preceded by the document title and the heading it sits under.

    A passage cut from the middle of a document often never names its subject; the title and
    heading give it back (the lexical arm indexes them with every chunk as well). A part the text
    already starts with, or that repeats the title, is left out.
    """
    context: list[str] = []
    for part in (title.strip(), (section or "").strip()):
        if part and part not in context and not text.startswith(part):
            context.append(part)
    return "\n".join(context) + "\n\n" + text if context else text


def input_sha256(embedded: str) -> str:
    """Hash of an embedding input, to reuse its vector when the same input comes back."""
    return hashlib.sha256(embedded.encode("utf-8")).hexdigest()
