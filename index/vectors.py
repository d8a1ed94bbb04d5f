"""FAISS index generations: build from the catalog, publish atomically, load with checks.

Layout under ``<home>/index``: ``gen-000007/{vectors.faiss, manifest.json}`` and ``CURRENT``
naming the live generation. A generation is written to a temporary folder, fsynced, renamed,
and only then does ``CURRENT`` move (temp → fsync → rename → fsync dir). The two newest
generations are kept so a damaged one can fall back.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.ann import index_kind
from index.durable import fsync_path, write_synced
from index.errors import IndexCorruptError, IndexNotFoundError, StorageError
from index.models import Manifest
from ingest.parse import file_sha256

VECTORS_FILE = "vectors.faiss"
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "CURRENT"
KEEP_GENERATIONS = 2
# Above this many chunks an exact index keeps its vectors in half precision (``build_flat``).
HALF_PRECISION_FROM = 50_000
# How a generation is read: its vectors (flat and HNSW storage, IVF lists) stay in the file and
# are mapped into memory, so every server process on the machine reads the same pages of the
# page cache instead of holding a private copy (2 workers cost what 1 does; BENCHMARKS.md,
# "Session 7"). FAISS refuses both flags together for IVF lists, so each kind gets its own.
_MAPPED_READ = {"ivf_sq8": faiss.IO_FLAG_MMAP}
_MAPPED_CODES = faiss.IO_FLAG_MMAP_IFC
logger = logging.getLogger(__name__)


def index_dir(home: Path) -> Path:
    """Folder of the FAISS generations inside a home."""
    return home / "index"


def read_vectors(
    conn: sqlite3.Connection, dimension: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Ids and embeddings of the current chunks (not retired ones), in id order."""
    rows = conn.execute(
        "SELECT chunk_rowid, embedding FROM chunks WHERE retired_seq IS NULL ORDER BY chunk_rowid"
    ).fetchall()
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    return ids, _stacked([row[1] for row in rows], dimension)


def _stacked(blobs: Sequence[bytes], dimension: int) -> npt.NDArray[np.float32]:
    """Stored embeddings (float32 bytes) as one writable matrix: one copy, not one per chunk."""
    stored = bytearray().join(blobs)
    return np.frombuffer(stored, dtype=np.float32).reshape(len(blobs), dimension)


def current_ids(conn: sqlite3.Connection) -> npt.NDArray[np.int64]:
    """Ids of the current chunks, ascending (from the current-chunks index, no vectors read)."""
    rows = conn.execute("SELECT chunk_rowid FROM chunks WHERE retired_seq IS NULL").fetchall()
    return np.sort(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))


def vectors_of(
    conn: sqlite3.Connection, ids: npt.NDArray[np.int64], dimension: int
) -> npt.NDArray[np.float32]:
    """The embeddings of the chunks ``ids`` (all in the catalog), in that order."""
    rows = dict(
        conn.execute(
            "SELECT chunk_rowid, embedding FROM chunks "
            "WHERE chunk_rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(ids.tolist()),),
        ).fetchall()
    )
    return _stacked([rows[chunk_id] for chunk_id in ids.tolist()], dimension)


