"""The lexical arm's BM25 from term counts held in memory: FTS5's scores, ten times sooner.

FTS5 scores every chunk that matches a query before it can rank them, through a call of
``bm25()`` per matching row: 11 ms a question at 100,000 chunks, where the sample questions
match 3,000 to 54,000 chunks (BENCHMARKS.md, "Session 5"). Here the catalog's
stored terms are counted once into a sparse chunk × term matrix and a query is scored with a
few vector operations over its terms' columns: 1.2 ms for the same questions, with the same
scores (within 1e-6; FTS5's formula, constants and tie order) and the same top 1,000.

FTS5 stays the source of truth: the counts are read from its table, and a query whose terms
FTS5 would read as phrases of several tokens is left to FTS5 (``supports`` says which).

``Bm25Config`` also lets the postings score with other parameters than FTS5's fixed ones
(Anserini's k1 = 0.9, b = 0.4 and Lucene's idf, for one); only the defaults give FTS5's scores.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]

from index.lexical import DeepScores
from index.retired import visible_sql

logger = logging.getLogger(__name__)

# FTS5's bm25() constants (ext/fts5/fts5_aux.c) and its floor for a term in half the rows or more.
K1 = 1.2
B = 0.75
MIN_IDF = 1e-6
# How a term's rarity is weighted, for a term in n of N chunks: FTS5's
# log((N - n + 0.5) / (n + 0.5)) floored at MIN_IDF, or Lucene's log(1 + (N - n + 0.5) / (n + 0.5)).
Idf = Literal["fts5", "lucene"]
IDF_VARIANTS: tuple[Idf, ...] = ("fts5", "lucene")
# FTS5's unicode61 tokenizer over stored terms, which are folded word characters already:
# it splits on the one word character that is not a letter or digit, the underscore.
_TOKEN = re.compile(r"[^\W_]+")
_MAX_COUNT = np.iinfo(np.uint16).max

Ranked = list[tuple[int, float]]


@dataclass(frozen=True)
class Bm25Config:
    """BM25's parameters; the defaults are FTS5's ``bm25()``, whose scores they reproduce.

    Attributes:
        k1: how fast a term's repeats stop adding (0: only whether it occurs counts).
        b: how much a chunk's length relative to the average lowers its scores (0 to 1).
        idf: the idf variant (``IDF_VARIANTS``).
    """

    k1: float = K1
    b: float = B
    idf: Idf = "fts5"

    def __post_init__(self) -> None:
        if not (self.k1 >= 0 and 0 <= self.b <= 1) or self.idf not in IDF_VARIANTS:
            raise ValueError(
                f"BM25 k1={self.k1}, b={self.b}, idf={self.idf!r}: k1 must be at least 0, "
                f"b between 0 and 1, idf one of {', '.join(IDF_VARIANTS)}."
            )

    @property
    def is_fts5(self) -> bool:
        """Whether these are FTS5's own parameters (its ``bm25()`` gives the same scores)."""
        return self == Bm25Config()

    def idf_weight(self, chunks: int, matching: int) -> float:
        """The idf of a term in ``matching`` of ``chunks`` chunks."""
        ratio = (chunks - matching + 0.5) / (matching + 0.5)
        if self.idf == "lucene":
            return float(np.log1p(ratio))
        idf = float(np.log(ratio))
        return idf if idf > 0 else MIN_IDF


@dataclass(frozen=True)
class QueryWords:
    """A query's words as ``Postings.coverage`` weighs them: per word, its idf and the term
    ids of its variants' tokens that the postings hold."""

    words: tuple[tuple[float, tuple[int, ...]], ...]


