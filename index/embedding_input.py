"""What the embedding model reads for a chunk: the passage under its document title and heading."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

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


def context_title(title: str, rel_path: str) -> str:
    """The title a document's chunks are embedded under: none when it is only the file name.

    A file without a title of its own is titled by its name; leaving that name out of the
    embedding input keeps a rename from re-embedding anything.
    """
    return "" if title == PurePosixPath(rel_path).name else title


def input_sha256(embedded: str) -> str:
    """Hash of an embedding input, to reuse its vector when the same input comes back."""
    return hashlib.sha256(embedded.encode("utf-8")).hexdigest()
