"""The live searcher of a running service, swapped when a newer generation is published."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from index.errors import IndexCorruptError
from index.lexical_memory import LexicalMemory
from index.search import Searcher
from index.vectors import current_generation
from service.settings import Settings

RECHECK_SECONDS = 2.0


class LiveSearcher:
    """Hands out an immutable ``Searcher``; reloads it when ``CURRENT`` moves (RCU style) and
    swaps once the new one is ready."""

    def __init__(self, settings: Settings, load: Callable[[Settings], Searcher]) -> None:
        self._settings = settings
        self._load = load
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._pending: tuple[int, Searcher] | None = None
        self._checked = 0.0
        self._loaded_for = -1

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
                self._searcher = self._load(self._settings)
                self._loaded_for = live
            elif self._loaded_for != live:
                self._swap_when_ready(self._searcher, live)
            else:
                self._pending = None
            return self._searcher

    def loaded(self) -> Searcher | None:
        """The loaded searcher while no look for a newer generation is due (no I/O, no lock);
        None when ``get`` has to look (or load) first."""
        searcher = self._searcher
        waiting = self._pending is not None  # a new generation is swapped in once it is ready
        if waiting or time.monotonic() - self._checked >= RECHECK_SECONDS:
            return None
        return searcher

    def _swap_when_ready(self, old: Searcher, live: int) -> None:
        """Load generation ``live`` beside ``old`` and hand it out once its lexical postings
        are built (a few seconds at 100,000 chunks): until then ``old`` answers, so no search
        waits for them. A build that failed swaps too (its searches say why)."""
        if self._pending is None or self._pending[0] != live:
            self._pending = (live, self._reload(old))
        fresh = self._pending[1]
        if fresh.lexical_memory.wait(timeout=0):
            self._searcher, self._loaded_for, self._pending = fresh, live, None

    def _reload(self, old: Searcher) -> Searcher:
        from index import vectors

        manifest, index = vectors.load_newest_valid(self._settings.home)
        memory = None if self._settings.lexical_memory else LexicalMemory.off()
        fresh = Searcher(old.home, old.encoder, manifest, index, old.config, memory)
        fresh.query_log = old.query_log  # one log (and writer thread) across generations
        return fresh
