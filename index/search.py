"""Search one published generation: dense (FAISS) and lexical (FTS5) arms, fused."""

from __future__ import annotations

import copy
import sqlite3
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import faiss
import numpy as np
import numpy.typing as npt

from index import vectors
from index.allowed import AllowedCache
from index.analyze import query_terms
from index.ann import AllowedIds, recorded_config, search_parameters
from index.catalog import catalog_path, connect
from index.completion import COMPLETION_DEPTH, ServedVectors, dense_scores, lexical_scores
from index.encoder import Encoder
from index.errors import IndexMismatchError, PostingsUnavailableError
from index.filters import Filters, filter_sql
from index.fusion import Normalisation, fuse
from index.governance.config import GovernanceConfig
from index.governance.query_log import QueryLog
from index.governance.ranking import govern_hits
from index.hits import chunk_documents, load_hits
from index.lexical import (
    Condition,
    DeepScores,
    deep_scores,
    lexical_arm,
    phrases_match,
    query_phrases,
)
from index.lexical_memory import LexicalMemory
from index.models import Hit, Manifest
from index.postings import Bm25Config, Postings, QueryWords, postings_arm
from index.readers import Principal
from index.retired import visible_sql
from index.threads import use_search_threads

SearchMode = Literal["hybrid", "dense", "lexical"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "dense", "lexical")
# The lexical arm's BM25, tuned on the dev splits (EVAL.md, "BM25 parameters"): k1 0.6, b 0.3
# and FTS5's idf (FTS5's own bm25() has k1 1.2, b 0.75).
TUNED_BM25 = Bm25Config(k1=0.6, b=0.3, idf="fts5")
# Lexical arms of concurrent hybrid searches that may run beside their dense arm at once.
ARM_THREADS = 16
# Candidates governed beyond the hits asked for: hidden ones are replaced from these, and
# demoted ones may fall below them (``Searcher._governed``).
MIN_HEADROOM = 20


@dataclass(frozen=True)
class SearchConfig:
    """Ranking settings: fusion weights and how many candidates each arm contributes.

    The defaults were tuned on the tune-on splits only (EVAL.md, "Session 15", "Score
    completion" and "BM25 parameters"). ``lexical_coverage`` and ``document_coverage`` quiet
    the lexical arm where it matches only part of a question: the lexical weight is scaled by
    the share of the query's idf its best candidate holds, and a chunk's BM25 by the share its
    whole document holds (``Searcher.weigh_lexical``).
    ``completion`` scores every candidate in both arms before fusing (``index.completion``);
    off, a chunk one arm did not return gets that arm's lowest score. ``bm25`` other than
    FTS5's parameters (the default ``TUNED_BM25`` among them) is scored from the in-memory
    postings only (a search waits for them), and reads a query word FTS5 splits into several
    tokens (``snake_case``) as those tokens, not as a phrase. The coverages need the postings:
    at FTS5's parameters, before they are built, the lexical arm is taken as it is.
    """

    dense_weight: float = 0.7
    lexical_weight: float = 0.3
    candidates: int = 150
    completion: bool = True
    # How far a chunk missing from one arm is lifted toward its document's best chunk there.
    document_evidence: float = 0.0
    normalisation: Normalisation = "zscore"
    # Scale the lexical weight by the share of the query's idf its best candidate matches.
    lexical_coverage: bool = True
    # Weigh each chunk's BM25 by the share of the query's idf its whole document holds.
    document_coverage: bool = True
    bm25: Bm25Config = TUNED_BM25
    governance: GovernanceConfig = field(default_factory=GovernanceConfig)


def fuse_arms(
    conn: sqlite3.Connection,
    config: SearchConfig,
    dense: dict[int, float],
    lexical: dict[int, float],
    coverage: float = 1.0,
) -> list[tuple[int, float]]:
    """The hybrid ranking of ``config`` (reads chunk → document only with document evidence;
    ``coverage``: the factor of the lexical weight, 1 unless ``config.lexical_coverage``)."""
    evidence = config.document_evidence
    documents = chunk_documents(conn, dense.keys() | lexical.keys()) if evidence > 0 else None
    return fuse(
        dense,
        lexical,
        config.dense_weight,
        config.lexical_weight * coverage,
        config.normalisation,
        documents,
        evidence,
    )


