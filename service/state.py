"""The live searcher of a running service, swapped when a newer generation is published."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from index.errors import IndexCorruptError
from index.lexical_memory import LexicalMemory
from index.read_marks import ReadMark
from index.search import Searcher
from index.vectors import current_generation
from service.settings import Settings

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 2.0
# How long a swapped-out searcher's generation stays in this process's read mark: requests
# that took it just before the swap may still load its hits (answers with generation included).
RETIRE_SECONDS = 60.0


class LiveSearcher:
    """Hands out an immutable ``Searcher``; reloads it when ``CURRENT`` moves (RCU style) and
    swaps once the new one is ready.

    Its read mark (``index.read_marks``) keeps an ingest from purging the retired chunks of the
    generation it hands out, and of the one it swapped out, for ``RETIRE_SECONDS``.
    """

    def __init__(self, settings: Settings, load: Callable[[Settings], Searcher]) -> None:
        self._settings = settings
        self._load = load
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._pending: tuple[int, Searcher] | None = None
        self._checked = 0.0
        self._loaded_for = -1
        self._mark: ReadMark | None = None
        self._swapped_out: tuple[int, float] | None = None  # catalog seq, until (monotonic)

    def get(self) -> Searcher:
        """The searcher for the newest published generation (loaded on first use).

        Raises:
            IndexNotFoundError: nothing was ingested into this home yet.
        """
        searcher = self.loaded()
        if searcher is not None:
            return searcher
        now = time.monotonic()
        with self._lock:
            self._checked = now
            try:
                live = current_generation(self._settings.home)
            except IndexCorruptError:
                live = self._loaded_for  # keep serving what is loaded; /healthz says why
            if self._searcher is None:
                self._searcher = self._first_load()
                self._loaded_for = live
            elif self._loaded_for != live:
                self._swap_when_ready(self._searcher, live, now)
            else:
                self._pending = None
            self._update_mark(self._searcher, now)
            return self._searcher

    def _first_load(self) -> Searcher:
        """The first searcher, loaded under a read mark at 0 (see ``index.read_marks``)."""
        try:
            self._mark = self._mark or ReadMark(self._settings.home)
        except OSError as exc:  # a read-only home: ingests purge as if this process were swift
            logger.warning("Serving without a read mark in %s: %s", self._settings.home, exc)
        try:
            return self._load(self._settings)
        except BaseException:
            self.close()  # nothing served: nothing to keep
            raise

    def loaded(self) -> Searcher | None:
        """The loaded searcher while no look for a newer generation is due (no I/O, no lock);
        None when ``get`` has to look (or load) first."""
        searcher = self._searcher
        waiting = self._pending is not None  # a new generation is swapped in once it is ready
        if waiting or time.monotonic() - self._checked >= RECHECK_SECONDS:
            return None
        return searcher

    def close(self) -> None:
        """Remove this process's read mark: it serves nothing any more."""
        if self._mark is not None:
            self._mark.close()
            self._mark = None

    def _swap_when_ready(self, old: Searcher, live: int, now: float) -> None:
        """Load generation ``live`` beside ``old`` and hand it out once its lexical postings
        are built (a few seconds at 100,000 chunks): until then ``old`` answers, so no search
        waits for them. A build that failed swaps too (its searches say why).

        A generation published while one is pending waits for it to be handed out: starting
        over each time kept a server on its old generation for as long as ingests came
        faster than postings were built."""
        if self._pending is None:
            self._pending = (live, self._reload(old))
        generation, fresh = self._pending
        if fresh.lexical_memory.wait(timeout=0):
            self._searcher, self._loaded_for, self._pending = fresh, generation, None
            self._swapped_out = (old.manifest.catalog_seq, now + RETIRE_SECONDS)

    def _update_mark(self, searcher: Searcher, now: float) -> None:
        """The mark: the handed-out generation's seq, or the swapped-out one's while recent."""
        if self._mark is None:
            return
        seq = searcher.manifest.catalog_seq
        if self._swapped_out is not None and now < self._swapped_out[1]:
            seq = min(seq, self._swapped_out[0])
        self._mark.set(seq)

    def _reload(self, old: Searcher) -> Searcher:
        from index import vectors

        manifest, index = vectors.load_newest_valid(self._settings.home)
        memory = None if self._settings.lexical_memory else LexicalMemory.off()
        fresh = Searcher(old.home, old.encoder, manifest, index, old.config, memory)
        fresh.query_log = old.query_log  # one log (and writer thread) across generations
        return fresh
