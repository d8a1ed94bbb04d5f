"""Summaries of repeated measurements: median and spread, percentiles, and resident memory."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")
_STATUS = Path("/proc/self/status")


@dataclass(frozen=True)
class Spread:
    """The median of repeated runs with the lowest and highest run."""

    median: float
    low: float
    high: float
    runs: int

    def show(self, digits: int = 1) -> str:
        """``median (low–high)`` rounded to ``digits`` decimals."""
        return f"{self.median:,.{digits}f} ({self.low:,.{digits}f}–{self.high:,.{digits}f})"


def spread(values: Sequence[float]) -> Spread:
    """Median, minimum and maximum of per-run values.

    Raises:
        ValueError: no values.
    """
    if not values:
        raise ValueError("Cannot summarise zero runs: run each measurement at least once.")
    array = np.asarray(values, dtype=np.float64)
    return Spread(float(np.median(array)), float(array.min()), float(array.max()), len(array))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100, linear interpolation) of ``values``."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """Run ``action`` and return its result with the wall-clock seconds it took."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def rss_bytes() -> int:
    """Resident set size of this process (Linux ``/proc``), in bytes."""
    for line in _STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise OSError(f"No VmRSS line in {_STATUS}: resident memory is only measured on Linux.")
