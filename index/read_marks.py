"""Read marks: the oldest catalog ``seq`` each serving process may still read.

An ingest purges retired chunks (``index.retired``) once no served generation can see them.
Serving processes swap to a new generation within seconds, but not within any bound: a
server checks for a newer generation every 2 s and hands it out only once its postings are
built, and ingests with warm parse workers publish every second or two on a small share. A
server two generations behind lost the changed documents' old chunks to the purge while its
generation could not yet see their new ones (the stress test saw 51 of 1,840 responses
without them). So each serving process holds a mark: a file under ``<home>/index/read-marks``
that says the lowest ``catalog_seq`` its searchers may still read, locked (``flock``) for as
long as the process lives. The purge horizon is the lowest mark.

A mark whose lock can be taken belongs to a process that ended without removing it (killed):
the purge removes it. A mark starts at 0 (purge nothing) and is set once its searcher is
loaded, so a process that reads ``CURRENT`` just before a publish cannot have its generation's
rows purged before its mark says which generation it loaded. Marks are as good as ``flock``:
processes on one machine, or on a file system whose locks reach every reader.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

MARKS_DIR = "read-marks"
SUFFIX = ".mark"


def marks_dir(home: Path) -> Path:
    """The folder of ``home``'s read marks."""
    return home / "index" / MARKS_DIR


class ReadMark:
    """This process's mark in ``home``: created at 0 and locked until ``close``."""

    def __init__(self, home: Path) -> None:
        folder = marks_dir(home)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        writing = folder / f"{name}.new"
        self._fd = os.open(writing, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        self.seq = -1
        self.path = folder / f"{name}{SUFFIX}"
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # before it is a mark: never seen as dead
            self.set(0)
            os.replace(writing, self.path)
        except OSError:
            os.close(self._fd)
            writing.unlink(missing_ok=True)
            raise

    def set(self, seq: int) -> None:
        """Say that this process's searchers read nothing older than catalog ``seq``."""
        if seq == self.seq:
            return
        text = f"{seq}\n".encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, text, 0)
        self.seq = seq

    def close(self) -> None:
        """Remove the mark: this process reads nothing any more."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)


@contextlib.contextmanager
def holding_mark(home: Path) -> Iterator[ReadMark | None]:
    """A mark at 0 for as long as a one-shot reader (a CLI search) runs: no ingest purges
    anything meanwhile. A home without an index gets none (nothing to purge, and no folder is
    made in a mistyped ``--home``); nor does one this process cannot write to (logged): its
    ingests purge as if the reader were not there."""
    mark = None
    if marks_dir(home).parent.is_dir():
        try:
            mark = ReadMark(home)
        except OSError as exc:
            logger.info("Reading %s without a read mark: %s", home, exc)
    try:
        yield mark
    finally:
        if mark is not None:
            mark.close()


def oldest_read(home: Path) -> int | None:
    """The lowest ``seq`` a living process's mark holds (None: no marks); marks of ended
    processes are removed.

    Raises:
        OSError: a mark could not be opened or read (the caller should purge nothing).
    """
    folder = marks_dir(home)
    if not folder.is_dir():
        return None
    seqs = [seq for path in sorted(folder.glob(f"*{SUFFIX}")) if (seq := _held(path)) is not None]
    return min(seqs, default=None)


def _held(path: Path) -> int | None:
    """The mark's ``seq`` while its process holds it; None (and the file removed) once not."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None  # closed just now
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0  # mid-write: the safe side
        logger.info("Removing the read mark of an ended process: %s", path.name)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return None
    finally:
        os.close(fd)
