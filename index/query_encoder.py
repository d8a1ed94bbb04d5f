"""Query vectors from an ONNX export with onnxruntime and tokenizers, without torch.

A search embeds one short query at a time, where torch's per-call overhead dominates; the
same graph in onnxruntime returns the same unit vectors (cosine ≥ 0.9999) in a fraction of
the time. Recent queries are kept in a small least-recently-used cache: people repeat
queries, and pages (results, "more like this", the next page) ask for the same one again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.onnx_export import ONNX_FILE
from index.threads import onnx_session_options

CACHED_QUERIES = 512


class OnnxQueryEncoder:
    """An exported model's ``model.onnx`` and ``tokenizer.json``, loaded on first use."""

    def __init__(
        self, folder: Path, max_tokens: int, threads: int, cached: int = CACHED_QUERIES
    ) -> None:
        self.folder = folder
        self.max_tokens = max_tokens
        self.threads = threads
        self.cached = cached
        self._recent: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    @cached_property
    def session(self) -> Any:
        """The onnxruntime inference session (CPU, threads from ``index.threads``)."""
        import onnxruntime

        return onnxruntime.InferenceSession(
            str(self.folder / ONNX_FILE),
            sess_options=onnx_session_options(self.threads),
            providers=["CPUExecutionProvider"],
        )

    @cached_property
    def tokenizer(self) -> Any:
        """The model's own tokenizer, truncating at ``max_tokens``."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_tokens)
        return tokenizer

    @property
    def dimension(self) -> int:
        """Length of the vectors (the graph's fixed output width)."""
        return int(self.session.get_outputs()[0].shape[1])

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for ``texts`` (prompts already added), one row per text."""
        if len(texts) == 1:
            return self._encode_one(texts[0])[None, :]
        return self._run(texts)

    def _encode_one(self, text: str) -> npt.NDArray[np.float32]:
        with self._lock:
            found = self._recent.get(text)
            if found is not None:
                self._recent.move_to_end(text)
                return found
        vector: npt.NDArray[np.float32] = self._run([text])[0]
        vector.setflags(write=False)
        with self._lock:
            self._recent[text] = vector
            while len(self._recent) > self.cached:
                self._recent.popitem(last=False)
        return vector

    def _run(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (vectors,) = self.session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)
