"""Walk crawl roots and yield the files worth indexing, with the facts ``stat`` gives."""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from ingest.access_rules import ACCESS_FILE
from ingest.errors import RootNotFoundError
from ingest.models import Root, SourceFile
from ingest.owners import OWNERS_FILE
from ingest.teams import TEAMS_FILE

logger = logging.getLogger(__name__)

SKIPPED_NAMES = frozenset(
    {
        "thumbs.db",
        "desktop.ini",
        ".ds_store",
        OWNERS_FILE.lower(),
        TEAMS_FILE.lower(),
        ACCESS_FILE.lower(),
    }
)
SKIPPED_PATTERNS = (
    "~$*",
    ".~lock.*",
    "~*.tmp",
    "*.tmp",
    "*.temp",
    "*.swp",
    "*.part",
    "*~",
)


@dataclass(frozen=True)
class CrawlConfig:
    """Which files under the roots are considered (globs match the path relative to a root)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def make_roots(paths: Sequence[Path]) -> tuple[Root, ...]:
    """Label each root by its folder name, made unique with a suffix when names repeat.

    Raises:
        RootNotFoundError: a path does not exist or is not a folder.
    """
    roots: list[Root] = []
    seen: set[str] = set()
    for path in paths:
        resolved = path.expanduser().resolve()
        if not resolved.is_dir():
            raise RootNotFoundError(f"{path} is not a folder: give the mounted share's path")
        label = resolved.name or "root"
        candidate, number = label, 2
        while candidate in seen:
            candidate, number = f"{label}-{number}", number + 1
        seen.add(candidate)
        roots.append(Root(candidate, resolved))
    return tuple(roots)


def is_skipped(name: str) -> bool:
    """True for hidden, temporary, lock and system files."""
    lowered = name.lower()
    if name.startswith(".") or lowered in SKIPPED_NAMES:
        return True
    return any(fnmatch.fnmatch(lowered, pattern) for pattern in SKIPPED_PATTERNS)


def _wanted(rel_path: str, config: CrawlConfig) -> bool:
    if config.include and not any(fnmatch.fnmatch(rel_path, g) for g in config.include):
        return False
    return not any(fnmatch.fnmatch(rel_path, g) for g in config.exclude)


@dataclass(frozen=True)
class Scan:
    """The files of one root worth indexing, and its OWNERS and ACCESS files by folder."""

    files: tuple[SourceFile, ...]
    owners_files: dict[str, Path]
    access_files: dict[str, Path]


def scan_root(root: Root, config: CrawlConfig) -> Scan:
    """Walk ``root`` once in a stable order, never following symlinks."""
    files: list[SourceFile] = []
    owners_files: dict[str, Path] = {}
    access_files: dict[str, Path] = {}
    for folder, dirnames, filenames in os.walk(root.path, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(folder)
        rel = here.relative_to(root.path).as_posix()
        key = "" if rel == "." else rel
        if OWNERS_FILE in filenames:
            owners_files[key] = here / OWNERS_FILE
        if ACCESS_FILE in filenames:
            access_files[key] = here / ACCESS_FILE
        for name in sorted(filenames):
            source = _source_file(root, here / name, config)
            if source is not None:
                files.append(source)
    return Scan(tuple(files), owners_files, access_files)


def printable(name: str) -> str:
    """``name`` with bytes that are not UTF-8 (kept by Python as surrogates) written as ``\\xff``.

    Such names cannot be stored or shown as text; the escaped form keeps ids and messages valid.
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _source_file(root: Root, path: Path, config: CrawlConfig) -> SourceFile | None:
    if is_skipped(path.name) or path.is_symlink():
        return None
    info = path.lstat()
    if not S_ISREG(info.st_mode):
        return None
    rel_path = printable(path.relative_to(root.path).as_posix())
    if not _wanted(rel_path, config):
        return None
    return SourceFile(root, path, rel_path, info.st_size, info.st_mtime_ns)