class Searcher:
    """A loaded, read-only generation plus the catalog it was built from.

    ``reader`` None answers from every document (the CLI, eval); a searcher from
    ``scoped_to(principal)`` answers only from documents that principal may read, in both arms.
    """

    reader: Principal | None = None

    def __init__(
        self,
        home: Path,
        encoder: Encoder,
        manifest: Manifest,
        index: faiss.Index,
        config: SearchConfig,
        lexical_memory: LexicalMemory | None = None,
    ) -> None:
        """``lexical_memory`` None starts building this catalog's postings (``index.postings``);
        pass ``LexicalMemory.off()`` to rank lexically with FTS5 alone, or another searcher's
        to share its postings."""
        self.home = home
        self.encoder = encoder
        self.manifest = manifest
        self.index = index
        self.config = config
        self.lexical_memory = lexical_memory or LexicalMemory(
            catalog_path(home), manifest.catalog_seq, vectors.generation_dir(home, manifest)
        )
        self.effort = recorded_config(manifest.index_kind, manifest.search_effort)
        self.served_vectors = ServedVectors.of(index)
        self._local = threading.local()
        self._arm_threads = ThreadPoolExecutor(ARM_THREADS, thread_name_prefix="lexical-arm")
        self.query_log = QueryLog(home)

    @classmethod
    def open(
        cls,
        home: Path,
        encoder: Encoder,
        profile: str,
        config: SearchConfig | None = None,
        lexical_memory: bool = True,
    ) -> Searcher:
        """Load the live generation of ``home`` and check it was built with ``profile``;
        ``lexical_memory`` False ranks lexically with FTS5 alone (see ``__init__``).

        Raises:
            IndexNotFoundError: nothing was ingested yet.
            IndexMismatchError: built with another model.
            IndexCorruptError: the index file is damaged.
        """
        manifest, index = vectors.load_newest_valid(home)
        if manifest.model_profile != profile:
            raise IndexMismatchError(
                f"The index in {home} was built with model '{manifest.model_profile}' but "
                f"'{profile}' is configured. Set WEGWIJS_MODEL={manifest.model_profile}, "
                f"or re-embed: 'wegwijs --home {home} --model {profile} reindex'."
            )
        memory = None if lexical_memory else LexicalMemory.off()
        return cls(home, encoder, manifest, index, config or SearchConfig(), memory)

    def with_config(self, config: SearchConfig) -> Searcher:
        """The same loaded generation and postings, ranking with ``config``; it shares this
        searcher's per-thread catalog connections and last query vector (same home, same
        encoder), so an evaluation of several configs embeds each query once, and its query
        log."""
        searcher = Searcher(
            self.home, self.encoder, self.manifest, self.index, config, self.lexical_memory
        )
        searcher._local = self._local
        searcher.query_log = self.query_log
        return searcher

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's read-only catalog connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(catalog_path(self.home), readonly=True)
            self._local.conn = conn
        return conn

    def search(
        self,
        query: str,
        top_k: int = 10,
        filters: Filters | None = None,
        mode: SearchMode = "hybrid",
        include_outdated: bool = False,
    ) -> list[Hit]:
        """Return the ``top_k`` best passages for ``query`` (score: higher is better).

        Expired and superseded documents are left out unless ``include_outdated``; overdue
        and outdated ones are demoted (see ``index.governance.ranking``).
        """
        filters = filters or Filters()
        depth = max(self.config.candidates, top_k)
        dense, (lexical, deep) = self._arms(query, depth, filters, mode)
        if mode == "dense":
            ranked = sorted(dense.items(), key=lambda item: -item[1])
        elif mode == "lexical":
            ranked = sorted(lexical.items(), key=lambda item: -item[1])
        else:
            if self.config.completion:
                dense, lexical = self.complete(query, dense, lexical, deep)
            lexical, coverage = self.weigh_lexical(query, lexical, filters, self.config)
            ranked = fuse_arms(self.conn, self.config, dense, lexical, coverage)
        hits = self._governed(ranked, top_k, include_outdated)
        self.query_log.record(query, hits, dense, self.config.governance)
        return hits

    def _governed(
        self, ranked: list[tuple[int, float]], top_k: int, include_outdated: bool
    ) -> list[Hit]:
        """The best ``top_k`` hits once governance has hidden and demoted what it must.

        Loading and governing a candidate costs about 40 µs, so only ``top_k`` plus some
        headroom are (a third of a 50-hit page's time went to governing 150); while governance
        hides so many that fewer than ``top_k`` remain, the window doubles.
        """
        window = top_k + max(MIN_HEADROOM, top_k // 2)
        while True:
            candidates = load_hits(self.conn, ranked[:window])
            hits = govern_hits(self.conn, candidates, self.config.governance, include_outdated)
            if len(hits) >= top_k or window >= len(ranked):
                return hits[:top_k]
            window *= 2

    def _arms(
        self, query: str, depth: int, filters: Filters, mode: SearchMode
    ) -> tuple[dict[int, float], tuple[dict[int, float], DeepScores]]:
        """The dense and lexical candidates of ``mode``; a hybrid search runs both at once.

        Both arms spend their time outside the GIL (onnxruntime and FAISS; SQLite), so on a
        second core the lexical arm costs a hybrid search no time of its own. A hybrid search
        with completion keeps the lexical ranking deeper for ``complete``.
        """
        if mode == "dense":
            return self.dense(query, depth, filters), ({}, DeepScores())
        if mode == "lexical":
            return {}, self.lexical_arm(query, depth, filters)
        keep = COMPLETION_DEPTH if self.config.completion else 0
        lexical = self._arm_threads.submit(self.lexical_arm, query, depth, filters, keep)
        return self.dense(query, depth, filters), lexical.result()

    def scoped_to(self, reader: Principal | None) -> Searcher:
        """The same loaded generation, answering only from documents ``reader`` may read."""
        self._allowed_cache()
        scoped = copy.copy(self)
        scoped.reader = reader
        return scoped

    def scoped(self, filters: Filters) -> Filters:
        """``filters`` restricted to this searcher's reader."""
        return filters if self.reader is None else replace(filters, reader=self.reader)

    def _allowed_cache(self) -> AllowedCache:
        cache: AllowedCache = self.__dict__.setdefault("_allowed", AllowedCache())
        return cache

    def _allowed_ids(self, filters: Filters) -> AllowedIds | None:
        filters = self.scoped(filters)
        if filters.is_empty():
            return None
        return self._allowed_cache().get(self.conn, self.manifest.generation, filters)

    def dense(self, query: str, depth: int, filters: Filters) -> dict[int, float]:
        """Chunk row id → cosine similarity for the nearest chunks.

        Filters become an ID selector in fresh per-query search parameters, which also carry
        the generation's recorded search effort (nprobe or efSearch) for approximate indexes.
        """
        if self.index.ntotal == 0:
            return {}
        allowed = self._allowed_ids(filters)
        if allowed is not None and len(allowed) == 0:
            return {}
        params = search_parameters(self.index, self.effort, allowed)
        vector = self._query_vector(query).reshape(1, -1)
        use_search_threads()
        scores, ids = self.index.search(vector, min(depth, self.index.ntotal), params=params)
        found = zip(ids[0].tolist(), scores[0].tolist(), strict=True)  # Python ints, floats
        return {i: s for i, s in found if i >= 0}

    def _query_vector(self, query: str) -> npt.NDArray[np.float32]:
        """The query's embedding; this thread's last one is kept for completion to reuse.

        Completion runs right after the dense arm, in the same thread, and the encoder's own
        cache is off in evaluation and with the torch runtime: encoding again took 42 ms.
        """
        last: tuple[str, npt.NDArray[np.float32]] | None = getattr(self._local, "vector", None)
        if last is None or last[0] != query:
            last = (query, self.encoder.encode_queries([query])[0])
            self._local.vector = last
        return last[1]

    def complete(
        self,
        query: str,
        dense: dict[int, float],
        lexical: dict[int, float],
        deep: DeepScores | None = None,
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Both arms' scores for every chunk either returned (see ``index.completion``).

        The chunks come from the arms, so they already passed the filters and the reader.
        ``deep`` is the lexical arm's deeper ranking (``lexical_arm(..., keep=...)``); without
        it FTS5 ranks the query once more.
        """
        wanted = dense.keys() | lexical.keys()
        missing_dense = wanted - dense.keys()
        if missing_dense:
            dense = {**self._stored_scores(query, missing_dense), **dense}
        missing_lexical = wanted - lexical.keys()
        if missing_lexical:
            if deep is None:
                deep = self._deep_scores(self._phrases(query))
            lexical = {**lexical_scores(deep, missing_lexical), **lexical}
        return dense, lexical

    def _stored_scores(self, query: str, rowids: set[int]) -> dict[int, float]:
        """Dense scores of ``rowids`` from the served index's vectors where it holds them
        (an exact index), else from the catalog's embeddings."""
        vector = self._query_vector(query)
        if self.served_vectors is None:
            return dense_scores(self.conn, vector, rowids)
        scores, absent = self.served_vectors.scores(vector, rowids)
        return {**dense_scores(self.conn, vector, absent), **scores} if absent else scores

    def lexical(self, query: str, depth: int, filters: Filters) -> dict[int, float]:
        """Chunk row id → BM25 score (FTS5, Dutch/English analysed) for matching chunks."""
        return self.lexical_arm(query, depth, filters)[0]

    def lexical_arm(
        self, query: str, depth: int, filters: Filters, keep: int = 0
    ) -> tuple[dict[int, float], DeepScores]:
        """``lexical``, plus the ``keep`` best chunks' scores whatever the filters (completion)."""
        phrases = self._phrases(query)
        match = phrases_match(phrases)
        if match is None:
            return {}, DeepScores()
        allowed = self._allowed_ids(filters)
        if allowed is not None and len(allowed) == 0:
            return {}, DeepScores()
        postings = self._postings(phrases)
        if postings is not None:
            bitmap = None if allowed is None else allowed.bitmap
            return postings_arm(postings, phrases, depth, bitmap, keep, self.config.bm25)
        share = 1.0 if allowed is None else len(allowed) / max(self.index.ntotal, 1)
        sql, params = filter_sql(self.scoped(filters))
        condition = self.visible() & Condition(sql, tuple(params))
        return lexical_arm(self.conn, match, depth, condition, share, keep)

    def weigh_lexical(
        self, query: str, lexical: Mapping[int, float], filters: Filters, config: SearchConfig
    ) -> tuple[dict[int, float], float]:
        """The lexical arm and the factor of its weight, as ``config``'s coverages make them
        (the query's words weighed once for both, over the chunks ``filters`` and the reader
        let through: ``Postings.query_words``); the eval ranks with it as search does.

        Lexical coverage: the factor is the share of the query's idf that the best lexical
        candidate holds (1: no candidate, no word, or no postings to tell). Document coverage:
        each chunk's BM25 is multiplied by the share its whole document holds. A passage
        matching most of a question can sit in a document about something else: a question
        naming a company matches the other companies' filings on all its other words, and
        their passages rarely repeat the name.
        """
        weighed = None
        if config.lexical_coverage or config.document_coverage:
            weighed = self._query_words(query, lexical, filters)
        if weighed is None:
            return dict(lexical), 1.0
        if config.document_coverage:
            lexical = self._covered(*weighed, lexical)
        return dict(lexical), _best_coverage(*weighed, lexical) if config.lexical_coverage else 1.0

    def _covered(
        self, postings: Postings, words: QueryWords, lexical: Mapping[int, float]
    ) -> dict[int, float]:
        matched = [rowid for rowid, score in lexical.items() if score > 0]
        shares = postings.document_coverages(words, matched)
        return {rowid: score * shares.get(rowid, 0.0) for rowid, score in lexical.items()}

    def _query_words(
        self, query: str, lexical: Mapping[int, float], filters: Filters
    ) -> tuple[Postings, QueryWords] | None:
        """The postings and ``query``'s words weighed for coverage over the chunks ``filters``
        and the reader let through (None: no postings, no word, or no lexical match)."""
        groups = [sorted(group) for group in query_terms(query)]
        if not groups or not any(score > 0 for score in lexical.values()):
            return None
        postings = self._postings(Postings.tokens([p for group in groups for p in group]))
        if postings is None:
            return None
        allowed = self._allowed_ids(filters)
        readable = postings.visible
        if allowed is not None:
            readable = readable & postings.within(allowed.bitmap)
        return postings, postings.query_words(groups, self.config.bm25, readable)

    def _phrases(self, query: str) -> list[str]:
        """The query's phrases; with other BM25 parameters than FTS5's, their single tokens."""
        phrases = query_phrases(query)
        return phrases if self.config.bm25.is_fts5 else Postings.tokens(phrases)

    def _postings(self, phrases: list[str]) -> Postings | None:
        """The generation's postings, if they can score ``phrases`` (None: FTS5 ranks).

        At FTS5's own BM25 parameters FTS5 gives the same scores until the postings are
        built; at any others only the postings can, so a search waits for them.

        Raises:
            PostingsUnavailableError: other parameters than FTS5's, and no postings.
        """
        memory = self.lexical_memory
        if self.config.bm25.is_fts5:
            built = memory.postings
            return built if built is not None and built.supports(phrases) else None
        memory.wait()
        if memory.postings is None:
            bm25 = self.config.bm25
            raise PostingsUnavailableError(
                f"BM25 with k1={bm25.k1}, b={bm25.b}, idf={bm25.idf} is scored from the "
                f"in-memory postings only (FTS5's bm25() has fixed parameters), but "
                f"{memory.failure}. Turn the postings on (WEGWIJS_LEXICAL_MEMORY=true) and see "
                "the log for why their build failed, or rank with FTS5's parameters "
                "(k1=1.2, b=0.75, idf=fts5)."
            )
        return memory.postings

    def lexical_problem(self) -> str | None:
        """Why lexical and hybrid searches fail (None: they answer), for ``/healthz``: the BM25
        parameters need postings whose build ended without any."""
        memory = self.lexical_memory
        if self.config.bm25.is_fts5 or not memory.wait(timeout=0) or memory.postings is not None:
            return None
        return f"lexical search unavailable: {memory.failure}"

    def _deep_scores(self, phrases: list[str]) -> DeepScores:
        postings = self._postings(phrases)
        if postings is None:
            return deep_scores(self.conn, phrases_match(phrases), COMPLETION_DEPTH)
        ranked = postings.ranked(phrases, COMPLETION_DEPTH, self.config.bm25)
        return DeepScores.kept(ranked, COMPLETION_DEPTH)

    def visible(self) -> Condition:
        """Chunks of this generation: none added later, retired ones it still holds.

        See ``index.retired``.
        """
        sql, seqs = visible_sql("c", self.manifest.catalog_seq)
        return Condition(sql, tuple(seqs))


def _best_coverage(postings: Postings, words: QueryWords, lexical: Mapping[int, float]) -> float:
    """The coverage of the best-scoring chunk of ``lexical`` (1: none, or not a chunk here)."""
    if not lexical:
        return 1.0
    best = min(lexical, key=lambda rowid: (-lexical[rowid], rowid))
    share = postings.coverage(words, [best])
    return 1.0 if share is None else share
