"""Score completion: each arm's own score for the chunks only the other arm returned.

Each arm returns its best ``candidates`` chunks. Fusing them needs both scores of every chunk in
either list, and a chunk one arm ranked just past its cut has no score there. Filling that gap
with the arm's lowest returned score (what fusion did before) hides whether the chunk was a near
miss or had nothing to do with the question, and normalising each arm over its own short list
weighs the arms by how bunched their top scores are. Completion computes the missing scores
instead, cheaply, because the candidates are few: the cosine from the chunk's stored embedding,
and FTS5's BM25 restricted to those row ids (0 for a chunk that matches no query term). Fusion
then normalises both arms over the same candidates.

Measured on the tune-on splits (EVAL.md, "Score completion"): chosen by the bootstrap mean of
the worse of the two dev margins over the best arm.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping

import numpy as np
import numpy.typing as npt

# FTS5 scores of no match: BM25 is positive for a chunk containing any query term.
NO_MATCH = 0.0


def dense_scores(
    conn: sqlite3.Connection, vector: npt.NDArray[np.float32], rowids: Collection[int]
) -> dict[int, float]:
    """Chunk row id → inner product of its stored embedding with the query ``vector``.

    The embeddings are the ones the index was built from (normalised), so for an exact index
    the score is the one the dense arm returns; for an approximate index it is the exact score.
    Row ids with no stored embedding are left out.
    """
    if not rowids:
        return {}
    ids = list(rowids)
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT chunk_rowid, embedding FROM chunks WHERE chunk_rowid IN ({marks})", ids
    ).fetchall()
    if not rows:
        return {}
    matrix = np.vstack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
    scores = matrix @ np.asarray(vector, dtype=np.float32).reshape(-1)
    return {int(row[0]): float(score) for row, score in zip(rows, scores, strict=True)}


def lexical_scores(
    conn: sqlite3.Connection, match: str | None, rowids: Collection[int]
) -> dict[int, float]:
    """Chunk row id → FTS5 BM25 of ``match`` (as the lexical arm scores it), ``NO_MATCH`` if none.

    BM25 uses the whole collection's statistics, so a chunk's score does not depend on which
    other chunks are asked for.
    """
    scores = dict.fromkeys(rowids, NO_MATCH)
    if not scores or match is None:
        return scores
    ids = list(scores)
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts "
        f"WHERE chunks_fts MATCH ? AND rowid IN ({marks})",
        [match, *ids],
    )
    scores.update({int(row[0]): float(row[1]) for row in rows})
    return scores


def restrict(
    completed: Mapping[int, float], dense: Mapping[int, float], lexical: Mapping[int, float]
) -> dict[int, float]:
    """``completed`` scores of the chunks in either arm's candidates (the fused set)."""
    return {key: completed[key] for key in dense.keys() | lexical.keys() if key in completed}
