"""Ingest runs into a home: incremental re-runs, deletions, renames, bad files, one writer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from index.build import ingest
from index.catalog import catalog_path, connect, get_meta, transaction
from index.encoder import SentenceTransformerEncoder
from index.errors import WriterBusyError
from index.lock import writer_lock
from index.search import Searcher
from ingest.parse import PARSER_VERSION
from ingest.pipeline import IngestConfig
from service.engine import model_info

PAST = 1_600_000_000


def _share(sample_share: Path, dest: Path) -> Path:
    for rel in ("hr/verlofregeling.docx", "it/vpn-handleiding.md", "OWNERS"):
        source = sample_share / rel
        if source.exists():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (dest / "notes.txt").write_text("De koffieautomaat op de tweede verdieping is kapot.\n")
    os.utime(dest / "notes.txt", (PAST, PAST))
    return dest


def _run(home: Path, share: Path, encoder: SentenceTransformerEncoder):  # type: ignore[no-untyped-def]
    return ingest(home, [share], IngestConfig(), encoder, model_info(encoder))


def _doc_ids(home: Path, encoder: SentenceTransformerEncoder, query: str) -> list[str]:
    searcher = Searcher.open(home, encoder, encoder.profile.name)
    return [hit.doc_id for hit in searcher.search(query, top_k=20)]


def test_rerun_change_delete_and_rename(
    tmp_path: Path, sample_share: Path, encoder: SentenceTransformerEncoder
) -> None:
    share = _share(sample_share, tmp_path / "share")
    home = tmp_path / "home"
    first = _run(home, share, encoder)
    assert first.added == first.files and first.skipped == 0

    second = _run(home, share, encoder)
    assert (second.added, second.updated, second.unchanged, second.embedded) == (
        0,
        0,
        first.files,
        0,
    )

    (share / "notes.txt").write_text(
        "De printer in de kantine is gerepareerd door de IT-afdeling.\n"
    )
    third = _run(home, share, encoder)
    assert third.updated == 1
    assert "share/notes.txt" in _doc_ids(home, encoder, "printer kantine gerepareerd")
    assert "koffieautomaat" not in " ".join(
        hit.text
        for hit in Searcher.open(home, encoder, encoder.profile.name).search(
            "koffieautomaat", top_k=20
        )
    )

    (share / "notes.txt").rename(share / "memo.txt")
    fourth = _run(home, share, encoder)
    assert (fourth.added, fourth.deleted, fourth.embedded) == (1, 1, 0)
    found = _doc_ids(home, encoder, "printer kantine gerepareerd")
    assert "share/memo.txt" in found and "share/notes.txt" not in found

    (share / "memo.txt").unlink()
    fifth = _run(home, share, encoder)
    assert fifth.deleted == 1
    assert "share/memo.txt" not in _doc_ids(home, encoder, "printer kantine gerepareerd")


def _topics(home: Path) -> list[tuple[str, str]]:
    conn = connect(catalog_path(home))
    try:
        rows = conn.execute("SELECT doc_id, topic_id FROM document_topics ORDER BY doc_id")
        return [(row[0], row[1]) for row in rows]
    finally:
        conn.close()


def test_an_unchanged_rescan_keeps_the_generation_and_skips_governance(
    tmp_path: Path,
    sample_share: Path,
    encoder: SentenceTransformerEncoder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    share = _share(sample_share, tmp_path / "share")
    home = tmp_path / "home"
    first = _run(home, share, encoder)
    topics = _topics(home)
    caplog.set_level("INFO", logger="index")
    caplog.clear()
    again = _run(home, share, encoder)
    assert again.generation == first.generation
    assert "did not change since the last refresh" in caplog.text
    assert "groups of copies" not in caplog.text
    assert _topics(home) == topics

    os.utime(share / "notes.txt", (PAST + 60, PAST + 60))  # a new mtime alone changes nothing
    assert _run(home, share, encoder).generation == first.generation

    (share / "notes.txt").unlink()  # a deletion alone: the same sequence, one document fewer
    caplog.clear()
    deleted = _run(home, share, encoder)
    assert deleted.generation > first.generation
    assert "groups of copies" in caplog.text
    assert all(doc_id != "share/notes.txt" for doc_id, _ in _topics(home))


def test_a_run_stopped_before_its_refresh_is_refreshed_and_published_next_time(
    tmp_path: Path,
    sample_share: Path,
    encoder: SentenceTransformerEncoder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    share = _share(sample_share, tmp_path / "share")
    home = tmp_path / "home"
    first = _run(home, share, encoder)
    conn = connect(catalog_path(home))
    with transaction(conn):  # as a run killed after its documents and before either step
        conn.execute("DELETE FROM meta WHERE key IN ('governance_stamp', 'published_stamp')")
    conn.close()
    caplog.set_level("INFO", logger="index")
    caplog.clear()
    again = _run(home, share, encoder)
    assert again.generation > first.generation
    assert "groups of copies" in caplog.text
    assert _run(home, share, encoder).generation == again.generation


def test_touched_file_is_hashed_not_parsed(
    tmp_path: Path, sample_share: Path, encoder: SentenceTransformerEncoder
) -> None:
    share = _share(sample_share, tmp_path / "share")
    home = tmp_path / "home"
    _run(home, share, encoder)
    os.utime(share / "notes.txt", (PAST + 60, PAST + 60))
    again = _run(home, share, encoder)
    assert (again.touched, again.updated, again.added) == (1, 0, 0)


def test_a_parser_upgrade_parses_every_file_again_and_reuses_unchanged_embeddings(
    tmp_path: Path, sample_share: Path, encoder: SentenceTransformerEncoder
) -> None:
    share = _share(sample_share, tmp_path / "share")
    home = tmp_path / "home"
    first = _run(home, share, encoder)
    conn = connect(catalog_path(home))
    with transaction(conn):
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'parser:share'")
        conn.execute("UPDATE documents SET title = 'stale' WHERE rel_path = 'notes.txt'")
    again = _run(home, share, encoder)
    assert (again.updated, again.unchanged, again.embedded) == (first.files, 0, 0)
    title = conn.execute("SELECT title FROM documents WHERE rel_path = 'notes.txt'").fetchone()
    assert title[0] == "notes.txt"
    assert get_meta(conn, "parser:share") == str(PARSER_VERSION)
    assert _run(home, share, encoder).unchanged == first.files


def test_corrupt_file_is_reported_and_the_rest_indexed(
    tmp_path: Path, sample_share: Path, encoder: SentenceTransformerEncoder
) -> None:
    share = _share(sample_share, tmp_path / "share")
    (share / "kapot.docx").write_bytes(b"PK\x03\x04 this is not a real office file")
    home = tmp_path / "home"
    summary = _run(home, share, encoder)
    assert summary.skipped == 1 and summary.added == summary.files - 1
    conn = connect(catalog_path(home), readonly=True)
    (row,) = conn.execute("SELECT doc_id, reason FROM errors").fetchall()
    assert row["doc_id"] == "share/kapot.docx" and "docx" in row["reason"]
    assert "share/notes.txt" in _doc_ids(home, encoder, "koffieautomaat kapot")
    again = _run(home, share, encoder)
    assert again.skipped == 0 and again.unchanged == again.files


def test_a_second_writer_fails_fast(tmp_path: Path) -> None:
    with writer_lock(tmp_path), pytest.raises(WriterBusyError, match="being written by pid"):
        with writer_lock(tmp_path):
            pass
