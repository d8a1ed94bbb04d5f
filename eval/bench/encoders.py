"""Embedding models loaded once per benchmark process, through the service's composition."""

from __future__ import annotations

import logging
from pathlib import Path

from index.encoder import QueryRuntime, SentenceTransformerEncoder
from service.engine import make_encoder, model_info
from service.settings import Settings

logger = logging.getLogger(__name__)


def bench_settings(
    home: Path, profile: str, model_cache: Path, threads: int, runtime: QueryRuntime = "onnx"
) -> Settings:
    """Settings for one benchmark home (no ``.env``: the benchmark says everything itself).

    The query cache is off: the benchmark repeats its questions, and a cache hit is not an
    embedding.
    """
    return Settings(
        home=home,
        model=profile,
        model_cache_dir=model_cache,
        threads=threads,
        query_runtime=runtime,
        query_cache=0,
        _env_file=None,
    )


class EncoderPool:
    """Loaded, warmed-up encoders by profile; threads are set once, when the first one loads."""

    def __init__(self, model_cache: Path, threads: int) -> None:
        self.model_cache = model_cache
        self.threads = threads
        self._loaded: dict[tuple[str, QueryRuntime], SentenceTransformerEncoder] = {}

    def get(self, profile: str, runtime: QueryRuntime = "onnx") -> SentenceTransformerEncoder:
        """The encoder of ``profile`` with queries in ``runtime``, loaded and run once."""
        encoder = self._loaded.get((profile, runtime))
        if encoder is None:
            logger.info("Loading model %s (%s queries)", profile, runtime)
            settings = bench_settings(
                self.model_cache, profile, self.model_cache, self.threads, runtime
            )
            encoder = make_encoder(settings)
            encoder.encode_queries(["warm-up"])
            self._loaded[(profile, runtime)] = encoder
        return encoder

    def info(self, profile: str) -> dict[str, str]:
        """What the catalog and manifest record about ``profile``'s model."""
        return model_info(self.get(profile))
