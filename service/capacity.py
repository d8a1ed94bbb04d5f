"""How many server processes ``wegwijs serve`` starts when ``WEGWIJS_WORKERS`` is not set.

One process is bound by Python's GIL: at 100,000 chunks it served about 65 hybrid searches/s
with 8 clients on 2 cores, and two served 103/s (BENCHMARKS.md, Session 11). Each process holds
its own runtime and searcher, about 0.85 GB at 100,000 chunks (the index, the lexical postings
and the query model's weights are mapped once for all), so the count follows both the cores and
the memory, as a container's limits (cgroup v2 or v1) set them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import psutil

# A worker (0.85 GB measured at 100,000 chunks) with room for the page cache and larger shares.
WORKER_BUDGET_BYTES = 2 * 1024**3
# Workers may use at most this share of the machine's (or the container's) memory.
MEMORY_SHARE = 0.5
# More processes than this mostly add memory; WEGWIJS_WORKERS sets more where wanted.
MAX_AUTO_WORKERS = 4


@dataclass(frozen=True)
class Cgroups:
    """Where this process's control groups are: ``/proc/self/cgroup`` and the mount root."""

    membership: Path = Path("/proc/self/cgroup")
    root: Path = Path("/sys/fs/cgroup")

    def files(self, controller: str, name: str) -> list[Path]:
        """``name`` in this process's group of ``controller`` (v1) and its unified group (v2)."""
        try:
            lines = self.membership.read_text().splitlines()
        except OSError:
            return []
        found = []
        for line in lines:
            _, controllers, group = line.split(":", 2)
            relative = group.lstrip("/")
            if controllers == "":  # v2: one hierarchy, mounted at the root
                found.append(self.root / relative / name)
            elif controller in controllers.split(","):
                found.append(self.root / controllers / relative / name)
        return found


def auto_workers(cores: int | None = None, memory_bytes: int | None = None) -> int:
    """One worker per usable core, no more than half the memory holds, at most 4, at least 1.

    Args:
        cores: Usable CPU cores (default: ``usable_cores``).
        memory_bytes: Memory available to this machine or container (default: ``memory_limit``).
    """
    cores = cores if cores is not None else usable_cores()
    memory_bytes = memory_bytes if memory_bytes is not None else memory_limit()
    by_memory = int(memory_bytes * MEMORY_SHARE) // WORKER_BUDGET_BYTES
    return max(1, min(cores, by_memory, MAX_AUTO_WORKERS))


def usable_cores(cgroups: Cgroups = Cgroups()) -> int:
    """Cores this process may run on (its CPU affinity where the system has one), fewer where
    a CPU quota (``docker --cpus``) allows less."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    quota = cpu_quota(cgroups)
    return max(1, min(cores, math.ceil(quota))) if quota is not None else cores


def cpu_quota(cgroups: Cgroups = Cgroups()) -> float | None:
    """CPUs' worth of time the quota allows (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``), None
    without a quota."""
    for path in cgroups.files("cpu", "cpu.max"):
        fields = _read(path).split()
        if len(fields) == 2 and fields[0].isdigit() and int(fields[1]) > 0:
            return int(fields[0]) / int(fields[1])
    for path in cgroups.files("cpu", "cpu.cfs_quota_us"):
        quota, period = _read(path), _read(path.with_name("cpu.cfs_period_us"))
        if quota.isdigit() and period.isdigit() and int(period) > 0:
            return int(quota) / int(period)
    return None


def memory_limit(cgroups: Cgroups = Cgroups()) -> int:
    """The machine's memory, or the container's limit (v2 ``memory.max``, v1
    ``memory.limit_in_bytes``) where that is lower."""
    limits = [int(psutil.virtual_memory().total)]
    for controller_file in ("memory.max", "memory.limit_in_bytes"):
        for path in cgroups.files("memory", controller_file):
            text = _read(path)
            if text.isdigit():
                limits.append(int(text))
    return min(limits)


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
