"""The lexical arm: FTS5's own BM25 top-N first, then the visibility and filter conditions.

Joined to ``chunks`` and ``documents`` (to apply filters and reader scoping row by row), SQLite
joined, checked and scored every matching chunk before sorting: 37 ms a question at 100,000
chunks, where FTS5 ranked the same matches on its own in 9 ms. Here the conditions are checked
on the top candidates only. How many candidates are ranked follows the share of chunks the
filters let through (known from the dense arm's allowed ids); when the conditions still drop
too many, the candidates are widened once by the share that passed, and a filter narrower than
``MIN_PASSING_SHARE`` runs the joined query instead. Either way the result is the ``depth``
best-scoring chunks that pass the conditions, as the joined query gives.
"""

from __future__ import annotations

import math
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from index.analyze import query_terms

# Candidates fetched for ``depth`` wanted: a cushion for chunks the conditions leave out.
CUSHION = 1.5
# Below this share of candidates passing, widening would fetch too many: join instead.
MIN_PASSING_SHARE = 0.1
# Most candidates checked in one ``IN (...)`` list (SQLite's default limit is 32,766).
MAX_CANDIDATES = 20_000

_TOP_SQL = (
    "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
    "ORDER BY bm25(chunks_fts), rowid LIMIT ?"
)

# The ``limit`` best-scoring matching chunks as ``(rowid, score)``, best first: FTS5's ranking
# (``fts_ranking``) or the same ranking from the in-memory postings (``index.postings``).
Ranking = Callable[[int], list[tuple[int, float]]]


@dataclass(frozen=True)
class Condition:
    """An SQL condition over ``chunks c`` joined to ``documents d``, with its parameters."""

    sql: str
    params: tuple[object, ...] = ()

    def __and__(self, other: Condition) -> Condition:
        return Condition(f"({self.sql}) AND ({other.sql})", (*self.params, *other.params))


@dataclass(frozen=True)
class DeepScores:
    """BM25 of a query's best-scoring chunks over the whole catalog, whatever the conditions.

    What score completion (``index.completion``) reads for the chunks the lexical arm did not
    return. A chunk past the kept ones scores at most the last kept score, which it is given
    when more chunks matched than were kept; otherwise it matched nothing and scores 0.
    Measured against exact BM25 for every candidate, keeping 1,000 changed nDCG@10 on the dev
    splits by at most 0.002 (EVAL.md, "Score completion").

    Attributes:
        scores: chunk row id → BM25 (higher is better) of the kept chunks.
        cut: whether more chunks matched than were kept.
    """

    scores: dict[int, float] = field(default_factory=dict)
    cut: bool = False

    @classmethod
    def kept(cls, rows: list[tuple[int, float]], keep: int) -> DeepScores:
        """The first ``keep`` of FTS5's ranked ``(rowid, score)`` rows."""
        return cls(dict(rows[:keep]), len(rows) >= keep)

    @cached_property
    def floor(self) -> float:
        """The score of a chunk not kept."""
        return min(self.scores.values()) if self.cut and self.scores else 0.0

    def of(self, rowid: int) -> float:
        """The chunk's BM25, or the bound described above."""
        return self.scores.get(rowid, self.floor)


def fts_ranking(conn: sqlite3.Connection, match: str) -> Ranking:
    """FTS5's own ranking of ``match``, best first, ties by row id."""

    def rank(limit: int) -> list[tuple[int, float]]:
        return [(row[0], row[1]) for row in conn.execute(_TOP_SQL, (match, limit))]

    return rank


def deep_scores(
    conn: sqlite3.Connection, match: str | None, keep: int, rank: Ranking | None = None
) -> DeepScores:
    """The ``keep`` best chunks' BM25 for ``match`` over the whole catalog."""
    if match is None:
        return DeepScores()
    return DeepScores.kept((rank or fts_ranking(conn, match))(keep), keep)


def query_phrases(query: str) -> list[str]:
    """Every analysed variant of every content word of ``query``, in match order."""
    return [term for group in query_terms(query) for term in sorted(group)]


def match_expression(query: str) -> str | None:
    """The FTS5 query for ``query``: any analysed variant of any content word (None: no words)."""
    return phrases_match(query_phrases(query))


def phrases_match(phrases: list[str]) -> str | None:
    """The FTS5 query matching any of ``phrases`` (None: none)."""
    return " OR ".join(f'"{phrase}"' for phrase in phrases) or None


