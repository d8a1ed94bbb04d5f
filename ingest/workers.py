"""A pool of limited child processes that parse files, so one bad file cannot hang or kill a run.

Each worker has an address-space limit (``RLIMIT_AS``) and each task a wall-clock timeout; a worker
that times out or dies is replaced by pebble and the file is reported, not retried.
"""

from __future__ import annotations

import itertools
import multiprocessing
import resource
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from ingest.chunk import ChunkingConfig
from ingest.errors import ParseError
from ingest.no_torch import keep_torch_out
from ingest.offline import enforce_offline
from ingest.parent_main import announce_parent_main
from ingest.parse import ParsedFile, ParseLimits, parse_file

WARM_MODULE = "ingest.warm"

ParseTask = Callable[[Path, ChunkingConfig, ParseLimits], ParsedFile]


@dataclass(frozen=True)
class WorkerConfig:
    """How many parse workers, and the limits each file is parsed under."""

    workers: int = 2
    timeout_s: float = 120.0
    memory_bytes: int = 6 * 1024**3
    tasks_per_worker: int = 500


def _start_worker(memory_bytes: int) -> None:
    """Limit the worker's memory, keep torch out, then import the parsers, so a file's timeout
    is its own.

    unstructured's sentence splitter imports spaCy, whose thinc imports torch whenever it can,
    only to offer torch layers. The ``fast`` strategy we parse with never uses them, so a
    worker keeps torch out (``ingest.no_torch``): thinc then goes without, and every file
    parses the same (all 50 files of the sample share, checked in session 6), while each
    worker starts about 1.6 s sooner and stays about 180 MB smaller (BENCHMARKS.md, session 6).
    """
    enforce_offline()
    keep_torch_out()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        import unstructured.partition.auto  # noqa: F401 - warm-up, seconds on a cold start
    except (ImportError, MemoryError, OSError):
        pass  # each file then imports what it needs and reports its own failure


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from one server process that loaded the parsers (``ingest.warm``), where
    the platform has fork servers; else spawned fresh, each loading them itself.

    A spawned worker paid its interpreter start, unstructured's import and the first text's
    spaCy and language-detector load, 3–15 s of CPU, beside the embedding on a 2-core machine;
    forked from the warmed server it starts in milliseconds with all of it loaded, the parent's
    main script included (``ingest.parent_main``).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([WARM_MODULE])
    announce_parent_main()
    return context


def parse_many(
    paths: Iterable[Path],
    chunking: ChunkingConfig,
    limits: ParseLimits,
    config: WorkerConfig,
    task: ParseTask = parse_file,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[tuple[Path, ParsedFile | ParseError]]:
    """Parse files in worker processes; yield each path with its result or its error, in order.

    ``meanwhile`` runs on this thread, and only when there are files, while another thread
    starts the workers and hands them the first files: work of the caller's, such as loading
    the embedding model, then overlaps the workers' start (seconds when their server starts
    cold: the pool waits while it loads the parsers and the parent's main script) or their
    first files. ``task`` must be importable by a fresh interpreter (workers may be spawned).
    """
    enforce_offline()
    remaining = iter(paths)
    first = next(remaining, None)
    if first is None:
        return
    context = _context()
    with ProcessPool(
        max_workers=config.workers,
        max_tasks=config.tasks_per_worker,
        initializer=_start_worker,
        initargs=(config.memory_bytes,),
        context=context,
    ) as pool:

        def schedule(path: Path) -> tuple[Path, object]:
            return path, pool.schedule(task, (path, chunking, limits), timeout=config.timeout_s)

        opening = [first, *itertools.islice(remaining, config.workers * 4 - 1)]
        with ThreadPoolExecutor(1, thread_name_prefix="parse-pool-start") as starter:
            started = starter.submit(lambda: [schedule(path) for path in opening])
            if meanwhile is not None:
                meanwhile()
            window = started.result()
        for path in remaining:
            yield _result(*window.pop(0), config.timeout_s)
            window.append(schedule(path))
        for path, future in window:
            yield _result(path, future, config.timeout_s)


def _result(path: Path, future: object, timeout_s: float) -> tuple[Path, ParsedFile | ParseError]:
    try:
        return path, future.result()  # type: ignore[attr-defined]
    except ParseError as exc:
        return path, exc
    except FutureTimeout:
        return path, ParseError(f"parsing took longer than {timeout_s:.0f} s: stopped")
    except ProcessExpired as exc:
        return path, ParseError(f"parser process died (exit code {exc.exitcode}): out of memory?")
    except MemoryError:
        return path, ParseError("parser ran out of memory")
    except Exception as exc:  # anything else from a third-party parser is one file's problem
        return path, ParseError(f"parser failed: {type(exc).__name__}: {exc}"[:300])
