"""Originals are found by doc_id in the catalog and never served from outside their root."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from index.build import ingest
from index.catalog import catalog_path, connect
from index.encoder import SentenceTransformerEncoder
from index.feedback import Feedback, is_known_chunk, list_feedback, record_feedback
from index.originals import (
    DocumentNotFoundError,
    OriginalMissingError,
    crawl_root,
    original_path,
)
from ingest.pipeline import IngestConfig
from service.engine import model_info


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, encoder: SentenceTransformerEncoder) -> Path:
    """One small ingest; each test touches only its own files."""
    base = tmp_path_factory.mktemp("originals")
    share = base / "share"
    (share / "map" / "sub").mkdir(parents=True)
    (share / "top.txt").write_text("De koffieautomaat op de tweede verdieping is kapot.\n")
    (share / "gone.txt").write_text("Deze notitie wordt straks verwijderd.\n")
    (share / "map" / "link.txt").write_text("Dit bestand wordt een verwijzing.\n")
    (share / "map" / "sub" / "deep.txt").write_text("Het archief staat in de kelder.\n")
    (base / "secret.txt").write_text("not part of any share\n")
    home = base / "home"
    ingest(home, [share], IngestConfig(), encoder, model_info(encoder), progress=False)
    return home


def test_original_is_the_catalogued_file_at_any_depth(home: Path) -> None:
    conn = connect(catalog_path(home), readonly=True)
    share = home.parent / "share"
    assert original_path(conn, "share/top.txt") == (share / "top.txt").resolve()
    assert original_path(conn, "share/map/sub/deep.txt") == (share / "map/sub/deep.txt").resolve()


def test_unknown_document_and_vanished_file_are_told_apart(home: Path) -> None:
    conn = connect(catalog_path(home), readonly=True)
    with pytest.raises(DocumentNotFoundError, match="No document 'share/nope.txt'"):
        original_path(conn, "share/nope.txt")
    (home.parent / "share" / "gone.txt").unlink()
    with pytest.raises(OriginalMissingError, match="wegwijs ingest"):
        original_path(conn, "share/gone.txt")


def test_a_link_that_now_leads_outside_the_root_is_refused(home: Path) -> None:
    conn = connect(catalog_path(home), readonly=True)
    link = home.parent / "share" / "map" / "link.txt"
    link.unlink()
    link.symlink_to(home.parent / "secret.txt")
    with pytest.raises(OriginalMissingError, match="outside its root"):
        original_path(conn, "share/map/link.txt")


def test_crawl_root_strips_the_relative_folders() -> None:
    assert crawl_root(Path("/m/share/hr/c"), PurePosixPath("hr/c/x.docx")) == Path("/m/share")
    assert crawl_root(Path("/m/share"), PurePosixPath("x.docx")) == Path("/m/share")


def test_feedback_gets_its_own_table_next_to_the_catalog(home: Path) -> None:
    conn = connect(catalog_path(home), readonly=True)
    assert list_feedback(conn) == []
    first = record_feedback(home, Feedback("koffie", True, "share/top.txt#0", None, 1))
    second = record_feedback(home, Feedback("archief", False, comment="verouderd"))
    assert second == first + 1
    assert list_feedback(conn) == [
        Feedback("koffie", True, "share/top.txt#0", None, 1),
        Feedback("archief", False, None, "verouderd", None),
    ]
    assert is_known_chunk(conn, "share/top.txt#0")
    assert not is_known_chunk(conn, "share/top.txt#9")
    assert not is_known_chunk(conn, "share/top.txt")
