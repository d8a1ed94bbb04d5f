"""Back up a home to a folder and restore it: the databases, the live generation, a checksum list.

A backup holds the writer lock, so no ingest changes the catalog or publishes while it runs;
searches go on. The catalog (and every other ``*.sqlite`` of the home, such as the tokens) is
copied with SQLite's online backup API, a consistent snapshot even with readers attached; the
live generation is copied after its checksum is verified, and ``backup.json`` lists every file
with its sha256. Restore checks that list first and refuses to overwrite a home that holds data
unless forced.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from index import vectors
from index.catalog import catalog_path, get_meta
from index.durable import fsync_path, fsync_tree, replace_synced
from index.errors import BackupError
from index.lock import writer_lock
from ingest.parse import file_sha256

logger = logging.getLogger(__name__)
BACKUP_FILE = "backup.json"
CATALOG_FILE = "catalog.sqlite"
_SIDECARS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: the generation, the catalog's sequence, and each file's sha256."""

    created_at: str
    generation: int
    catalog_seq: int
    documents: int
    chunks: int
    files: dict[str, str]


def backup_home(home: Path, dest: Path) -> BackupInfo:
    """Write a consistent snapshot of ``home`` into the new or empty folder ``dest``.

    Raises:
        BackupError: ``dest`` holds files, or the home has no catalog.
        WriterBusyError: an ingest is running; back up when it is done.
        IndexCorruptError: the live generation fails its checksum (run ``wegwijs reindex``).
    """
    if not catalog_path(home).exists():
        raise BackupError(f"No catalog in {home}: nothing to back up.")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: give a new or empty folder for the backup.")
    dest.mkdir(parents=True, exist_ok=True)
    with writer_lock(home):
        manifest, _index = vectors.load(home)
        generation = vectors.generation_name(manifest.generation)
        for database in sorted(home.glob("*.sqlite")):
            _copy_database(database, dest / database.name)
        target = dest / "index" / generation
        shutil.copytree(vectors.index_dir(home) / generation, target)
        (dest / "index" / vectors.CURRENT_FILE).write_text(f"{generation}\n")
    info = _describe(dest, manifest.generation)
    replace_synced(dest / BACKUP_FILE, json.dumps(asdict(info), indent=2).encode())
    return info


def restore_home(source: Path, home: Path, force: bool = False) -> BackupInfo:
    """Restore the backup in ``source`` into ``home`` after checking every file's sha256.

    Raises:
        BackupError: ``source`` is not an intact backup, or ``home`` holds data and not ``force``.
        WriterBusyError: an ingest is running on ``home``.
    """
    info = verify_backup(source)
    if _holds_data(home) and not force:
        raise BackupError(
            f"{home} already holds a catalog or an index: restore into an empty folder, "
            "or add --force to replace it (stop the server first)."
        )
    with writer_lock(home):
        staging = home / ".restore.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging, ignore=shutil.ignore_patterns(BACKUP_FILE))
        fsync_tree(staging)
        for database in sorted(staging.glob("*.sqlite")):
            for suffix in _SIDECARS:
                (home / f"{database.name}{suffix}").unlink(missing_ok=True)
            os.replace(database, home / database.name)
        shutil.rmtree(vectors.index_dir(home), ignore_errors=True)
        os.replace(staging / "index", vectors.index_dir(home))
        shutil.rmtree(staging)
        fsync_path(home)
    return info


def verify_backup(source: Path) -> BackupInfo:
    """Read ``backup.json`` and check every listed file against its sha256.

    Raises:
        BackupError: the list is missing or a file is missing or damaged.
    """
    try:
        info = BackupInfo(**json.loads((source / BACKUP_FILE).read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(f"{source} is not a Wegwijs backup ({BACKUP_FILE}: {exc}).") from exc
    for name, digest in info.files.items():
        path = source / name
        if not path.is_file() or file_sha256(path) != digest:
            raise BackupError(f"{path} is missing or damaged: this backup cannot be restored.")
    return info


def _copy_database(source: Path, target: Path) -> None:
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        with writer:
            reader.backup(writer)
        writer.execute("PRAGMA journal_mode = DELETE")
        check = writer.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        writer.close()
        reader.close()
    if check != "ok":
        raise BackupError(f"The copy of {source} fails its integrity check ({check}).")


def _describe(dest: Path, generation: int) -> BackupInfo:
    fsync_tree(dest)
    files = {
        path.relative_to(dest).as_posix(): file_sha256(path)
        for path in sorted(dest.rglob("*"))
        if path.is_file()
    }
    conn = sqlite3.connect(f"file:{dest / CATALOG_FILE}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        seq = int(get_meta(conn, "seq") or 0)
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        chunks = conn.execute("SELECT count(*) FROM chunks WHERE retired_seq IS NULL").fetchone()[0]
    finally:
        conn.close()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return BackupInfo(created, generation, seq, int(documents), int(chunks), files)


def _holds_data(home: Path) -> bool:
    generations = vectors.index_dir(home).glob("gen-*")
    return home.is_dir() and (any(home.glob("*.sqlite")) or any(generations))
