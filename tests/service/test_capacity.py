"""How many processes ``wegwijs serve`` starts when WEGWIJS_WORKERS is unset."""

from __future__ import annotations

import os

import pytest

from service.capacity import auto_workers, memory_limit, usable_cores

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


def test_this_machine_is_measured() -> None:
    assert 0 < memory_limit()
    assert usable_cores() == len(os.sched_getaffinity(0))
    assert 1 <= auto_workers() <= min(4, usable_cores())
