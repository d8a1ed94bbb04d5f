"""The lexical postings of one generation, counted or mapped on a background thread.

Where the generation's folder is given, the postings are mapped from files beside it, written
by the first process that opens it (``index.postings_files``): every server worker then shares
one copy. Without a folder they are counted into this process's memory.
"""

from __future__ import annotations

import ctypes
import logging
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from index.catalog import connect
from index.postings import Postings
from index.postings_files import catalog_state, mapped_postings

logger = logging.getLogger(__name__)


def release_freed_memory() -> None:
    """Hand the heap's freed pages back to the system (glibc; elsewhere nothing happens).

    Counting 100,000 chunks frees about as much memory again as the postings keep, which
    glibc would otherwise hold on to: 1,096 resident bytes a chunk instead of 515.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class LexicalMemory:
    """The postings of one catalog, built on a background thread.

    A generation's searcher starts one. At FTS5's own BM25 parameters FTS5 answers until the
    postings are built; at any other parameters (the default, ``index.search.TUNED_BM25``) a
    lexical search waits for them. The service hands out a newly published generation only once
    its postings are built (``service.state.LiveSearcher``), about 3–6 s at 100,000 chunks.
    """

    def __init__(
        self, catalog: Path | None, catalog_seq: int | None = None, folder: Path | None = None
    ) -> None:
        """Count the catalog's terms for the generation at ``catalog_seq`` (see ``Postings``);
        with the generation's ``folder``, map them from files there (written if missing)."""
        self._postings: Postings | None = None
        self._failure = "the in-memory postings are off (WEGWIJS_LEXICAL_MEMORY=false)"
        self._done = threading.Event()
        if catalog is None:
            self._done.set()
            return
        self._failure = f"the postings of {catalog} are still being built"
        threading.Thread(
            target=self._build,
            args=(catalog, catalog_seq, folder),
            name="lexical-postings",
            daemon=True,
        ).start()

    @classmethod
    def off(cls) -> LexicalMemory:
        """No postings: FTS5 answers every query."""
        return cls(None)

    @property
    def postings(self) -> Postings | None:
        """The postings once built (None before, when off, or when the build failed)."""
        return self._postings

    @property
    def failure(self) -> str:
        """Why there are no postings (meaningful while ``postings`` is None)."""
        return self._failure

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the build to end; whether it has."""
        return self._done.wait(timeout)

    def _build(self, catalog: Path, catalog_seq: int | None, folder: Path | None) -> None:
        try:
            with closing(connect(catalog, readonly=True)) as conn:
                self._postings = _postings(conn, catalog_seq, folder)
            release_freed_memory()
            logger.info("Lexical postings: %d chunks", len(self._postings))
        except (sqlite3.Error, OSError, MemoryError, ValueError) as exc:
            self._failure = f"building the postings of {catalog} failed: {exc}"
            logger.warning(
                "Lexical postings not built, FTS5 answers instead at its own BM25 parameters "
                "(other parameters raise PostingsUnavailableError): %s",
                exc,
            )
        finally:
            self._done.set()


def _postings(conn: sqlite3.Connection, catalog_seq: int | None, folder: Path | None) -> Postings:
    """Counted into memory, or mapped from ``folder`` for the catalog state read in the same
    transaction as the counts."""
    if folder is None:
        return Postings.build(conn, catalog_seq)
    conn.execute("BEGIN")  # one snapshot: the state's digest describes the rows counted
    state = catalog_state(conn, catalog_seq)
    return mapped_postings(folder, state, lambda: Postings.build(conn, catalog_seq))
