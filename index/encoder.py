"""Turn queries and passages into normalised vectors with sentence-transformers (lazy load)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from index.onnx_export import pooled_dimension
from index.profiles import ModelProfile, weights_sha256
from index.query_encoder import CACHED_QUERIES, OnnxQueryEncoder
from index.threads import apply_torch_threads

QueryRuntime = Literal["onnx", "torch"]

logger = logging.getLogger(__name__)


class Encoder(Protocol):
    """What index and service need from an embedding model."""

    @property
    def dimension(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class QueryConfig:
    """How queries are embedded.

    Attributes:
        runtime: ``onnx`` (an ONNX export in onnxruntime, see ``index.query_encoder``) or
            ``torch`` (the sentence-transformers model itself).
        threads: onnxruntime intra-op threads.
        cached: Recent queries whose vectors are kept (ONNX path; 0 keeps none).
    """

    runtime: QueryRuntime = "torch"
    threads: int = 2
    cached: int = CACHED_QUERIES


class SentenceTransformerEncoder:
    """A sentence-transformers model of a profile, loaded on first use.

    Passages are always embedded with torch. With the ``onnx`` query runtime, queries go
    through an ONNX export of the same model, and a process that only searches never loads
    the torch model.
    """

    def __init__(
        self,
        profile: ModelProfile,
        cache_dir: Path,
        batch_size: int = 32,
        queries: QueryConfig | None = None,
    ) -> None:
        self.profile = profile
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.queries = queries or QueryConfig()

    @cached_property
    def model_dir(self) -> Path:
        """Folder of the model weights (converted into the cache on first use if needed)."""
        return self.profile.locate(self.cache_dir)

    @cached_property
    def weights_sha256(self) -> str:
        """Checksum of the weights, for the manifest."""
        return weights_sha256(self.model_dir)

    @cached_property
    def model(self) -> Any:
        """The loaded SentenceTransformer."""
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        apply_torch_threads()

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        logger.info("Loading embedding model %s from %s", self.profile.name, self.model_dir)
        model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        model.max_seq_length = self.profile.max_seq_length
        return model

    @cached_property
    def onnx_queries(self) -> OnnxQueryEncoder:
        """The ONNX query path (exported into the model cache on first use)."""
        from index.onnx_export import ensure_onnx_model

        folder = ensure_onnx_model(self.cache_dir, self.model_dir, self.weights_sha256)
        config = self.queries
        return OnnxQueryEncoder(folder, self.profile.max_seq_length, config.threads, config.cached)

    @cached_property
    def dimension(self) -> int:
        """Length of the vectors."""
        if self.queries.runtime == "onnx":
            return pooled_dimension(self.model_dir) or self.onnx_queries.dimension
        return int(self.model.get_embedding_dimension())

    def _encode(self, texts: Sequence[str], prompt: str) -> npt.NDArray[np.float32]:
        vectors = self.model.encode(
            list(texts),
            prompt=prompt or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors for search queries (with the profile's query prompt)."""
        if self.queries.runtime == "onnx":
            prompt = self.profile.query_prompt
            return self.onnx_queries.encode([prompt + text for text in texts])
        return self._encode(texts, self.profile.query_prompt)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors for passages (with the profile's passage prompt)."""
        return self._encode(texts, self.profile.passage_prompt)
