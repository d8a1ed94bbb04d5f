"""Present hits and answers: one JSON record shape for CLI and API, and terminal lines."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

import humanize

from index.models import Hit
from service.highlight import make_snippet
from service.i18n import Lang
from service.qa import Answer, answer_text

SNIPPET_CHARS = 240


def age(modified_at: str, now: datetime | None = None) -> str:
    """How long ago, in words (``3 months ago``)."""
    moment = datetime.fromisoformat(modified_at)
    return str(humanize.naturaltime(moment, when=now or datetime.now(UTC)))


def age_days(modified_at: str, now: datetime | None = None) -> int:
    """Whole days since ``modified_at``."""
    return max(0, ((now or datetime.now(UTC)) - datetime.fromisoformat(modified_at)).days)


def hit_record(
    hit: Hit, now: datetime | None = None, terms: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The JSON shape of a hit (``--json`` lines and ``/api/search``).

    ``terms`` (from ``service.highlight.match_terms``) are marked in the snippet.
    """
    snippet = make_snippet(hit.text, terms)
    return {
        "chunk_id": hit.chunk_id,
        "doc_id": hit.doc_id,
        "root": hit.root,
        "doc_path": hit.doc_path,
        "title": hit.title,
        "text": hit.text,
        "snippet": snippet.text,
        "highlights": [list(span) for span in snippet.spans],
        "score": hit.score,
        "owners": [owner.name for owner in hit.owners],
        "owner_sources": [{"name": o.name, "source": o.source} for o in hit.owners],
        "modified_at": hit.modified_at,
        "age": age(hit.modified_at, now),
        "age_days": age_days(hit.modified_at, now),
        "page": hit.page,
        "section": hit.section,
        "file_type": hit.file_type,
        "language": hit.language,
        "review_state": hit.review_state,
        "superseded_by": hit.superseded_by,
    }


def snippet(text: str, width: int = SNIPPET_CHARS) -> str:
    """The start of a passage on one line, shortened at a word boundary."""
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" …")


def hit_lines(rank: int, hit: Hit, now: datetime | None = None) -> list[str]:
    """Terminal lines for one hit: score, title, where, owners, date and age, snippet."""
    where = f"{hit.root}/{hit.doc_path}" + (f", p. {hit.page}" if hit.page else "")
    owners = ", ".join(owner.name for owner in hit.owners) or "no owner"
    day = hit.modified_at[:10]
    return [
        f"{rank:>2}. {hit.score:.3f}  {hit.title}",
        f"    {where}",
        f"    owners: {owners} · modified {day} ({age(hit.modified_at, now)})",
        f"    {snippet(hit.text)}",
    ]


def answer_record(answer: Answer, lang: Lang) -> dict[str, Any]:
    """The JSON shape of an answer (``wegwijs ask --json`` and ``/api/ask``)."""
    return {
        "question": answer.question,
        "answer": answer_text(answer, lang),
        "confident": answer.confident,
        "score": answer.score,
        "sentences": [{"text": s.text, "n": s.n} for s in answer.sentences],
        "citations": [
            {
                "n": citation.n,
                "chunk_id": citation.hit.chunk_id,
                "doc_id": citation.hit.doc_id,
                "doc_path": citation.hit.doc_path,
                "title": citation.hit.title,
                "page": citation.hit.page,
                "section": citation.hit.section,
                "owners": [owner.name for owner in citation.hit.owners],
                "modified_at": citation.hit.modified_at,
                "text": citation.hit.text,
            }
            for citation in answer.citations
        ],
        "ask": list(answer.ask),
        "mode": answer.mode,
        "notice": answer.notice,
    }


def answer_lines(answer: Answer, lang: Lang) -> list[str]:
    """Terminal lines for an answer: the text, then each citation with where it comes from."""
    lines = [answer_text(answer, lang), ""]
    for citation in answer.citations:
        hit = citation.hit
        where = f"{hit.root}/{hit.doc_path}" + (f", p. {hit.page}" if hit.page else "")
        owners = ", ".join(owner.name for owner in hit.owners) or "no owner"
        lines.append(f"[{citation.n}] {hit.title} — {where} · {owners} · {hit.modified_at[:10]}")
    return lines
