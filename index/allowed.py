"""Which chunk row ids a filter (and its reader) lets through, cached per generation and access.

The dense arm turns filters into a FAISS ID selector over these ids. Building the ids costs one
catalog query over every chunk; for the same principal and filters they and their selector are
reused until the generation or any reader entry (``index.readers.access_seq``) changes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt

from index.ann import AllowedIds
from index.filters import Filters, filter_sql
from index.readers import access_seq

CACHE_ENTRIES = 256
CACHE_BYTES = 256 * 1024 * 1024


def allowed_chunk_ids(conn: sqlite3.Connection, filters: Filters) -> npt.NDArray[np.int64]:
    """Row ids of every chunk whose document passes ``filters``.

    The condition is checked once per document, then its chunks are read by index. Retired and
    newer chunks are included on purpose: the selector only has to cover the generation's ids,
    and a retired chunk the served generation still holds must stay allowed (its document's
    reader entries, which apply to it, are checked here like any other).
    """
    condition, params = filter_sql(filters)
    rows = conn.execute(
        "SELECT c.chunk_rowid FROM chunks c WHERE c.doc_id IN "
        f"(SELECT d.doc_id FROM documents d WHERE {condition})",
        params,
    )
    return np.fromiter((row[0] for row in rows), dtype=np.int64)


class AllowedCache:
    """A thread-safe LRU of allowed ids keyed by generation, access and filters, bounded in
    entries and in bytes (a million-chunk catalog makes 8 MB arrays)."""

    def __init__(self, entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self._entries = entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        self._entries_by_key: OrderedDict[Hashable, AllowedIds] = OrderedDict()

    def get(self, conn: sqlite3.Connection, generation: int, filters: Filters) -> AllowedIds:
        """The allowed ids for ``filters``, from the cache when nothing changed since."""
        key = (generation, access_seq(conn), filters)
        with self._lock:
            found = self._entries_by_key.get(key)
            if found is not None:
                self._entries_by_key.move_to_end(key)
                return found
        ids = allowed_chunk_ids(conn, filters)
        ids.setflags(write=False)
        allowed = AllowedIds.of(ids)
        with self._lock:
            if key not in self._entries_by_key:
                self._entries_by_key[key] = allowed
                self._bytes += allowed.nbytes
            while self._entries_by_key and (
                len(self._entries_by_key) > self._entries or self._bytes > self._max_bytes
            ):
                self._bytes -= self._entries_by_key.popitem(last=False)[1].nbytes
        return allowed
