"""The lexical postings written once beside a generation and mapped by every server process.

Each server process used to count the catalog's terms into a private ``Postings`` (about 490
bytes a chunk). The first process to open a generation now writes them as ``.npy`` files into
``gen-NNNNNN/postings-<state>/`` and every process, itself included, maps those files
read-only: the pages live once in the page cache, however many workers search them.

``<state>`` is a digest of the catalog's full-text rows (``catalog_state``), so postings are
used only for the catalog state they were counted from; FTS5 stays the source of truth. The
files are written atomically (staging folder, fsync, rename, fsync) with a checksummed
``postings.json``; a damaged or missing folder is rebuilt in memory, never read.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from index.durable import fsync_path, write_synced
from index.postings import Postings
from ingest.parse import file_sha256

PREFIX = "postings-"
FILES_MANIFEST = "postings.json"
LOCK_FILE = ".postings.lock"
VOCABULARY_FILE = "vocabulary.json"
# Array name → the dtypes it may have (scipy picks 32- or 64-bit indices by size).
_ARRAYS: dict[str, tuple[str, ...]] = {
    "rowids": ("int64",),
    "data": ("uint16",),
    "indices": ("int32", "int64"),
    "indptr": ("int32", "int64"),
    "lengths": ("float64",),
    "visible": ("bool",),
    "documents": ("int32",),
}
# Part of every folder's state digest: postings written by code with other arrays are not read.
FORMAT = "2"
logger = logging.getLogger(__name__)


def catalog_state(conn: sqlite3.Connection, catalog_seq: int | None) -> str:
    """A digest of what the postings are counted from: the full-text rows (their number, the
    highest and the sum of their row ids, FTS5's token totals), the ingest sequence, and the
    generation's ``catalog_seq``. Read it in the same transaction as the counts."""
    rows = conn.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(id), 0) FROM chunks_fts_docsize"
    ).fetchone()
    totals = conn.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    seq = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    parts = [*map(str, tuple(rows)), bytes(totals[0]).hex() if totals else "", str(seq and seq[0])]
    parts.append(str(catalog_seq))
    parts.append(FORMAT)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def mapped_postings(generation: Path, state: str, build: Callable[[], Postings]) -> Postings:
    """The postings for ``state`` mapped from ``generation``'s folder, written first if they are
    missing or damaged; ``build`` counts them. Processes take turns (a lock file), so only the
    first one counts. Where the folder cannot be written, ``build``'s postings stay in memory.
    """
    target = generation / f"{PREFIX}{state}"
    try:
        lock = os.open(generation / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        logger.warning("Lexical postings kept in this process only: %s", exc)
        return build()
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = read_postings(target)
        if found is not None:
            return found
        built = build()
        try:
            _write(target, built)
        except OSError as exc:
            logger.warning("Lexical postings kept in this process only: %s", exc)
            return built
        _prune(generation, target)
        return read_postings(target) or built
    finally:
        os.close(lock)


def read_postings(folder: Path) -> Postings | None:
    """The postings mapped read-only from ``folder``; None when it is missing or any file fails
    its checksum or its shape (logged)."""
    listing = folder / FILES_MANIFEST
    if not listing.exists():
        return None
    try:
        return _mapped(folder, json.loads(listing.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.error("Lexical postings in %s are damaged, counting them again: %s", folder, exc)
        return None


def _mapped(folder: Path, listing: dict[str, object]) -> Postings:
    checksums = listing["sha256"]
    if not isinstance(checksums, dict) or set(checksums) != {*_ARRAYS, VOCABULARY_FILE}:
        raise ValueError(f"{FILES_MANIFEST} lists {checksums}")
    for name, digest in checksums.items():
        path = folder / (name if name == VOCABULARY_FILE else f"{name}.npy")
        if file_sha256(path) != digest:
            raise ValueError(f"{path} does not match its checksum")
    arrays: dict[str, npt.NDArray[Any]] = {name: _array(folder, name) for name in _ARRAYS}
    terms = json.loads((folder / VOCABULARY_FILE).read_text())
    chunks = len(arrays["rowids"])
    _check_shapes(arrays, chunks, len(terms))
    counts = sparse.csc_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(chunks, len(terms))
    )
    return Postings(
        rowids=arrays["rowids"],
        counts=counts,
        vocabulary={str(term): position for position, term in enumerate(terms)},
        lengths=arrays["lengths"],
        average=float(str(listing["average"])),
        visible=arrays["visible"],
        documents=arrays["documents"],
    )


def _array(folder: Path, name: str) -> npt.NDArray[Any]:
    array: npt.NDArray[Any] = np.load(folder / f"{name}.npy", mmap_mode="r")
    if array.dtype.name not in _ARRAYS[name] or array.ndim != 1:
        raise ValueError(f"{name}.npy holds {array.dtype} of {array.ndim} dimensions")
    return array


def _check_shapes(arrays: dict[str, npt.NDArray[np.generic]], chunks: int, terms: int) -> None:
    per_chunk = {len(arrays[name]) for name in ("lengths", "visible", "documents")}
    entries = len(arrays["data"])
    indptr = arrays["indptr"]
    if per_chunk != {chunks} or len(indptr) != terms + 1 or len(arrays["indices"]) != entries:
        raise ValueError(f"the arrays disagree on {chunks} chunks and {terms} terms")
    if int(indptr[0]) != 0 or int(indptr[-1]) != entries:
        raise ValueError(f"indptr runs {indptr[0]}..{indptr[-1]} for {entries} entries")


def _write(target: Path, postings: Postings) -> None:
    """Write ``postings`` into ``target`` atomically (staging folder → fsync → rename)."""
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)  # damaged: no process maps it
    staging.mkdir()
    try:
        checksums = {name: _save(staging, name, array) for name, array in _arrays(postings)}
        terms = sorted(postings.vocabulary, key=postings.vocabulary.__getitem__)
        write_synced(staging / VOCABULARY_FILE, json.dumps(terms).encode())
        checksums[VOCABULARY_FILE] = file_sha256(staging / VOCABULARY_FILE)
        listing = {"sha256": checksums, "average": repr(postings.average)}
        write_synced(staging / FILES_MANIFEST, json.dumps(listing, indent=2).encode())
        fsync_path(staging)
        os.replace(staging, target)
        fsync_path(target.parent)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _arrays(postings: Postings) -> Iterator[tuple[str, npt.NDArray[np.generic]]]:
    counts = postings.counts
    yield "rowids", postings.rowids
    yield "data", counts.data
    yield "indices", counts.indices
    yield "indptr", counts.indptr
    yield "lengths", postings.lengths
    yield "visible", postings.visible
    yield "documents", postings.documents


def _save(folder: Path, name: str, array: npt.NDArray[np.generic]) -> str:
    path = folder / f"{name}.npy"
    with path.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())
    return file_sha256(path)


def _prune(generation: Path, keep: Path) -> None:
    """Remove postings of earlier catalog states (processes mapping them keep their pages) and
    staging folders a killed process left (the caller holds the lock)."""
    for folder in [*generation.glob(f"{PREFIX}*"), *generation.glob(f".{PREFIX}*.tmp")]:
        if folder != keep:
            shutil.rmtree(folder, ignore_errors=True)
