"""Run real ``wegwijs serve`` processes on loopback for the HTTP benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from eval.bench.plan import ServerVariant
from ingest.offline import OFFLINE_ENV
from service.capacity import auto_workers

START_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class _Server:
    url: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env(model_cache: Path, variant: ServerVariant) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WEGWIJS_") and key != "OMP_NUM_THREADS"
    }
    env.update(OFFLINE_ENV)
    env["WEGWIJS_MODEL_CACHE_DIR"] = str(model_cache)
    env["WEGWIJS_THREADS"] = str(variant.threads)
    env["WEGWIJS_QUERY_RUNTIME"] = variant.query_runtime
    env["WEGWIJS_ANONYMOUS"] = "true"  # the synthetic documents are public; no tokens needed
    env["WEGWIJS_RATE_LIMIT"] = ""  # one loopback caller measures throughput: no 20/s per caller
    if variant.query_cache is not None:
        env["WEGWIJS_QUERY_CACHE"] = str(variant.query_cache)
    env["WEGWIJS_LEXICAL_MEMORY"] = str(variant.lexical_memory).lower()
    if not variant.lexical_memory:  # FTS5 alone scores with its own BM25 parameters only
        env.update(WEGWIJS_BM25_K1="1.2", WEGWIJS_BM25_B="0.75", WEGWIJS_BM25_IDF="fts5")
    if variant.workers is not None:
        env["WEGWIJS_WORKERS"] = str(variant.workers)
    env.update(variant.settings)
    return env


def _wait_ready(url: str, process: subprocess.Popen[bytes], workers: int) -> None:
    """Wait until ``workers`` distinct server processes have reported ok on ``/healthz``: the
    first may answer while the others still load."""
    deadline = time.monotonic() + START_TIMEOUT_S
    answered: set[int] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server exited with code {process.returncode} before serving.")
        try:
            body = httpx.get(f"{url}/healthz", timeout=30).json()
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if body.get("status") == "ok":
            answered.add(int(body.get("process", 0)))
            if len(answered) >= workers:
                return
        time.sleep(0.1)
    raise TimeoutError(
        f"{url}: {len(answered)} of {workers} processes reported ok within {START_TIMEOUT_S:.0f} s."
    )


def _start(home: Path, profile: str, model_cache: Path, variant: ServerVariant) -> _Server:
    port = free_port()
    command = [sys.executable, "-m", "service", "--home", str(home), "--model", profile,
               "serve", "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(
        command,
        env=_server_env(model_cache, variant),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return _Server(f"http://127.0.0.1:{port}", process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_servers(
    home: Path, profile: str, model_cache: Path, variants: Sequence[ServerVariant]
) -> Iterator[list[str]]:
    """Serve ``home`` once per variant with ``wegwijs serve`` on free loopback ports.

    All processes start at once; yields their base URLs (in ``variants`` order) when every
    one reports ok on ``/healthz``, and stops them all afterwards.
    """
    servers: list[_Server] = []
    try:
        for variant in variants:
            servers.append(_start(home, profile, model_cache, variant))
        for server, variant in zip(servers, variants, strict=True):
            _wait_ready(server.url, server.process, variant.workers or auto_workers())
        yield [server.url for server in servers]
    finally:
        for server in servers:
            _stop(server.process)


@contextmanager
def running_server_process(
    home: Path, profile: str, model_cache: Path, variant: ServerVariant
) -> Iterator[tuple[str, int]]:
    """Serve ``home`` once with ``variant``; yields the base URL and the server's process id
    once it reports ok on ``/healthz``, and stops it afterwards."""
    server = _start(home, profile, model_cache, variant)
    try:
        _wait_ready(server.url, server.process, variant.workers or auto_workers())
        yield server.url, server.process.pid
    finally:
        _stop(server.process)
