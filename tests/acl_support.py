"""Test support for access control: the real model with query vectors kept per text.

Property tests ask the same few queries thousands of times; the vectors are the real model's,
computed once per text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.encoder import Encoder


class MemoEncoder:
    """Wraps a real encoder; ``encode_queries`` remembers each query's vector."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self._queries: dict[str, npt.NDArray[np.float32]] = {}

    @property
    def dimension(self) -> int:
        """The wrapped model's dimension."""
        return self.encoder.dimension

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The real model's vectors, computed once per text."""
        missing = [text for text in texts if text not in self._queries]
        if missing:
            for text, vector in zip(missing, self.encoder.encode_queries(missing), strict=True):
                self._queries[text] = vector
        return np.stack([self._queries[text] for text in texts])

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The real model's passage vectors."""
        return self.encoder.encode_passages(texts)
