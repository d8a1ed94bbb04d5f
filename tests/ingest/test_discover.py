"""Crawling: which files are considered, stable order, no symlinks, several roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.discover import CrawlConfig, is_skipped, make_roots, scan_root
from ingest.errors import RootNotFoundError


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "name",
    ["~$verlof.docx", ".~lock.budget.xlsx#", "Thumbs.db", ".hidden.md", "notes.tmp", "draft.docx~"],
)
def test_lock_temp_hidden_and_system_files_are_skipped(name: str) -> None:
    assert is_skipped(name)


@pytest.mark.parametrize("name", ["verlofregeling.docx", "budget 2026.xlsx", "README.md"])
def test_ordinary_files_are_kept(name: str) -> None:
    assert not is_skipped(name)


def test_scan_finds_files_and_owners_files_but_not_symlinks(tmp_path: Path) -> None:
    root_dir = tmp_path / "share"
    _touch(root_dir / "hr" / "b.txt")
    _touch(root_dir / "hr" / "a.txt")
    _touch(root_dir / ".git" / "config")
    _touch(root_dir / "OWNERS", "* Team HR\n")
    _touch(root_dir / "hr" / "OWNERS", "* Anna\n")
    secret = _touch(tmp_path / "outside" / "secret.txt", "geheim")
    (root_dir / "link.txt").symlink_to(secret)
    (root_dir / "linkdir").symlink_to(secret.parent, target_is_directory=True)
    (root,) = make_roots([root_dir])
    scan = scan_root(root, CrawlConfig())
    assert [f.rel_path for f in scan.files] == ["hr/a.txt", "hr/b.txt"]
    assert set(scan.owners_files) == {"", "hr"}
    assert scan.files[0].doc_id == "share/hr/a.txt"


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    for rel in ("hr/a.docx", "hr/archief/old.docx", "it/b.md"):
        _touch(tmp_path / "s" / rel)
    (root,) = make_roots([tmp_path / "s"])
    config = CrawlConfig(include=("hr/*",), exclude=("*/archief/*",))
    assert [f.rel_path for f in scan_root(root, config).files] == ["hr/a.docx"]


def test_roots_get_unique_labels_and_missing_roots_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a" / "docs").mkdir(parents=True)
    (tmp_path / "b" / "docs").mkdir(parents=True)
    roots = make_roots([tmp_path / "a" / "docs", tmp_path / "b" / "docs"])
    assert [root.label for root in roots] == ["docs", "docs-2"]
    with pytest.raises(RootNotFoundError, match="not a folder"):
        make_roots([tmp_path / "nope"])
