"""Memory of a running ``wegwijs serve`` summed over its processes: PSS, and RSS beside it.

Pages that several worker processes map from the same file (the generation's vectors and
postings) count once in the sum of their proportional set sizes (PSS: each process is charged
its share of every page it maps), but once per process in the sum of their RSS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from eval.bench.api_latency import run_load
from eval.bench.plan import DEFAULT_SERVER, ServerVariant
from eval.bench.results import Check, Measured, Table, check
from eval.bench.server import running_server_process
from index.search import SEARCH_MODES
from service.sample_share import load_questions

CLIENTS = 8
ROUNDS = 6


@dataclass(frozen=True)
class ServedMemory:
    """One server's memory after each of its worker processes answered searches.

    Attributes:
        chunks: chunks in the served home.
        workers: ``WEGWIJS_WORKERS``.
        processes: processes summed (with several workers, uvicorn's supervisor too).
        pss: summed proportional set size, bytes.
        rss: summed resident set size, bytes.
    """

    chunks: int
    workers: int
    processes: int
    pss: int
    rss: int


def served_memory(
    home: Path, profile: str, model_cache: Path, workers: int, chunks: int
) -> ServedMemory:
    """Serve ``home`` with ``workers`` processes, search until every worker has answered
    hybrid and lexical searches (model, index and postings loaded), and sum their memory."""
    variant = ServerVariant(f"{workers} workers", DEFAULT_SERVER.threads, workers=workers)
    with running_server_process(home, profile, model_cache, variant) as (url, pid):
        server = psutil.Process(pid)
        _search_until_every_worker_answered(url, server, workers)
        time.sleep(1.0)
        tree = [server, *server.children(recursive=True)]
        totals = [_memory(process) for process in tree]
    pss = sum(found[0] for found in totals)
    rss = sum(found[1] for found in totals)
    return ServedMemory(chunks, workers, len(tree), pss, rss)


def _search_until_every_worker_answered(url: str, server: psutil.Process, workers: int) -> None:
    """Load the server with ``CLIENTS`` clients until each worker has spent CPU on searches."""
    questions = [question.question for question in load_questions()]
    processes = _workers(server, workers)
    _wait_until_idle(processes)
    before = {worker: _cpu_seconds(worker) for worker in processes}
    idle = processes
    for round_ in range(ROUNDS):
        for mode in SEARCH_MODES:
            start = round_ * CLIENTS * 2
            lists = [[questions[(start + 2 * c + i) % len(questions)] for i in (0, 1)]
                     for c in range(CLIENTS)]  # fmt: skip
            run_load(url, lists, mode)
        idle = [worker for worker, spent in before.items() if _cpu_seconds(worker) - spent < 0.2]
        if not idle:
            return
    pids = [worker.pid for worker in idle]
    raise RuntimeError(f"Workers {pids} of {url} answered no searches in {ROUNDS} rounds.")


def _wait_until_idle(processes: list[psutil.Process], timeout: float = 120) -> None:
    """Wait until the starting workers stop using CPU (under 0.05 s of it in half a second)."""
    deadline = time.monotonic() + timeout
    spent = [_cpu_seconds(process) for process in processes]
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = [_cpu_seconds(process) for process in processes]
        if all(after - before < 0.05 for before, after in zip(spent, now, strict=True)):
            return
        spent = now


def _workers(server: psutil.Process, workers: int) -> list[psutil.Process]:
    """The processes that answer requests: the server itself, or its ``workers`` children."""
    if workers == 1:
        return [server]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [child for child in server.children(recursive=True) if _is_worker(child)]
        if len(found) >= workers:
            return found
        time.sleep(0.2)
    raise RuntimeError(f"The server {server.pid} did not start {workers} worker processes.")


def _is_worker(process: psutil.Process) -> bool:
    """Whether ``process`` is a uvicorn worker (a spawned process; not the resource tracker)."""
    try:
        return "spawn_main" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def _cpu_seconds(process: psutil.Process) -> float:
    """User plus system CPU time of ``process``."""
    times = process.cpu_times()
    return float(times.user + times.system)


def _memory(process: psutil.Process) -> tuple[int, int]:
    """PSS and RSS of ``process`` in bytes (``/proc/PID/smaps_rollup``); 0 if it has exited."""
    try:
        info = process.memory_full_info()
    except psutil.Error:
        return 0, 0
    return int(info.pss), int(info.rss)


def render_served(found: list[ServedMemory]) -> Measured:
    """A table of each server's summed PSS and RSS, the growth per chunk between the smallest
    and the largest home for each worker count, and a check of the PSS growth."""
    mib = 1024 * 1024
    rows = [
        (f"{item.chunks:,}", str(item.workers), str(item.processes),
         f"{item.pss / mib:,.0f}", f"{item.rss / mib:,.0f}")
        for item in found
    ]  # fmt: skip
    figures: dict[str, float] = {}
    checks: list[Check] = []
    findings: list[str] = []
    for workers in sorted({item.workers for item in found}):
        served = sorted((i for i in found if i.workers == workers), key=lambda i: i.chunks)
        if len(served) < 2 or served[-1].chunks == served[0].chunks:
            continue
        small, large = served[0], served[-1]
        pss, rss = ((getattr(large, a) - getattr(small, a)) / (large.chunks - small.chunks)
                    for a in ("pss", "rss"))  # fmt: skip
        figures[f"memory.served_pss_per_chunk.{workers}"] = pss
        figures[f"memory.served_rss_per_chunk.{workers}"] = rss
        rows.append(("growth per chunk, bytes", str(workers), "", f"{pss:,.0f}", f"{rss:,.0f}"))
        checks.append(check(f"Server PSS per extra chunk, {workers} worker(s)", pss, 3072, True, 0))
        findings.append(
            f"Memory over HTTP: {workers} worker(s) grow by {pss:,.0f} bytes of PSS "
            f"({rss:,.0f} of RSS) per chunk between {small.chunks:,} and {large.chunks:,} chunks."
        )
    header = ("chunks", "workers", "processes", "PSS MiB", "RSS MiB")
    table = Table("Memory of a running server, summed over its processes", header, tuple(rows))
    notes = (
        "`wegwijs serve` with the default settings and `WEGWIJS_WORKERS` 1 or 2, after "
        f"{CLIENTS} clients sent lexical, dense and hybrid searches until every worker had "
        "answered some; PSS and RSS summed over the server's processes (uvicorn's supervisor "
        "too with 2 workers) from /proc/PID/smaps_rollup. PSS charges a page that n processes "
        "share 1/n to each, so the sum counts it once; RSS counts it in every process. Growth "
        "per chunk compares the two homes, which removes the fixed costs (Python, the model).",
    )
    return Measured((table,), notes, figures, tuple(checks), tuple(findings))
