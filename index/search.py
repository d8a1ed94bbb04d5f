"""Search one published generation: dense (FAISS) and lexical (FTS5) arms, fused."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from index import vectors
from index.analyze import query_terms
from index.catalog import catalog_path, connect
from index.encoder import Encoder
from index.errors import IndexMismatchError
from index.filters import Filters, filter_sql
from index.fusion import Normalisation, fuse
from index.governance.config import GovernanceConfig
from index.governance.query_log import log_search
from index.governance.ranking import govern_hits
from index.hits import load_hits
from index.models import Hit, Manifest

SearchMode = Literal["hybrid", "dense", "lexical"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class SearchConfig:
    """Ranking settings: fusion weights and how many candidates each arm contributes."""

    dense_weight: float = 0.6
    lexical_weight: float = 0.4
    candidates: int = 100
    normalisation: Normalisation = "zscore"
    governance: GovernanceConfig = field(default_factory=GovernanceConfig)


class Searcher:
    """A loaded, read-only generation plus the catalog it was built from."""

    def __init__(
        self,
        home: Path,
        encoder: Encoder,
        manifest: Manifest,
        index: faiss.Index,
        config: SearchConfig,
    ) -> None:
        self.home = home
        self.encoder = encoder
        self.manifest = manifest
        self.index = index
        self.config = config
        self._local = threading.local()

    @classmethod
    def open(
        cls,
        home: Path,
        encoder: Encoder,
        profile: str,
        config: SearchConfig | None = None,
    ) -> Searcher:
        """Load the live generation of ``home`` and check it was built with ``profile``.

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
        return cls(home, encoder, manifest, index, config or SearchConfig())

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
        dense = self.dense(query, depth, filters) if mode != "lexical" else {}
        lexical = self.lexical(query, depth, filters) if mode != "dense" else {}
        if mode == "dense":
            ranked = sorted(dense.items(), key=lambda item: -item[1])
        elif mode == "lexical":
            ranked = sorted(lexical.items(), key=lambda item: -item[1])
        else:
            ranked = fuse(
                dense,
                lexical,
                self.config.dense_weight,
                self.config.lexical_weight,
                self.config.normalisation,
            )
        candidates = load_hits(self.conn, ranked[: top_k * 3])
        governance = self.config.governance
        hits = govern_hits(self.conn, candidates, governance, include_outdated)[:top_k]
        log_search(self.home, query, hits, dense, governance)
        return hits

    def _allowed_ids(self, filters: Filters) -> np.ndarray | None:
        if filters.is_empty():
            return None
        condition, params = filter_sql(filters)
        rows = self.conn.execute(
            "SELECT c.chunk_rowid FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
            f"WHERE {condition}",
            params,
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def dense(self, query: str, depth: int, filters: Filters) -> dict[int, float]:
        """Chunk row id → cosine similarity for the nearest chunks."""
        if self.index.ntotal == 0:
            return {}
        allowed = self._allowed_ids(filters)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return {}
            selector = faiss.IDSelectorBatch(allowed)
            params = faiss.SearchParameters()
            params.sel = selector
        vector = self.encoder.encode_queries([query])
        scores, ids = self.index.search(vector, min(depth, self.index.ntotal), params=params)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def lexical(self, query: str, depth: int, filters: Filters) -> dict[int, float]:
        """Chunk row id → BM25 score (FTS5, Dutch/English analysed) for matching chunks."""
        variants = query_terms(query)
        if not variants:
            return {}
        match = " OR ".join(f'"{term}"' for group in variants for term in sorted(group))
        condition, params = filter_sql(filters)
        rows = self.conn.execute(
            "SELECT f.rowid, -bm25(chunks_fts) AS score FROM chunks_fts f "
            "JOIN chunks c ON c.chunk_rowid = f.rowid JOIN documents d ON d.doc_id = c.doc_id "
            f"WHERE chunks_fts MATCH ? AND d.seq <= ? AND {condition} "
            "ORDER BY bm25(chunks_fts) LIMIT ?",
            [match, self.manifest.catalog_seq, *params, depth],
        )
        return {int(row[0]): float(row[1]) for row in rows}
