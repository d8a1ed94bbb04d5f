"""Score completion: each arm's own score for the chunks only the other arm returned.

Each arm returns its best ``candidates`` chunks. Fusing them needs both scores of every chunk in
either list, and a chunk one arm ranked just past its cut has no score there. Filling that gap
with the arm's lowest returned score (what fusion did before) hides whether the chunk was a near
miss or had nothing to do with the question, and normalising each arm over its own short list
weighs the arms by how bunched their top scores are. Completion computes the missing scores
instead, cheaply, because the candidates are few: the cosine from the chunk's stored embedding,
and the BM25 from FTS5's ranking of the query, which the lexical arm reads deeper than it returns
(asking FTS5 for the candidates' row ids instead took 36 ms a query at 100,000 chunks: it
scores the whole query once per row id). Fusion then normalises both arms over the same
candidates.

Measured on the tune-on splits (EVAL.md, "Score completion"): chosen by the bootstrap mean of
the worse of the two dev margins over the best arm.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping

import faiss
import numpy as np
import numpy.typing as npt

from index.ann import index_kind
from index.lexical import DeepScores

# Chunks each query's lexical ranking keeps for completion (``index.lexical.DeepScores``).
COMPLETION_DEPTH = 1000


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
    return {int(row[0]): score for row, score in zip(rows, scores.tolist(), strict=True)}


class ServedVectors:
    """The vectors of a served exact index, read back to complete the dense arm's scores.

    An exact index holds every current chunk's embedding as the dense arm scored it (float32,
    or 16-bit floats past ``index.vectors.HALF_PRECISION_FROM``), so a completed score is the
    one the arm would have returned, read from memory the process already maps instead of
    SQLite's embedding column. An approximate index keeps only compressed codes (IVF+SQ8)
    or none a chunk row id addresses cheaply, so ``of`` gives None and completion reads the
    catalog (``dense_scores``).
    """

    def __init__(self, index: faiss.IndexIDMap2) -> None:
        self.index = index
        self.ids: npt.NDArray[np.int64] = np.sort(faiss.vector_to_array(index.id_map))

    @classmethod
    def of(cls, index: faiss.Index) -> ServedVectors | None:
        """Read-back for ``index``, or None where only the catalog can answer."""
        if not isinstance(index, faiss.IndexIDMap2) or index_kind(index) != "exact":
            return None
        return cls(index)

    def held(self, rowids: Collection[int]) -> tuple[list[int], list[int]]:
        """``rowids`` split into those the index holds and those it does not."""
        wanted = np.fromiter(rowids, dtype=np.int64, count=len(rowids))
        places = np.minimum(np.searchsorted(self.ids, wanted), max(len(self.ids) - 1, 0))
        found = self.ids[places] == wanted if len(self.ids) else np.zeros(len(wanted), bool)
        return wanted[found].tolist(), wanted[~found].tolist()

    def scores(
        self, vector: npt.NDArray[np.float32], rowids: Collection[int]
    ) -> tuple[dict[int, float], list[int]]:
        """Inner products of the held ``rowids`` with ``vector``, and the row ids not held."""
        held, absent = self.held(rowids)
        if not held:
            return {}, absent
        matrix = self.index.reconstruct_batch(np.asarray(held, dtype=np.int64))
        products = matrix @ np.asarray(vector, dtype=np.float32).reshape(-1)
        return dict(zip(held, products.tolist(), strict=True)), absent


def lexical_scores(deep: DeepScores, rowids: Collection[int]) -> dict[int, float]:
    """Chunk row id → BM25 as the lexical arm scores it, from the query's ``deep`` scores.

    BM25 uses the whole collection's statistics, so a chunk's score does not depend on the
    filters; a chunk past the kept ones gets the bound ``DeepScores.of`` describes.
    """
    return {rowid: deep.of(rowid) for rowid in rowids}


def restrict(
    completed: Mapping[int, float], dense: Mapping[int, float], lexical: Mapping[int, float]
) -> dict[int, float]:
    """``completed`` scores of the chunks in either arm's candidates (the fused set)."""
    return {key: completed[key] for key in dense.keys() | lexical.keys() if key in completed}
