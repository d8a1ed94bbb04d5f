"""How many server processes ``wegwijs serve`` starts when ``WEGWIJS_WORKERS`` is not set.

One process is bound by Python's GIL: at 100,000 chunks it served about 77 hybrid searches/s
with 8 clients on 2 cores, and two served 111/s (BENCHMARKS.md, Session 11). Each process holds
its own runtime and searcher, about 0.85 GB at 100,000 chunks (the index, the lexical postings
and the query model's weights are mapped once for all), so the count follows both the cores and
the memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil

# A worker (0.85 GB measured at 100,000 chunks) with room for the page cache and larger shares.
WORKER_BUDGET_BYTES = 2 * 1024**3
# Workers may use at most this share of the machine's (or the container's) memory.
MEMORY_SHARE = 0.5
# More processes than this mostly add memory; WEGWIJS_WORKERS sets more where wanted.
MAX_AUTO_WORKERS = 4
CGROUP_MEMORY_MAX = Path("/sys/fs/cgroup/memory.max")


def auto_workers(cores: int | None = None, memory_bytes: int | None = None) -> int:
    """One worker per usable core, no more than half the memory holds, at most 4, at least 1.

    Args:
        cores: Usable CPU cores (default: this process's CPU affinity).
        memory_bytes: Memory available to this machine or container (default: measured).
    """
    cores = cores if cores is not None else usable_cores()
    memory_bytes = memory_bytes if memory_bytes is not None else memory_limit()
    by_memory = int(memory_bytes * MEMORY_SHARE) // WORKER_BUDGET_BYTES
    return max(1, min(cores, by_memory, MAX_AUTO_WORKERS))


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def memory_limit() -> int:
    """The machine's memory, or the container's limit (cgroup v2) where that is lower."""
    total = int(psutil.virtual_memory().total)
    try:
        limit = CGROUP_MEMORY_MAX.read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total
