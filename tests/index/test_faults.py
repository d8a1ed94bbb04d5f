"""I/O faults at every write site of a publish, a really full disk, and damaged index files.

Each fault must give a clear ``StorageError``, leave the previous generation live and loadable,
leave no staging files, and let the next publish succeed. Damaged files are detected and fall
back or are rebuilt; they never crash the loader. (Bit flips in the vectors file and a truncated
live generation are in ``test_rebuild.py``.)
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index import vectors
from index.build import RunSummary, ingest
from index.catalog import catalog_path
from index.encoder import SentenceTransformerEncoder
from index.errors import IndexCorruptError, StorageError
from index.rebuild import reindex
from ingest.chunk import ChunkingConfig
from ingest.pipeline import IngestConfig
from ingest.workers import WorkerConfig
from service.engine import model_info
from service.settings import Settings

FSYNCS_PER_PUBLISH = 6  # vectors, manifest, staging dir, index dir, pointer, index dir
RENAMES_PER_PUBLISH = 2  # staging -> gen-N, pointer -> CURRENT


@pytest.fixture
def home_copy(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    """A copy of the sample home, once no postings are being written in this process.

    The faults below are injected into ``os`` for the whole process: a sample ingest made just
    before starts its searcher's postings build (``run_ingest`` rechecks gaps), whose fsync
    would take the fault meant for the publish (the first fsync case failed when run alone).
    """
    for thread in threading.enumerate():
        if thread.name == "lexical-postings":
            thread.join(timeout=300)
    home = tmp_path / "home"
    shutil.copytree(sample_settings.home, home, ignore=shutil.ignore_patterns("models"))
    return home


def _republish(home: Path, encoder: SentenceTransformerEncoder) -> int:
    return reindex(home, encoder, model_info(encoder), ChunkingConfig()).generation


def _fail_nth(real: Callable[..., object], nth: int, code: int) -> Callable[..., object]:
    calls = {"count": 0}

    def failing(*args: object, **kwargs: object) -> object:
        calls["count"] += 1
        if calls["count"] == nth:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    return failing


def _assert_nothing_half_written(home: Path, live: int, vector_count: int) -> None:
    assert vectors.current_generation(home) == live
    manifest, index = vectors.load_newest_valid(home)
    assert (manifest.generation, index.ntotal) == (live, vector_count)
    assert not list(vectors.index_dir(home).glob(".*.tmp")), "staging files left behind"


@pytest.mark.parametrize(
    ("call", "nth"),
    [("fsync", n) for n in range(1, FSYNCS_PER_PUBLISH)]
    + [("replace", n) for n in range(1, RENAMES_PER_PUBLISH + 1)],
)
def test_an_io_error_at_each_write_site_keeps_the_previous_generation_live(
    home_copy: Path,
    encoder: SentenceTransformerEncoder,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    nth: int,
) -> None:
    before, index = vectors.load(home_copy)
    with monkeypatch.context() as patch:
        patch.setattr(os, call, _fail_nth(getattr(os, call), nth, errno.EIO))
        with pytest.raises(StorageError, match=f"Generation {before.generation} is still"):
            _republish(home_copy, encoder)
    _assert_nothing_half_written(home_copy, before.generation, index.ntotal)
    assert _republish(home_copy, encoder) > before.generation
    assert vectors.load(home_copy)[1].ntotal == index.ntotal


def test_a_failed_flush_after_current_moved_reports_the_new_generation_as_live(
    home_copy: Path, encoder: SentenceTransformerEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = vectors.read_manifest(home_copy)
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", _fail_nth(os.fsync, FSYNCS_PER_PUBLISH, errno.EIO))
        with pytest.raises(StorageError, match=f"Generation {before.generation + 1} is still"):
            _republish(home_copy, encoder)
    assert vectors.load(home_copy)[0].generation == before.generation + 1


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB tmpfs (a real disk that fills up); skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave_bytes: int) -> Path:
    """Fill the disk (unbuffered, smaller and smaller blocks), then free ``leave_bytes`` again."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 16, 1 << 12):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    os.truncate(filler, max(0, filler.stat().st_size - leave_bytes))
    return filler


def test_a_full_disk_fails_ingest_and_publish_cleanly(
    full_disk: Path,
    tmp_path: Path,
    sample_ingest: RunSummary,
    sample_settings: Settings,
    encoder: SentenceTransformerEncoder,
) -> None:
    home = full_disk / "home"
    shutil.copytree(sample_settings.home, home, ignore=shutil.ignore_patterns("models"))
    before, index = vectors.load(home)
    share = tmp_path / "share"
    share.mkdir()
    for number in range(20):
        (share / f"memo-{number}.txt").write_text(f"Memo {number} over de parkeergarage. " * 200)
    filler = _fill(full_disk, leave_bytes=8192)
    config = IngestConfig(workers=WorkerConfig(workers=1, timeout_s=120))
    with pytest.raises(StorageError, match="still served"):
        ingest(home, [share], config, encoder, model_info(encoder))
    _assert_nothing_half_written(home, before.generation, index.ntotal)
    with pytest.raises(StorageError, match="No space left"):
        _republish(home, encoder)
    _assert_nothing_half_written(home, before.generation, index.ntotal)
    conn = sqlite3.connect(catalog_path(home))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    filler.unlink()
    ingest(home, [share], config, encoder, model_info(encoder))
    conn = sqlite3.connect(catalog_path(home))
    memos = conn.execute("SELECT count(*) FROM documents WHERE rel_path LIKE 'memo-%'").fetchone()
    conn.close()
    assert memos[0] == 20
    assert vectors.load(home)[0].generation > before.generation


def _damage(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    if rng.random() < 0.5:
        del data[rng.randrange(len(data)) :]
    else:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", range(12))
def test_damaged_manifest_vectors_or_pointer_fall_back_or_ask_for_a_rebuild(
    home_copy: Path, encoder: SentenceTransformerEncoder, seed: int
) -> None:
    first = _republish(home_copy, encoder)
    second = _republish(home_copy, encoder)
    rng = random.Random(seed)
    live_dir = vectors.index_dir(home_copy) / f"gen-{second:06d}"
    targets = [
        live_dir / vectors.VECTORS_FILE,
        live_dir / vectors.MANIFEST_FILE,
        vectors.index_dir(home_copy) / vectors.CURRENT_FILE,
    ]
    damaged = targets[seed % len(targets)]
    _damage(damaged, rng)
    try:
        manifest, index = vectors.load_newest_valid(home_copy)
    except IndexCorruptError as exc:
        assert "reindex" in str(exc)
    else:
        assert manifest.generation in {first, second}
        assert index.ntotal == manifest.vector_count
    rebuilt = _republish(home_copy, encoder)
    assert rebuilt > second
    assert vectors.load(home_copy)[0].generation == rebuilt
