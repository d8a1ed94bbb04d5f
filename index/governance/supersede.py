"""Superseded copies: near-duplicate documents found by their embeddings and their names.

Two documents are copies when their chunks say nearly the same (each chunk's best match in the
other, averaged both ways) and either that similarity is very high, or their names share a
stem once version and copy markers are stripped (``reiskostenbeleid_v2_definitief(2).docx`` →
``reiskostenbeleid``), or one of them carries such a marker (``_v2``, ``definitief``,
``FINAL(2)``, ``kopie``, ``copy``, ``old``/``oud``, an ``oud/`` folder). Copies form groups;
in each group one copy is canonical and the others are superseded by it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import combinations
from pathlib import PurePosixPath

import numpy as np
import numpy.typing as npt

from index.governance.docvectors import Matrix, alignment, mean_vectors

_MARKERS = re.compile(
    r"(?:_|\b)v\d+\b|\bversie\s*\d+\b|definitief|final|finaal|\(\d+\)|\bkopie(?:\s+van)?\b"
    r"|\bcopy(?:\s+of)?\b|\bold\b|\boud\b|\bbackup\b|\bconcept\b|\bdraft\b"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
NEAREST_BLOCK = 256
_OLD_FOLDERS = frozenset({"oud", "old", "archief", "archive", "backup", "kopie", "copy"})


@dataclass(frozen=True)
class SupersedeConfig:
    """Similarity thresholds (chunk alignment) for the three ways to be a copy."""

    identical: float = 0.97
    same_name: float = 0.85
    marked_name: float = 0.92
    neighbours: int = 10


@dataclass(frozen=True)
class CopyPair:
    """Two documents found to be copies of each other, and why."""

    left: str
    right: str
    similarity: float
    reason: str


@dataclass(frozen=True)
class CopyFacts:
    """What decides which copy of a group is canonical."""

    doc_id: str
    restarted: datetime
    outdated: bool


def _words(name: str) -> str:
    return re.sub(r"[^0-9a-z()]+", " ", name.lower())


@lru_cache(maxsize=1 << 16)
def name_stem(rel_path: str) -> str:
    """A file name without extension, versions, years and copy markers (``reiskostenbeleid``)."""
    words = _MARKERS.sub(" ", _words(PurePosixPath(rel_path).stem))
    return " ".join(_YEAR.sub(" ", words).replace("(", " ").replace(")", " ").split())


@lru_cache(maxsize=1 << 16)
def has_copy_marker(rel_path: str) -> bool:
    """True for names or folders that say *copy*, *old* or a version (``_v2``, ``oud/``)."""
    path = PurePosixPath(rel_path)
    folders = {part.lower() for part in path.parts[:-1]}
    return bool(_MARKERS.search(_words(path.stem))) or bool(folders & _OLD_FOLDERS)


def copy_reason(left: str, right: str, similarity: float, config: SupersedeConfig) -> str | None:
    """Why two documents (by path) with this similarity are copies, or None when they are not."""
    if similarity >= config.identical:
        return "near-identical content"
    stem = name_stem(left)
    if stem and stem == name_stem(right) and similarity >= config.same_name:
        return "same name, similar content"
    if (has_copy_marker(left) or has_copy_marker(right)) and similarity >= config.marked_name:
        return "copy-like name, similar content"
    return None


def find_copies(
    chunks: Mapping[str, Matrix],
    paths: Mapping[str, str],
    config: SupersedeConfig,
    changed: Collection[str] | None = None,
) -> list[CopyPair]:
    """Pairs of copies among documents (``paths``: doc_id → path relative to its root); with
    ``changed``, only the pairs that have one of those documents in them."""
    candidates = _candidates(chunks, paths, config.neighbours, changed)
    pairs = []
    for left, right in sorted(candidates):
        similarity = alignment(chunks[left], chunks[right])
        reason = copy_reason(paths[left], paths[right], similarity, config)
        if reason:
            pairs.append(CopyPair(left, right, round(similarity, 4), reason))
    return pairs


def _candidates(
    chunks: Mapping[str, Matrix],
    paths: Mapping[str, str],
    neighbours: int,
    changed: Collection[str] | None = None,
) -> set[tuple[str, str]]:
    """Nearest documents by mean embedding, plus every pair that shares a name stem (of the
    ``changed`` documents only, when given)."""
    doc_ids, means = mean_vectors(dict(chunks))
    wanted = set(doc_ids) if changed is None else set(changed)
    rows = np.array([row for row, doc_id in enumerate(doc_ids) if doc_id in wanted], np.int64)
    found: set[tuple[str, str]] = set()
    for row, columns in zip(rows.tolist(), nearest_rows(means, neighbours, rows=rows), strict=True):
        found |= {tuple(sorted((doc_ids[row], doc_ids[c]))) for c in columns}
    by_stem: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        by_stem.setdefault(name_stem(paths[doc_id]), []).append(doc_id)
    for stem, members in by_stem.items():
        if stem and not wanted.isdisjoint(members):
            found |= {pair for pair in combinations(sorted(members), 2) if wanted & set(pair)}
    return found


def nearest_rows(
    vectors: Matrix,
    neighbours: int,
    block: int = NEAREST_BLOCK,
    rows: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int64]:
    """For each row (or each of ``rows``), the ``neighbours`` rows most similar to it, most
    similar first.

    The first place of each row's full ranking is left out (the row itself, similarity 1), as
    ``argsort(-vectors @ vectors.T)[:, 1 : neighbours + 1]`` would; but rows are compared a
    block at a time and only the top ``neighbours + 1`` of each are sorted. Memory stays at
    ``block`` rows of similarities, and the full sort of every row (8.8 s of an ingest into
    10,000 documents, growing with their square) is gone. Rows with exactly equal similarities
    may come in another order, as they may between two runs of a full sort.
    """
    count = len(vectors)
    queries = vectors if rows is None else vectors[rows]
    if count < 2:
        return np.zeros((len(queries), 0), dtype=np.int64)
    keep = min(neighbours + 1, count)
    nearest = np.empty((len(queries), keep - 1), dtype=np.int64)
    for start in range(0, len(queries), block):
        similarity = -(queries[start : start + block] @ vectors.T)
        top = np.argpartition(similarity, keep - 1, axis=1)[:, :keep]
        order = np.argsort(np.take_along_axis(similarity, top, axis=1), axis=1)
        nearest[start : start + block] = np.take_along_axis(top, order, axis=1)[:, 1:]
    return nearest


def group_copies(pairs: Sequence[CopyPair]) -> dict[str, int]:
    """Connected groups of copies: doc_id → group number (1, 2, …) in a stable order."""
    parent: dict[str, str] = {}

    def root(doc_id: str) -> str:
        while parent.setdefault(doc_id, doc_id) != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    for pair in pairs:
        parent[root(pair.left)] = root(pair.right)
    groups: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for doc_id in sorted(parent):
        groups[doc_id] = numbers.setdefault(root(doc_id), len(numbers) + 1)
    return groups


def choose_canonical(copies: Sequence[CopyFacts]) -> str:
    """The canonical copy: not marked outdated, then the latest edited or reviewed."""
    live = [copy for copy in copies if not copy.outdated] or list(copies)
    return max(live, key=lambda copy: (copy.restarted, copy.doc_id)).doc_id


def record_copies(conn: sqlite3.Connection, pairs: Sequence[CopyPair]) -> int:
    """Replace the groups of copies in the catalog by those of ``pairs`` (inside the caller's
    transaction)."""
    groups = group_copies(pairs)
    best: dict[str, tuple[float, str]] = {}
    for pair in pairs:
        for doc_id in (pair.left, pair.right):
            best[doc_id] = max(best.get(doc_id, (0.0, "")), (pair.similarity, pair.reason))
    conn.execute("DELETE FROM duplicates")
    conn.executemany(
        "INSERT INTO duplicates (doc_id, group_id, similarity, reason) VALUES (?,?,?,?)",
        [(doc_id, group, *best[doc_id]) for doc_id, group in groups.items()],
    )
    return len(groups)