@dataclass(frozen=True, eq=False)
class Postings:
    """Every chunk's term counts, scored as FTS5's ``bm25()`` scores them.

    Attributes:
        rowids: the chunks' row ids, ascending (a chunk's position in ``counts``).
        counts: chunk position × term id → occurrences (compressed by column: a term's chunks).
        vocabulary: term → term id.
        lengths: per chunk, its number of terms.
        average: the average of ``lengths`` (0 without chunks).
        visible: per chunk, whether the generation it was built for holds it (see
            ``index.retired``); the full-text index also holds newer and retired chunks.
        documents: per chunk, a number for its document (the same for every chunk of one
            document; -1 for a row the chunks table no longer holds), for ``coverages``.
    """

    rowids: npt.NDArray[np.int64]
    counts: sparse.csc_matrix
    vocabulary: dict[str, int]
    lengths: npt.NDArray[np.float64]
    average: float
    visible: npt.NDArray[np.bool_]
    documents: npt.NDArray[np.int32]

    @classmethod
    def build(cls, conn: sqlite3.Connection, catalog_seq: int | None = None) -> Postings:
        """Count the terms of every row of the catalog's full-text index; chunks are visible
        in the generation at ``catalog_seq`` (None: all of them).

        The rows are streamed, not fetched at once: at 100,000 chunks their text would take
        more memory than the counts it becomes.
        """
        rowids: list[int] = []

        def texts() -> Iterator[str]:
            for rowid, terms in conn.execute("SELECT rowid, terms FROM chunks_fts ORDER BY rowid"):
                rowids.append(rowid)
                yield terms or ""

        counts, vocabulary = _count(texts())
        if counts is None:
            counts = sparse.csr_matrix((len(rowids), 0), dtype=np.int32)
        lengths = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
        average = lengths.sum() / len(rowids) if rowids else 0.0
        counts.data = np.minimum(counts.data, _MAX_COUNT).astype(np.uint16)
        ids = np.array(rowids, dtype=np.int64)
        return cls(
            rowids=ids,
            counts=sparse.csc_matrix(counts),
            vocabulary=vocabulary,
            lengths=lengths,
            average=float(average),
            visible=_visible(conn, ids, catalog_seq),
            documents=_documents(conn, ids),
        )

    def __len__(self) -> int:
        return len(self.rowids)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (the vocabulary not counted)."""
        arrays = (self.counts.data, self.counts.indices, self.counts.indptr, self.rowids)
        return sum(a.nbytes for a in (*arrays, self.lengths, self.visible, self.documents))

    @staticmethod
    def supports(phrases: Sequence[str]) -> bool:
        """Whether every phrase is a single token to FTS5 (only FTS5 matches longer phrases)."""
        return all(_TOKEN.fullmatch(phrase) for phrase in phrases)

    @staticmethod
    def tokens(phrases: Sequence[str]) -> list[str]:
        """The phrases' tokens to FTS5, in order (``snake_case`` → ``snake``, ``case``)."""
        return [token for phrase in phrases for token in _TOKEN.findall(phrase)]

    def scores(
        self, phrases: Sequence[str], bm25: Bm25Config | None = None
    ) -> npt.NDArray[np.float64]:
        """Every chunk's BM25 (FTS5's unless ``bm25``) for the query ``phrases`` (OR), in
        ``rowids`` order.

        Raises:
            ValueError: a phrase that is not one token (see ``supports``).
        """
        if not self.supports(phrases):
            raise ValueError(f"Not single tokens to FTS5: {list(phrases)}")
        bm25 = bm25 or Bm25Config()
        total = np.zeros(len(self.rowids))
        for phrase in phrases:
            term = self.vocabulary.get(phrase)
            if term is not None:
                self._add_term(total, term, bm25)
        return total

    def query_words(
        self,
        groups: Sequence[Sequence[str]],
        bm25: Bm25Config | None = None,
        readable: npt.NDArray[np.bool_] | None = None,
    ) -> QueryWords:
        """What ``coverage`` weighs a query by, whose words have the variants in ``groups``
        (one group per word: the word, its stems, ``query_terms``).

        A word weighs the idf of the chunks that hold any of its variants' tokens, which is
        how BM25 matches it (a word and its stem may be separate terms with their own
        counts). A word no chunk holds (an English word over Dutch documents) weighs the idf
        of a term in none: for coverage it is missed, not nothing. So does a word that no
        chunk ``readable`` lets through (per chunk; None: the visible ones) holds: how often
        it occurs where the reader may not look must not move the reader's scores.
        """
        bm25 = bm25 or Bm25Config()
        readable = self.visible if readable is None else readable
        unseen = bm25.idf_weight(len(self.rowids), 0)
        words: list[tuple[float, tuple[int, ...]]] = []
        for group in groups:
            terms = {
                self.vocabulary.get(token) for phrase in group for token in _TOKEN.findall(phrase)
            }
            known = tuple(sorted(term for term in terms if term is not None))
            seen = any(bool(readable[self._column(term)].any()) for term in known)
            weight = bm25.idf_weight(len(self.rowids), self._holding(known)) if seen else unseen
            words.append((weight, known))
        return QueryWords(tuple(words))

    def coverage(self, words: QueryWords, rowids: Iterable[int]) -> float | None:
        """The share of the query's idf (``query_words``) that the chunks ``rowids`` hold
        between them: one chunk, or every chunk of a document (None: none of ``rowids`` is a
        visible chunk here, or the query has no word). 0 exactly when none of them has BM25
        for the query.
        """
        ids = np.fromiter(rowids, dtype=np.int64)
        share = self.coverages(words, ids, np.zeros(len(ids), dtype=np.intp), 1)[0]
        return None if np.isnan(share) else float(share)

    def coverages(
        self,
        words: QueryWords,
        rowids: npt.NDArray[np.int64],
        owners: npt.NDArray[np.intp],
        groups: int,
    ) -> npt.NDArray[np.float64]:
        """``coverage`` of each of ``groups`` groups of chunks (each a document's), where chunk
        ``rowids[i]`` belongs to group ``owners[i]``, in one pass per word (NaN: a group with
        no visible chunk, or a query without words)."""
        positions, found = self._positions(rowids)
        owner = owners[found]
        total = sum(weight for weight, _ in words.words)
        share = np.zeros(groups)
        for weight, terms in words.words:
            held = np.zeros(len(positions), dtype=bool)
            for term in terms:
                held |= self._held(positions, term)
            holds = np.zeros(groups, dtype=bool)
            holds[owner[held]] = True
            share += weight * holds
        some = np.bincount(owner, minlength=groups) > 0
        return np.where(some & (total > 0), share / (total or 1.0), np.nan)

    def document_coverages(self, words: QueryWords, rowids: Iterable[int]) -> dict[int, float]:
        """For each of ``rowids``, the ``coverage`` of its whole document: the share of the
        query's idf that the document's visible chunks hold between them (0 for a row id
        that is not a visible chunk here)."""
        ids = np.fromiter(rowids, dtype=np.int64)
        positions, found = self._positions(ids)
        documents = self.documents[positions]
        wanted = np.unique(documents[documents >= 0])
        members = np.flatnonzero(np.isin(self.documents, wanted) & self.visible)
        owners = np.searchsorted(wanted, self.documents[members])
        shares = np.nan_to_num(
            self.coverages(words, self.rowids[members], owners.astype(np.intp), len(wanted))
        )
        per_row = np.zeros(len(ids))
        known = documents >= 0
        per_row[np.flatnonzero(found)[known]] = shares[np.searchsorted(wanted, documents[known])]
        return dict(zip(ids.tolist(), per_row.tolist(), strict=True))

    def _holding(self, terms: Sequence[int]) -> int:
        """How many chunks hold at least one of ``terms``."""
        columns = [self._column(term) for term in terms]
        if len(columns) == 1:
            return len(columns[0])
        return len(np.unique(np.concatenate(columns))) if columns else 0

    def _column(self, term: int) -> npt.NDArray[np.int32 | np.int64]:
        """The positions of the chunks that hold ``term``, ascending."""
        start, end = self.counts.indptr[term], self.counts.indptr[term + 1]
        column: npt.NDArray[np.int32 | np.int64] = self.counts.indices[start:end]
        return column

    def _positions(
        self, rowids: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """The positions of those of ``rowids`` that are visible chunks here, and which of
        ``rowids`` they are."""
        if len(self.rowids) == 0:
            return np.empty(0, dtype=np.intp), np.zeros(len(rowids), dtype=bool)
        at = np.searchsorted(self.rowids, rowids)
        inside = at < len(self.rowids)
        at = np.where(inside, at, 0)
        found = inside & (self.rowids[at] == rowids) & self.visible[at]
        positions: npt.NDArray[np.intp] = at[found]
        return positions, found

    def _held(self, positions: npt.NDArray[np.intp], term: int) -> npt.NDArray[np.bool_]:
        """Per position, whether its chunk holds ``term``."""
        column = self._column(term)
        if len(column) == 0:
            return np.zeros(len(positions), dtype=bool)
        at = np.minimum(np.searchsorted(column, positions), len(column) - 1)
        held: npt.NDArray[np.bool_] = column[at] == positions
        return held

    def _add_term(self, total: npt.NDArray[np.float64], term: int, bm25: Bm25Config) -> None:
        """Add one term's BM25 in FTS5's order of operations (so its defaults give its floats)."""
        start, end = self.counts.indptr[term], self.counts.indptr[term + 1]
        chunks = self.counts.indices[start:end]
        found = self.counts.data[start:end].astype(np.float64)
        idf = bm25.idf_weight(len(self.rowids), int(end - start))
        k1, b = bm25.k1, bm25.b
        norm = k1 * (1 - b + b * self.lengths[chunks] / self.average)
        total[chunks] += idf * ((found * (k1 + 1.0)) / (found + norm))

    def ranked(self, phrases: Sequence[str], limit: int, bm25: Bm25Config | None = None) -> Ranked:
        """The ``limit`` best-scoring matching chunks as ``(rowid, score)``, best first, ties by
        row id: what FTS5's ``ORDER BY bm25(...), rowid LIMIT`` returns (at FTS5's parameters)."""
        return self.top(self.scores(phrases, bm25), limit)

    def within(self, bitmap: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        """Per chunk, whether its row id is set in ``bitmap`` (``index.ann.AllowedIds``)."""
        bits = np.unpackbits(bitmap, bitorder="little").astype(bool)
        inside = self.rowids < len(bits)
        found: npt.NDArray[np.bool_] = inside & bits[np.where(inside, self.rowids, 0)]
        return found

    def top(
        self,
        total: npt.NDArray[np.float64],
        limit: int,
        mask: npt.NDArray[np.bool_] | None = None,
    ) -> Ranked:
        """``ranked`` from ``scores``' ``total``, among the chunks ``mask`` lets through."""
        matched = np.flatnonzero(total > 0 if mask is None else (total > 0) & mask)
        if len(matched) > limit:
            matched = _best(matched, total[matched], limit)
        best = matched[np.lexsort((self.rowids[matched], -total[matched]))]
        # tolist(): the same ints and floats as int()/float() per item, at C speed
        return list(zip(self.rowids[best].tolist(), total[best].tolist(), strict=True))


def postings_arm(
    postings: Postings,
    phrases: Sequence[str],
    depth: int,
    allowed: npt.NDArray[np.uint8] | None,
    keep: int = 0,
    bm25: Bm25Config | None = None,
) -> tuple[dict[int, float], DeepScores]:
    """``index.lexical.lexical_arm`` from the postings: the ``depth`` best visible chunks that
    ``allowed`` (a row id bitmap; None: every chunk) lets through, and the ``keep`` best of the
    whole full-text index for completion, scored with ``bm25`` (None: FTS5's parameters).
    No SQL: the filters are already in ``allowed``.
    """
    total = postings.scores(phrases, bm25)
    mask = postings.visible if allowed is None else postings.visible & postings.within(allowed)
    arm = dict(postings.top(total, depth, mask))
    return arm, DeepScores.kept(postings.top(total, keep), keep) if keep else DeepScores()


def _documents(conn: sqlite3.Connection, rowids: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """Per chunk row id, a number for its document (-1: not in the chunks table)."""
    codes: dict[str, int] = {}
    found: list[int] = []
    numbers: list[int] = []
    for rowid, doc_id in conn.execute("SELECT chunk_rowid, doc_id FROM chunks"):
        found.append(rowid)
        numbers.append(codes.setdefault(doc_id, len(codes)))
    documents = np.full(len(rowids), -1, dtype=np.int32)
    if found:
        at = np.searchsorted(rowids, np.array(found, dtype=np.int64))
        inside = at < len(rowids)
        at, kept = at[inside], np.array(numbers, dtype=np.int32)[inside]
        matched = rowids[at] == np.array(found, dtype=np.int64)[inside]
        documents[at[matched]] = kept[matched]
    return documents


def _visible(
    conn: sqlite3.Connection, rowids: npt.NDArray[np.int64], catalog_seq: int | None
) -> npt.NDArray[np.bool_]:
    if catalog_seq is None:
        return np.ones(len(rowids), dtype=bool)
    condition, params = visible_sql("c", catalog_seq)
    rows = conn.execute(f"SELECT chunk_rowid FROM chunks c WHERE {condition}", params)
    return np.isin(rowids, np.fromiter((row[0] for row in rows), dtype=np.int64))


def _best(
    positions: npt.NDArray[np.intp], scores: npt.NDArray[np.float64], limit: int
) -> npt.NDArray[np.intp]:
    """The ``limit`` best of ``positions`` (ascending), ties at the cut by lowest position."""
    cut = -np.partition(-scores, limit - 1)[limit - 1]
    above = positions[scores > cut]
    return np.concatenate([above, positions[scores == cut][: limit - len(above)]])


def _count(texts: Iterable[str]) -> tuple[sparse.csr_matrix | None, dict[str, int]]:
    """Chunk × term counts of ``texts`` and the term ids (None: not one term in them)."""
    vectorizer = CountVectorizer(
        tokenizer=_TOKEN.findall, token_pattern=None, lowercase=False, dtype=np.int32
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # "empty vocabulary": no rows, or not one term in them
        return None, {}
    return counts, {str(term): int(i) for term, i in vectorizer.vocabulary_.items()}
