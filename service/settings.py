"""Settings: the only place the environment (``WEGWIJS_*``) and ``.env`` are read."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.encoder import QueryRuntime
from index.fusion import Normalisation
from index.postings import Bm25Config, Idf
from index.search import SearchConfig

# The ranking defaults, tuned on the dev splits (EVAL.md); settings may override them.
_SEARCH = SearchConfig()


class Settings(BaseSettings):
    """Effective configuration; CLI flags override these, which override env and ``.env``."""

    model_config = SettingsConfigDict(env_prefix="WEGWIJS_", env_file=".env", extra="ignore")

    home: Path = Field(
        Path("./wegwijs-home"), description="Data directory: catalog, index, models."
    )
    model: str = Field(
        "multilingual-e5-small",
        description="Embedding model profile or sentence-transformers folder.",
    )
    model_cache_dir: Path | None = Field(
        None, description="Where converted models are kept (default: <home>/models)."
    )
    host: str = Field("127.0.0.1", description="Address `wegwijs serve` binds to.")
    port: int = Field(8000, description="Port `wegwijs serve` listens on.")
    threads: int = Field(2, ge=1, description="CPU threads for torch, onnxruntime and FAISS.")
    query_runtime: QueryRuntime = Field(
        "onnx", description="How queries are embedded: onnx (fast, same vectors) or torch."
    )
    query_cache: int = Field(
        512, ge=0, description="Recent query vectors kept in memory (onnx runtime; 0: none)."
    )
    parse_workers: int = Field(2, ge=1, description="Parser processes during ingest.")
    parse_timeout: float = Field(120.0, gt=0, description="Seconds one file may take to parse.")
    parse_memory_mb: int = Field(
        6144,
        ge=2048,
        description="Address-space limit of a parser process; it starts at about 1.3 GB, the "
        "parsers of every format mapped.",
    )
    top_k: int = Field(10, ge=1, le=100, description="Hits returned when the caller does not say.")
    max_top_k: int = Field(100, ge=1, description="Largest top_k the API accepts.")
    max_query_chars: int = Field(1000, ge=10, description="Longest query the API accepts.")
    dense_weight: float = Field(
        _SEARCH.dense_weight, ge=0, description="Weight of the dense arm in hybrid search."
    )
    lexical_weight: float = Field(
        _SEARCH.lexical_weight, ge=0, description="Weight of the lexical arm in hybrid search."
    )
    fusion_candidates: int = Field(
        _SEARCH.candidates, ge=1, le=1000, description="Chunks each arm contributes to fusion."
    )
    fusion_completion: bool = Field(
        _SEARCH.completion,
        description="Score every candidate in both arms before fusing (off: impute the lowest).",
    )
    lexical_memory: bool = Field(
        True,
        description="Score the lexical arm from term counts held in memory (about 0.5 KB a "
        "chunk; about ten times sooner than FTS5, and any BM25 parameters). Off: FTS5 alone, "
        "which has only its own (WEGWIJS_BM25_K1=1.2, WEGWIJS_BM25_B=0.75, WEGWIJS_BM25_IDF=fts5).",
    )
    fusion_normalisation: Normalisation = Field(
        _SEARCH.normalisation, description="How each arm's scores are normalised before fusion."
    )
    fusion_lexical_coverage: bool = Field(
        _SEARCH.lexical_coverage,
        description="Scale the lexical weight by the share of the query's idf (its rare words "
        "weigh most) that the best lexical candidate holds.",
    )
    fusion_document_coverage: bool = Field(
        _SEARCH.document_coverage,
        description="Weigh each chunk's BM25 by the share of the query's idf its whole document "
        "holds.",
    )
    bm25_k1: float = Field(
        _SEARCH.bm25.k1, ge=0, description="BM25 k1 of the lexical arm (FTS5's own: 1.2)."
    )
    bm25_b: float = Field(
        _SEARCH.bm25.b, ge=0, le=1, description="BM25 b of the lexical arm (FTS5's own: 0.75)."
    )
    bm25_idf: Idf = Field(
        _SEARCH.bm25.idf, description="BM25 idf of the lexical arm: fts5 or lucene."
    )
    outdated_demotion: float = Field(
        0.8, gt=0, le=1, description="Score factor for overdue and outdated documents."
    )
    gap_threshold: float = Field(
        0.82, ge=0, le=1, description="Below this best dense score a search is a knowledge gap."
    )
    llm_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint for generative answers, e.g. "
        "http://127.0.0.1:8080/v1 (unset: extractive answers only).",
    )
    llm_model: str = Field("local", description="Model name the LLM endpoint serves.")
    llm_api_key: SecretStr | None = Field(None, description="Bearer key for the LLM endpoint.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for a generated answer.")

    anonymous: bool = Field(
        False,
        description="Let callers without a token read public documents (the demo does).",
    )
    demo: bool = Field(
        False,
        description="Set by `wegwijs demo`: anonymous callers also get administrator rights "
        "(knowledge gaps, the whole audit, review marks). Never for real documents.",
    )
    proxy_secret: SecretStr | None = Field(
        None,
        description="Shared secret a reverse proxy sends in X-Wegwijs-Proxy-Secret to vouch "
        "for X-Wegwijs-User / X-Wegwijs-Groups (unset: proxy headers are refused).",
    )

    workers: int | None = Field(
        None,
        ge=1,
        description="Server processes of `wegwijs serve`; each reloads new generations. "
        "Unset: one per core, as many as half the memory holds at 2 GB each, at most 4.",
    )
    rate_limit: str = Field(
        "20/second;600/minute",
        description="Requests per caller (token, else address) and server process, e.g. "
        "'20/second;600/minute'; more get 429 with Retry-After. Empty: no rate limit.",
    )
    max_in_flight: int = Field(
        64, ge=1, description="Requests one process handles at once; more get 503."
    )
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, description="Largest request body; larger gets 413."
    )

    @model_validator(mode="after")
    def _fts5_alone_has_fts5_parameters(self) -> Settings:
        """FTS5 alone (no postings in memory) can only score with its own BM25 parameters."""
        if not self.lexical_memory and not self.bm25.is_fts5:
            raise ValueError(
                f"WEGWIJS_LEXICAL_MEMORY=false ranks with FTS5's bm25(), whose parameters are "
                f"fixed (k1=1.2, b=0.75, idf=fts5), but BM25 is set to k1={self.bm25_k1}, "
                f"b={self.bm25_b}, idf={self.bm25_idf}. Turn the lexical memory on, or also set "
                "WEGWIJS_BM25_K1=1.2 WEGWIJS_BM25_B=0.75 WEGWIJS_BM25_IDF=fts5."
            )
        return self

    @property
    def bm25(self) -> Bm25Config:
        """The lexical arm's BM25 parameters."""
        return Bm25Config(self.bm25_k1, self.bm25_b, self.bm25_idf)

    def to_json(self) -> str:
        """These settings, secrets included, for a worker process to rebuild them exactly."""
        data = {
            key: value.get_secret_value() if isinstance(value, SecretStr) else value
            for key, value in self.model_dump().items()
        }
        return json.dumps(data, default=str)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """The settings ``to_json`` wrote, without reading the environment or ``.env`` again."""
        return cls(**json.loads(text), _env_file=None)

    @property
    def model_cache(self) -> Path:
        """Where converted models are kept (inside the home unless set)."""
        return self.model_cache_dir or self.home / "models"
