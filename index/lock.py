"""One writer per home: an exclusive, non-blocking lock file."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import WriterBusyError


@contextmanager
def writer_lock(home: Path) -> Iterator[None]:
    """Hold ``<home>/writer.lock`` for the block; fail fast when another writer has it.

    Raises:
        WriterBusyError: another ingest is running on this home.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / "writer.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise WriterBusyError(
                f"{home} is being written by {holder}: wait for that ingest to finish."
            ) from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
