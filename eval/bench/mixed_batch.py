"""A batch of office documents: the sample share's 50 documents in its 12 formats, written
over and over with new text.

Each copy keeps a document's format, layout (headings, paragraphs, bullets, table rows, mail
envelope and attachments) and the length of every piece of text, and replaces the words with
Zipf-drawn words of the document's language (``eval.bench.corpus.Vocabulary``). So a batch of
several hundred files parses as the sample share does, format for format, while every chunk is
new to the embedding cache and no file is a copy of another.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import numpy as np

from eval.bench.corpus import Vocabulary
from service.sample_share.content import (
    Attachment,
    SampleDocument,
    Section,
    document_dates,
    load_documents,
)
from service.sample_share.render import render_document


def write_mixed_tree(root: Path, files: int, seed: int = 2) -> list[Path]:
    """Write ``files`` re-worded sample-share documents under ``root``, one folder per round
    through the 50; within a round the formats take turns, so any 12 files hold all 12.

    Returns:
        The paths written.
    """
    rng = np.random.default_rng(seed)
    vocabularies: dict[str, Vocabulary] = {}
    templates = _by_format_in_turn(load_documents())
    now = datetime.now(UTC)
    written = []
    for number in range(files):
        template = templates[number % len(templates)]
        vocabulary = vocabularies.setdefault(template.language, Vocabulary(template.language))
        document = _reworded(template, vocabulary, rng)
        path = root / f"ronde-{number // len(templates):03d}" / PurePosixPath(template.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_document(document, document_dates(document, now)))
        written.append(path)
    return written


def _by_format_in_turn(documents: Sequence[SampleDocument]) -> list[SampleDocument]:
    """``documents`` reordered so that the formats take turns (first of each, second of each…)."""
    queues: dict[str, deque[SampleDocument]] = defaultdict(deque)
    for document in sorted(documents, key=lambda d: d.path):
        queues[document.file_format].append(document)
    ordered = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                ordered.append(queue.popleft())
    return ordered


def _reworded(
    document: SampleDocument, vocabulary: Vocabulary, rng: np.random.Generator
) -> SampleDocument:
    def text(original: str) -> str:
        return _words_like(original, vocabulary, rng)

    def sections(originals: tuple[Section, ...]) -> tuple[Section, ...]:
        return tuple(
            Section(
                heading=text(section.heading),
                paragraphs=tuple(text(p) for p in section.paragraphs),
                bullets=tuple(text(b) for b in section.bullets),
                rows=tuple(tuple(text(cell) for cell in row) for row in section.rows),
            )
            for section in originals
        )

    mail = document.mail
    if mail is not None:
        attachments = tuple(
            Attachment(a.filename, text(a.title), sections(a.sections)) for a in mail.attachments
        )
        mail = replace(mail, attachments=attachments)
    return replace(
        document, title=text(document.title), sections=sections(document.sections), mail=mail
    )


def _words_like(original: str, vocabulary: Vocabulary, rng: np.random.Generator) -> str:
    """As many Zipf-drawn words as ``original`` has, as sentences when it is prose."""
    count = len(original.split())
    if count == 0:
        return original
    if count < 8:  # a heading, a cell, a title: no sentence punctuation
        return " ".join(vocabulary.words[i] for i in vocabulary.draw(rng, count)).capitalize()
    return vocabulary.paragraph(rng, count)
