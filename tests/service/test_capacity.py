"""How many processes ``wegwijs serve`` starts when WEGWIJS_WORKERS is unset."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from service.capacity import Cgroups, auto_workers, cpu_quota, memory_limit, usable_cores

GIB = 1024**3


@pytest.mark.parametrize(
    ("cores", "memory_gib", "expected"),
    [
        (2, 24, 2),  # this project's machine: one per core
        (1, 64, 1),  # one core: one process, whatever the memory
        (8, 8, 2),  # a laptop: half of 8 GB holds two 2 GB workers
        (4, 3, 1),  # too little memory for a second model: one
        (16, 256, 4),  # a large server: at most four unless WEGWIJS_WORKERS says more
    ],
)
def test_one_worker_per_core_within_half_the_memory(
    cores: int, memory_gib: int, expected: int
) -> None:
    assert auto_workers(cores, memory_gib * GIB) == expected


def _tree(tmp_path: Path, membership: str, files: dict[str, str]) -> Cgroups:
    """A cgroup mount and a ``/proc/self/cgroup`` written as the kernel writes them."""
    (tmp_path / "cgroup").write_text(membership)
    for name, text in files.items():
        path = tmp_path / "fs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return Cgroups(tmp_path / "cgroup", tmp_path / "fs")


def test_a_v2_container_limits_memory_and_cores(tmp_path: Path) -> None:
    cgroups = _tree(
        tmp_path,
        "0::/system.slice/wegwijs.service\n",
        {
            "system.slice/wegwijs.service/memory.max": str(3 * GIB),
            "system.slice/wegwijs.service/cpu.max": "150000 100000",
        },
    )
    assert memory_limit(cgroups) == 3 * GIB
    assert cpu_quota(cgroups) == 1.5
    assert usable_cores(cgroups) == min(2, len(os.sched_getaffinity(0)))


def test_a_v1_container_limits_memory_and_cores(tmp_path: Path) -> None:
    cgroups = _tree(
        tmp_path,
        "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/\n",
        {
            "memory/docker/abc/memory.limit_in_bytes": str(5 * GIB),
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "100000",
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
        },
    )
    assert memory_limit(cgroups) == 5 * GIB
    assert usable_cores(cgroups) == 1
    assert auto_workers(usable_cores(cgroups), memory_limit(cgroups)) == 1


def test_no_limit_leaves_the_machine_as_it_is(tmp_path: Path) -> None:
    cgroups = _tree(
        tmp_path,
        "0::/user.slice\n",
        {"user.slice/memory.max": "max", "user.slice/cpu.max": "max 100000"},
    )
    assert memory_limit(cgroups) == psutil.virtual_memory().total
    assert cpu_quota(cgroups) is None
    assert memory_limit(Cgroups(tmp_path / "absent", tmp_path)) == psutil.virtual_memory().total
