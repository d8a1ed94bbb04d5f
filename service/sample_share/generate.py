"""Write the sample share to disk: documents, OWNERS files, and file and folder times."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from service.sample_share.content import (
    OwnersFile,
    SampleShareDataError,
    document_dates,
    load_documents,
    load_owners_files,
    load_teams_text,
)
from service.sample_share.render import render_document

logger = logging.getLogger(__name__)

OWNERS_FILE = "OWNERS"
TEAMS_FILE = "TEAMS"


def generate_sample_share(dest: Path, now: datetime | None = None) -> list[Path]:
    """Write the sample share of Stichting Wegwijs under ``dest`` and return its files.

    Every file's modification time is ``now`` minus the document's age in days, and every
    folder's is that of its newest entry, so the same ``now`` gives the same share.

    Args:
        dest: The share root; created if missing. Files already there are overwritten.
        now: The moment the share is generated "as of"; naive values are read as UTC.
            Defaults to the current time.

    Returns:
        The paths of all files written (documents and OWNERS files), sorted.
    """
    moment = _as_utc(now or datetime.now(UTC)).replace(microsecond=0)
    written = []
    for document in load_documents():
        target = _inside(dest, document.path)
        dates = document_dates(document, moment)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_document(document, dates))
        _set_mtime(target, dates.modified)
        written.append(target)
    written += [_write_owners(dest, owners, moment) for owners in load_owners_files()]
    written += _write_teams(dest, moment)
    _stamp_folders(dest)
    logger.info("Wrote the sample share: %d files under %s", len(written), dest)
    return sorted(written)


def _write_owners(dest: Path, owners: OwnersFile, moment: datetime) -> Path:
    target = _inside(dest, str(PurePosixPath(owners.folder) / OWNERS_FILE))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(owners.text.strip() + "\n", encoding="utf-8")
    _set_mtime(target, moment - timedelta(days=owners.age_days))
    return target


def _write_teams(dest: Path, moment: datetime) -> list[Path]:
    text = load_teams_text().strip()
    if not text:
        return []
    target = dest / TEAMS_FILE
    target.write_text(text + "\n", encoding="utf-8")
    _set_mtime(target, moment)
    return [target]


def _inside(dest: Path, rel_path: str) -> Path:
    relative = PurePosixPath(rel_path)
    if relative.is_absolute() or ".." in relative.parts:
        raise SampleShareDataError(
            f"{rel_path!r} is not a path inside the share; use a relative path without '..'"
        )
    return dest.joinpath(*relative.parts)


def _stamp_folders(dest: Path) -> None:
    """Give each folder the time of its newest entry, deepest folders first."""
    folders = sorted((p for p in dest.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
    for folder in [*folders, dest]:
        newest = max((entry.stat().st_mtime_ns for entry in folder.iterdir()), default=None)
        if newest is not None:
            os.utime(folder, ns=(newest, newest))


def _set_mtime(path: Path, moment: datetime) -> None:
    stamp = int(moment.timestamp()) * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
