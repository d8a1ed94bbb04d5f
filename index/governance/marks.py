"""Reviews and outdated marks: recorded by people, kept by ``doc_id`` and content hash.

A mark applies to a document when either its ``doc_id`` (the file was edited in place) or its
``sha256`` (the file was renamed or moved) matches, so marks survive re-ingest, renames and
restarts; every ingest then re-keys them to where the document went (``follow_documents``),
so a rename followed later by an edit is followed too. The latest mark wins: a review after an
outdated mark makes a document valid again.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Literal

from index.governance.errors import (
    AmbiguousDocumentError,
    MissingReviewerError,
    UnknownDocumentError,
)
from index.governance.usage import recount_uses

Action = Literal["reviewed", "outdated"]
FOLLOWED_TABLES = ("reviews", "uses")
# Where each followed table's keys are listed: ``use_totals`` has one row per key of ``uses``,
# which has one row per event (see ``index.governance.usage``).
_KEYS_OF = {"reviews": "reviews", "uses": "use_totals"}


@dataclass(frozen=True)
class Mark:
    """One review or outdated mark, as recorded."""

    doc_id: str
    sha256: str
    action: Action
    reviewer: str
    note: str
    recorded_at: str


@dataclass(frozen=True)
class MarkSummary:
    """What a document's marks add up to."""

    last_reviewed: datetime | None = None
    reviewers: tuple[str, ...] = ()
    outdated_by: Mark | None = None


def find_document(conn: sqlite3.Connection, reference: str) -> tuple[str, str]:
    """The ``(doc_id, sha256)`` for a doc_id, a path on disk, or the end of a doc_id.

    Raises:
        UnknownDocumentError: nothing matches.
        AmbiguousDocumentError: a partial path matches several documents.
    """
    row = conn.execute("SELECT doc_id, sha256 FROM documents WHERE doc_id = ?", (reference,))
    found = [tuple(r) for r in row.fetchall()]
    if not found and Path(reference).is_file():
        path = Path(reference).resolve()
        rows = conn.execute(
            "SELECT doc_id, sha256, rel_path FROM documents WHERE root_path = ?",
            (str(path.parent),),
        )
        found = [(r[0], r[1]) for r in rows if PurePosixPath(r[2]).name == path.name]
    if not found:
        suffix = "/" + reference.strip("/")
        rows = conn.execute("SELECT doc_id, sha256 FROM documents ORDER BY doc_id")
        found = [(r[0], r[1]) for r in rows if r[0].endswith(suffix)]
    if not found:
        raise UnknownDocumentError(
            f"No document '{reference}' in the catalog; give its path, or a doc_id as shown "
            "by 'wegwijs search --json' (root label + path), and ingest it first if it is new."
        )
    if len(found) > 1:
        names = ", ".join(doc_id for doc_id, _ in found[:5])
        raise AmbiguousDocumentError(f"'{reference}' matches {names}: give the full doc_id.")
    return str(found[0][0]), str(found[0][1])


def record_mark(
    conn: sqlite3.Connection,
    reference: str,
    action: Action,
    reviewer: str,
    note: str = "",
) -> Mark:
    """Record a review or an outdated mark on a writable catalog connection.

    Raises:
        MissingReviewerError: ``reviewer`` is empty.
        UnknownDocumentError: no document matches ``reference``.
    """
    if not reviewer.strip():
        raise MissingReviewerError(f"Say who {action} '{reference}': pass --by NAME.")
    doc_id, sha256 = find_document(conn, reference)
    mark = Mark(doc_id, sha256, action, reviewer.strip(), note.strip(), _now())
    conn.execute(
        "INSERT INTO reviews (doc_id, sha256, action, reviewer, note, recorded_at) "
        "VALUES (?,?,?,?,?,?)",
        (mark.doc_id, mark.sha256, mark.action, mark.reviewer, mark.note, mark.recorded_at),
    )
    return mark


def marks_for(conn: sqlite3.Connection, documents: Mapping[str, str]) -> dict[str, list[Mark]]:
    """The marks of each document (``doc_id`` → ``sha256``), oldest first."""
    if not documents:
        return {}
    by_sha: dict[str, list[str]] = defaultdict(list)
    for doc_id, sha256 in documents.items():
        by_sha[sha256].append(doc_id)
    found: dict[str, dict[int, Mark]] = defaultdict(dict)
    for row in _select(conn, "doc_id", list(documents)):
        found[row[1]][row[0]] = Mark(*row[1:])
    for row in _select(conn, "sha256", list(by_sha)):
        for doc_id in by_sha[row[2]]:
            found[doc_id][row[0]] = Mark(*row[1:])
    return {doc_id: [marks[i] for i in sorted(marks)] for doc_id, marks in found.items()}


def _select(conn: sqlite3.Connection, key: str, values: list[str]) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = []
    for start in range(0, len(values), 500):
        part = values[start : start + 500]
        rows += conn.execute(
            "SELECT review_id, doc_id, sha256, action, reviewer, note, recorded_at "
            f"FROM reviews WHERE {key} IN ({','.join('?' * len(part))})",
            part,
        ).fetchall()
    return rows


def summarise(marks: list[Mark]) -> MarkSummary:
    """Last review, reviewers, and the outdated mark still in force (newer than any review)."""
    reviews = [mark for mark in marks if mark.action == "reviewed"]
    outdated = marks[-1] if marks and marks[-1].action == "outdated" else None
    reviewers = tuple(dict.fromkeys(mark.reviewer for mark in reviews))
    last = datetime.fromisoformat(reviews[-1].recorded_at) if reviews else None
    return MarkSummary(last, reviewers, outdated)


def follow_documents(conn: sqlite3.Connection) -> int:
    """Re-key marks and uses to where their documents went; returns how many keys moved.

    A document whose content now lives under another ``doc_id`` was renamed: its marks follow
    the content. A ``doc_id`` whose content changed was edited: its marks follow the id. Run at
    every ingest (inside its transaction), so a rename and a later edit are both followed. The
    use totals of both keys are counted again from the moved events.
    """
    sha_of = {row[0]: row[1] for row in conn.execute("SELECT doc_id, sha256 FROM documents")}
    ids_of: dict[str, list[str]] = defaultdict(list)
    for doc_id, sha256 in sorted(sha_of.items()):
        ids_of[sha256].append(doc_id)
    moved = 0
    for table in FOLLOWED_TABLES:
        keys = conn.execute(f"SELECT DISTINCT doc_id, sha256 FROM {_KEYS_OF[table]}").fetchall()
        for doc_id, sha256 in keys:
            target = _follow(doc_id, sha256, sha_of, ids_of)
            if target != (doc_id, sha256):
                conn.execute(
                    f"UPDATE {table} SET doc_id = ?, sha256 = ? WHERE doc_id = ? AND sha256 = ?",
                    (*target, doc_id, sha256),
                )
                if table == "uses":
                    recount_uses(conn, [(doc_id, sha256), target])
                moved += 1
    return moved


def _follow(
    doc_id: str, sha256: str, sha_of: Mapping[str, str], ids_of: Mapping[str, list[str]]
) -> tuple[str, str]:
    current = sha_of.get(doc_id)
    if current == sha256:
        return doc_id, sha256
    renamed = ids_of.get(sha256, [])
    if renamed:
        return renamed[0], sha256
    if current is not None:
        return doc_id, current
    return doc_id, sha256


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