def top_lexical(
    conn: sqlite3.Connection, match: str, depth: int, condition: Condition, share: float = 1.0
) -> dict[int, float]:
    """Chunk row id → BM25 score (higher is better) of the ``depth`` best chunks that match
    ``match`` and pass ``condition``, of which about ``share`` of all chunks pass."""
    return lexical_arm(conn, match, depth, condition, share)[0]


def lexical_arm(
    conn: sqlite3.Connection,
    match: str,
    depth: int,
    condition: Condition,
    share: float = 1.0,
    keep: int = 0,
    rank: Ranking | None = None,
    fts5_scores: bool = True,
) -> tuple[dict[int, float], DeepScores]:
    """``top_lexical``, plus the ``keep`` best chunks' scores over the whole catalog.

    ``rank`` is ``match``'s ranking over the whole catalog (FTS5's own by default). It scores
    every match to rank them anyway, so keeping more of it costs only the rows read.
    ``fts5_scores`` says whether FTS5's ``bm25()`` gives ``rank``'s scores; when it does not
    (other BM25 parameters), a narrow condition is checked on ``rank``'s whole ranking instead
    of FTS5's joined query.
    """
    rank = rank or fts_ranking(conn, match)
    fetch = _fetch(depth, share)
    deep = DeepScores()
    for _ in range(2):
        if fetch is None:
            break
        rows = rank(max(fetch, keep))
        if keep and not deep.scores:
            deep = DeepScores.kept(rows, keep)
        candidates = rows[:fetch]
        passing = _passing(conn, [row[0] for row in candidates], condition)
        ranked = [(rowid, score) for rowid, score in candidates if rowid in passing]
        if len(ranked) >= depth or len(candidates) < fetch:
            return dict(ranked[:depth]), deep
        fetch = _fetch(depth, len(ranked) / len(candidates))
    if keep and not deep.scores:
        deep = deep_scores(conn, match, keep, rank)
    if not fts5_scores:
        return _joined_ranking(conn, match, depth, condition, rank), deep
    return _joined(conn, match, depth, condition), deep


def _fetch(depth: int, share: float) -> int | None:
    """Candidates to rank for ``depth`` to pass when ``share`` of them do (None: too many)."""
    if share < MIN_PASSING_SHARE:
        return None
    fetch = math.ceil(depth / min(share, 1.0) * CUSHION)
    return fetch if fetch <= MAX_CANDIDATES else None


def _passing(conn: sqlite3.Connection, rowids: list[int], condition: Condition) -> set[int]:
    if not rowids:
        return set()
    marks = ",".join("?" * len(rowids))
    rows = conn.execute(
        "SELECT c.chunk_rowid FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
        f"WHERE c.chunk_rowid IN ({marks}) AND {condition.sql}",
        [*rowids, *condition.params],
    )
    return {row[0] for row in rows}


def _joined(
    conn: sqlite3.Connection, match: str, depth: int, condition: Condition
) -> dict[int, float]:
    """The same answer for a narrow condition: every match joined, checked, then ranked."""
    rows = conn.execute(
        "SELECT f.rowid, -bm25(chunks_fts) FROM chunks_fts f "
        "JOIN chunks c ON c.chunk_rowid = f.rowid JOIN documents d ON d.doc_id = c.doc_id "
        f"WHERE chunks_fts MATCH ? AND {condition.sql} ORDER BY bm25(chunks_fts), f.rowid LIMIT ?",
        [match, *condition.params, depth],
    )
    return {int(row[0]): float(row[1]) for row in rows}


def _joined_ranking(
    conn: sqlite3.Connection, match: str, depth: int, condition: Condition, rank: Ranking
) -> dict[int, float]:
    """``_joined`` with ``rank``'s scores: every match that passes, then ``rank``'s order."""
    rows = conn.execute(
        "SELECT f.rowid FROM chunks_fts f "
        "JOIN chunks c ON c.chunk_rowid = f.rowid JOIN documents d ON d.doc_id = c.doc_id "
        f"WHERE chunks_fts MATCH ? AND {condition.sql}",
        [match, *condition.params],
    )
    passing = {row[0] for row in rows}
    ranked = [(rowid, score) for rowid, score in rank(sys.maxsize) if rowid in passing]
    return dict(ranked[:depth])