def build_flat(
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    dimension: int,
    half_precision_from: int = HALF_PRECISION_FROM,
) -> faiss.Index:
    """Exact inner-product index over normalised vectors, addressed by chunk row id.

    Past ``half_precision_from`` chunks the vectors are kept as 16-bit floats: every query
    still scans them all, but a flat scan is bound by memory bandwidth, and at 100,000 chunks
    half the bytes took 4.8 ms a query instead of 7.9 with the same top 10 (BENCHMARKS.md,
    session 5). A score then differs from the float32 cosine by about 1e-4.
    """
    storage: faiss.Index
    if len(ids) > half_precision_from:
        storage = faiss.IndexScalarQuantizer(
            dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
    else:
        storage = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIDMap2(storage)
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


def generation_name(generation: int) -> str:
    """Folder name of generation number ``generation`` under ``index_dir``."""
    return f"gen-{generation:06d}"


def generation_dir(home: Path, manifest: Manifest) -> Path:
    """Folder of ``manifest``'s generation."""
    return index_dir(home) / generation_name(manifest.generation)


def current_generation(home: Path) -> int:
    """Number of the live generation, 0 when none was published.

    Raises:
        IndexCorruptError: ``CURRENT`` is damaged (``load_newest_valid`` falls back, a publish
            repairs it).
    """
    pointer = index_dir(home) / CURRENT_FILE
    if not pointer.exists():
        return 0
    text = pointer.read_text(errors="replace").strip()
    number = text.removeprefix("gen-")
    if not (number.isdecimal() and int(number) > 0):
        raise IndexCorruptError(
            f"{pointer} is damaged ({text[:40]!r}): run 'wegwijs --home {home} reindex'."
        )
    return int(number)


def newest_on_disk(home: Path) -> int:
    """Highest generation folder present, published or left by a failed publish (0 if none)."""
    return max(_on_disk(home), default=0)


def _on_disk(home: Path) -> list[int]:
    """Numbers of the generation folders present, newest first."""
    names = (folder.name.removeprefix("gen-") for folder in index_dir(home).glob("gen-*"))
    return sorted((int(name) for name in names if name.isdigit()), reverse=True)


def _live_or_newest(home: Path) -> int:
    try:
        return current_generation(home)
    except IndexCorruptError:
        return newest_on_disk(home)


def publish(home: Path, index: faiss.Index, manifest: Manifest) -> Manifest:
    """Write ``index`` as the next generation and make it live; return its final manifest.

    Raises:
        StorageError: a write, fsync or rename failed (disk full, I/O error); the staging files
            are removed and ``CURRENT`` still names the generation that was live before.
    """
    root = index_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    generation = max(_live_or_newest(home), newest_on_disk(home)) + 1
    name = generation_name(generation)
    staging = root / f".{name}.tmp"
    pointer = root / f".{CURRENT_FILE}.tmp"
    try:
        final = _write_generation(staging, index, replace(manifest, generation=generation))
        os.replace(staging, root / name)
        fsync_path(root)
        write_synced(pointer, f"{name}\n".encode())
        os.replace(pointer, root / CURRENT_FILE)
        fsync_path(root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        pointer.unlink(missing_ok=True)
        live = _live_or_newest(home)
        raise StorageError(
            f"Could not publish index generation {generation} in {root}: "
            f"{exc.strerror or exc}. Generation {live} is still the live one; free disk space "
            f"or fix the disk, then run 'wegwijs --home {home} reindex'."
        ) from exc
    _prune(root, generation)
    return final


def _write_generation(staging: Path, index: faiss.Index, manifest: Manifest) -> Manifest:
    """Write vectors and manifest into a fresh ``staging`` folder and flush both to disk."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    write_synced(staging / VECTORS_FILE, faiss.serialize_index(index).tobytes())
    final = replace(manifest, vectors_sha256=file_sha256(staging / VECTORS_FILE))
    write_synced(staging / MANIFEST_FILE, json.dumps(final.to_json(), indent=2).encode())
    fsync_path(staging)
    return final


def _prune(root: Path, live: int) -> None:
    for folder in root.glob("gen-*"):
        number = int(folder.name.removeprefix("gen-"))
        if number <= live - KEEP_GENERATIONS:
            shutil.rmtree(folder, ignore_errors=True)


def read_manifest(home: Path, generation: int | None = None) -> Manifest:
    """The manifest of the live (or a given) generation.

    Raises:
        IndexNotFoundError: nothing was published in this home.
    """
    number = current_generation(home) if generation is None else generation
    path = index_dir(home) / generation_name(number) / MANIFEST_FILE
    if number == 0 or not path.exists():
        raise IndexNotFoundError(
            f"No index in {home}: run 'wegwijs --home {home} ingest FOLDER' first."
        )
    try:
        return Manifest(**json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise IndexCorruptError(f"{path} is damaged ({exc}): run 'wegwijs reindex'.") from exc


def load(
    home: Path, generation: int | None = None, *, mapped: bool = True
) -> tuple[Manifest, faiss.Index]:
    """Load a generation after checking its checksum and vector count; read-only: its
    vectors are mapped from the file (see ``_MAPPED_READ``), not copied into memory, unless
    ``mapped`` is False (an index to change, ``index.grow``).

    Raises:
        IndexNotFoundError: nothing was published.
        IndexCorruptError: the file is damaged; rebuild with ``wegwijs reindex``.
    """
    manifest = read_manifest(home, generation)
    path = generation_dir(home, manifest) / VECTORS_FILE
    if not path.exists() or file_sha256(path) != manifest.vectors_sha256:
        raise IndexCorruptError(
            f"{path} does not match its manifest checksum: run 'wegwijs reindex'."
        )
    flags = _MAPPED_READ.get(manifest.index_kind, _MAPPED_CODES) if mapped else 0
    index = faiss.read_index(str(path), flags)
    if index.ntotal != manifest.vector_count:
        raise IndexCorruptError(
            f"{path} holds {index.ntotal} vectors, its manifest says {manifest.vector_count}."
        )
    if index_kind(index) != manifest.index_kind:
        raise IndexCorruptError(
            f"{path} is a {index_kind(index)} index, its manifest says {manifest.index_kind}: "
            "run 'wegwijs reindex'."
        )
    return manifest, index


def load_newest_valid(home: Path) -> tuple[Manifest, faiss.Index]:
    """Load the live generation, or the newest older one that passes its checks.

    Raises:
        IndexNotFoundError: nothing was published.
        IndexCorruptError: no kept generation is intact; rebuild with ``wegwijs reindex``.
    """
    live = _live_or_newest(home)
    if live == 0:
        read_manifest(home)
    # The live one and its predecessor; then, if CURRENT names nothing usable, what is on disk.
    kept = range(live, max(0, live - KEEP_GENERATIONS), -1)
    failure: Exception | None = None
    for generation in dict.fromkeys([*kept, *_on_disk(home)]):
        try:
            return load(home, generation)
        except (IndexCorruptError, IndexNotFoundError, OSError, RuntimeError, ValueError) as exc:
            logger.error("Generation %d of %s is unusable: %s", generation, home, exc)
            failure = exc
    raise IndexCorruptError(
        f"No intact index generation in {home} ({failure}): run 'wegwijs --home {home} reindex'."
    )


def serving_problems(home: Path, manifest: Manifest, catalog_chunks: int) -> list[str]:
    """Why serving ``manifest``'s generation is degraded (empty when all is well)."""
    problems: list[str] = []
    try:
        live = current_generation(home)
    except IndexCorruptError as exc:
        problems.append(str(exc))
        live = manifest.generation
    if live != manifest.generation:
        problems.append(
            f"serving generation {manifest.generation}, but CURRENT names {live}: it failed its "
            "checks (see the log) or is being loaded; 'wegwijs reindex' publishes a fresh one"
        )
    if catalog_chunks != manifest.vector_count:
        problems.append(
            f"the catalog holds {catalog_chunks:,} chunks, the served index "
            f"{manifest.vector_count:,}: an ingest is running or stopped early; the next ingest "
            "or 'wegwijs reindex' publishes them"
        )
    return problems
