"""Describe the machine a benchmark ran on: CPU, cores, memory, load and library versions."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_LIBRARIES = ("faiss-cpu", "torch", "sentence-transformers", "fastapi", "uvicorn", "numpy")


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (``unknown`` elsewhere)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def load_line() -> str:
    """The output of ``uptime`` (load averages over 1, 5 and 15 minutes)."""
    try:
        done = subprocess.run(["uptime"], capture_output=True, text=True, check=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        one, five, fifteen = os.getloadavg()
        return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"
    return done.stdout.strip()


def memory_total() -> str:
    """Total memory from ``/proc/meminfo``, in GiB."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return "unknown"
    kib = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
    return f"{kib / 1024 / 1024:.1f} GiB"


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def describe_machine() -> dict[str, str]:
    """Facts about this machine and software that belong at the top of a benchmark report."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores (nproc)": str(len(os.sched_getaffinity(0))),
        "memory": memory_total(),
        "load at start (uptime)": load_line(),
        "python": platform.python_version(),
        "os": platform.platform(),
        **{name: _version(name) for name in _LIBRARIES},
    }
