"""Retired chunks: a changed document stays findable until its new version is published.

Between an ingest's batch commit and its publish (here: a publish that fails on its first
rename, so the catalog holds the new version and the old generation stays live) readers must
find a changed document by its old text in both arms, a deleted one nowhere, and a revoked
reader nothing. Retired rows are purged once no served generation can see them.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index.build import RunSummary, ingest
from index.catalog import SCHEMA_VERSION, catalog_path, connect, migrate_catalog
from index.documents import get_document
from index.encoder import SentenceTransformerEncoder
from index.errors import StorageError
from index.models import Hit
from index.postings import Bm25Config
from index.read_marks import ReadMark, holding_mark, marks_dir, oldest_read
from index.readers import Principal
from index.rebuild import reindex
from index.search import SearchConfig, Searcher, SearchMode
from ingest.chunk import ChunkingConfig
from ingest.pipeline import IngestConfig
from service.engine import model_info

OLD, NEW = "quokka", "okapi"
MODES: tuple[SearchMode, ...] = ("lexical", "dense", "hybrid")
OWNER = Principal(pwd.getpwuid(os.getuid()).pw_name, (grp.getgrgid(os.getgid()).gr_name,))
NOTES = "share/notes.txt"
# The chunks table of schema 2, before retired chunks.
_SCHEMA_2_CHUNKS = """
CREATE TABLE chunks (
    chunk_rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    section TEXT,
    text_sha256 TEXT NOT NULL,
    embedding BLOB NOT NULL,
    UNIQUE (doc_id, ordinal)
)"""


def _notes(share: Path, word: str) -> None:
    text = f"Notitie over de verhuizing. Het codewoord van deze notitie is {word}.\n"
    (share / "notes.txt").write_text(text + "De dozen staan in de kelder.\n" * 3)
    (share / "notes.txt").chmod(0o644)


@pytest.fixture
def share(tmp_path: Path) -> Path:
    share = tmp_path / "share"
    share.mkdir()
    _notes(share, OLD)
    (share / "other.txt").write_text("De koffieautomaat op de tweede verdieping is kapot.\n")
    (share / "other.txt").chmod(0o644)
    return share


def _run(home: Path, share: Path, encoder: SentenceTransformerEncoder) -> RunSummary:
    return ingest(home, [share], IngestConfig(), encoder, model_info(encoder))


def _run_unpublished(
    home: Path, share: Path, encoder: SentenceTransformerEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest whose batches are committed but whose publish fails: the old one stays live."""

    def failing_rename(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", failing_rename)
        with pytest.raises(StorageError, match="is still the live one"):
            _run(home, share, encoder)


def _open(home: Path, encoder: SentenceTransformerEncoder, postings: bool = True) -> Searcher:
    """A searcher whose lexical arm answers from its postings (waited for) or from FTS5 (at
    FTS5's own BM25 parameters, the only ones it has)."""
    config = SearchConfig() if postings else SearchConfig(bm25=Bm25Config())
    searcher = Searcher.open(home, encoder, encoder.profile.name, config, postings)
    assert searcher.lexical_memory.wait(timeout=60)
    assert (searcher.lexical_memory.postings is not None) == postings
    return searcher


def _hits(searcher: Searcher, query: str, mode: SearchMode) -> list[Hit]:
    return [hit for hit in searcher.search(query, top_k=10, mode=mode) if hit.doc_id == NOTES]


def _count(home: Path, sql: str) -> int:
    conn = sqlite3.connect(catalog_path(home))
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("postings", [True, False], ids=["postings", "fts5"])
def test_a_changed_document_keeps_its_old_text_until_the_next_generation_is_live(
    tmp_path: Path,
    share: Path,
    encoder: SentenceTransformerEncoder,
    monkeypatch: pytest.MonkeyPatch,
    postings: bool,
) -> None:
    home = tmp_path / "home"
    first = _run(home, share, encoder).generation
    _notes(share, NEW)
    _run_unpublished(home, share, encoder, monkeypatch)
    assert _count(home, "SELECT count(*) FROM chunks WHERE retired_seq IS NOT NULL") > 0

    lagging = _open(home, encoder, postings)
    assert lagging.manifest.generation == first
    for mode in MODES:
        hits = _hits(lagging, OLD, mode)
        assert hits and OLD in hits[0].text, mode
    assert not _hits(lagging, NEW, "lexical")

    _run(home, share, encoder)  # publishes the new version
    fresh = _open(home, encoder, postings)
    assert fresh.manifest.generation > first
    assert not _hits(fresh, OLD, "lexical")
    for mode in MODES:
        hits = _hits(fresh, NEW, mode)
        assert hits and NEW in hits[0].text and OLD not in hits[0].text, mode
    assert all(OLD not in hit.text for hit in fresh.search(OLD, top_k=10, mode="dense"))
    # A worker still on the previous generation keeps its answers until it swaps.
    assert _hits(lagging, OLD, "lexical")
    assert _count(home, "SELECT count(*) FROM chunks WHERE retired_seq IS NOT NULL") > 0


def test_retired_rows_are_purged_after_the_following_publish(
    tmp_path: Path,
    share: Path,
    encoder: SentenceTransformerEncoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    _run(home, share, encoder)
    _notes(share, NEW)
    _run_unpublished(home, share, encoder, monkeypatch)
    _run(home, share, encoder)
    retired = "SELECT count(*) FROM chunks WHERE retired_seq IS NOT NULL"
    assert _count(home, retired) > 0  # the generation live before may still be served
    reindex(home, encoder, model_info(encoder), ChunkingConfig())
    assert _count(home, retired) == 0
    assert _count(home, "SELECT count(*) FROM chunks_fts") == _count(
        home, "SELECT count(*) FROM chunks"
    )
    stale = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '" + OLD + "'"
    assert _count(home, stale) == 0
    assert _hits(_open(home, encoder), NEW, "lexical")


def test_a_reader_two_generations_behind_keeps_its_old_text_while_its_mark_holds(
    tmp_path: Path, share: Path, encoder: SentenceTransformerEncoder
) -> None:
    """Ingests publishing faster than a server swaps: its read mark keeps its rows."""
    home = tmp_path / "home"
    _run(home, share, encoder)
    lagging = _open(home, encoder)
    mark = ReadMark(home)
    mark.set(lagging.manifest.catalog_seq)
    _notes(share, NEW)
    _run(home, share, encoder)
    _notes(share, "wombat")
    _run(home, share, encoder)  # the live one before it already saw NEW: OLD's rows were purged
    for mode in MODES:
        hits = _hits(lagging, OLD, mode)
        assert hits and OLD in hits[0].text, mode
    mark.close()
    reindex(home, encoder, model_info(encoder), ChunkingConfig())
    assert _count(home, "SELECT count(*) FROM chunks WHERE retired_seq IS NOT NULL") == 0


def test_a_one_shot_reader_keeps_every_row_until_it_is_done(
    tmp_path: Path, share: Path, encoder: SentenceTransformerEncoder
) -> None:
    """A CLI search holds a mark at 0 while it runs, whatever ingests publish meanwhile."""
    home = tmp_path / "home"
    _run(home, share, encoder)
    with holding_mark(home) as mark:
        assert mark is not None and oldest_read(home) == 0
        reading = _open(home, encoder)
        for word in (NEW, "wombat"):
            _notes(share, word)
            _run(home, share, encoder)
        for mode in MODES:
            hits = _hits(reading, OLD, mode)
            assert hits and OLD in hits[0].text, mode
    assert oldest_read(home) is None and not list(marks_dir(home).iterdir())
    _notes(share, "dingo")
    _run(home, share, encoder)  # nobody reads the old generations any more: purged
    assert _count(home, f"SELECT count(*) FROM chunks WHERE text LIKE '%{OLD}%'") == 0


def test_a_home_without_an_index_gets_no_mark_and_no_folder(tmp_path: Path) -> None:
    with holding_mark(tmp_path / "mistyped") as mark:
        assert mark is None
    assert not (tmp_path / "mistyped").exists()


def test_a_mark_left_by_a_killed_process_holds_nothing_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mine = ReadMark(home)
    mine.set(7)
    killed = "import os, sys; from index.read_marks import ReadMark; from pathlib import Path; "
    killed += "ReadMark(Path(sys.argv[1])).set(3); os._exit(0)"
    subprocess.run([sys.executable, "-c", killed, str(home)], check=True, cwd=Path.cwd())
    assert len(list(marks_dir(home).glob("*.mark"))) == 2
    assert oldest_read(home) == 7
    assert [path.name for path in marks_dir(home).glob("*.mark")] == [mine.path.name]
    mine.close()
    assert oldest_read(home) is None


def test_a_deleted_document_is_gone_at_once(
    tmp_path: Path,
    share: Path,
    encoder: SentenceTransformerEncoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    _run(home, share, encoder)
    _notes(share, NEW)
    _run_unpublished(home, share, encoder, monkeypatch)  # NOTES now has retired chunks
    (share / "notes.txt").unlink()
    _run_unpublished(home, share, encoder, monkeypatch)
    searcher = _open(home, encoder)
    for mode in MODES:
        assert not _hits(searcher, OLD, mode), mode
    assert get_document(searcher.conn, NOTES) is None
    assert _count(home, f"SELECT count(*) FROM chunks WHERE doc_id = '{NOTES}'") == 0
    assert _count(home, "SELECT count(*) FROM chunks_fts") == _count(
        home, "SELECT count(*) FROM chunks"
    )


def test_a_revoked_reader_loses_the_retired_chunks_at_once(
    tmp_path: Path,
    share: Path,
    encoder: SentenceTransformerEncoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    _run(home, share, encoder)
    _notes(share, NEW)
    (share / "notes.txt").chmod(0o600)
    _run_unpublished(home, share, encoder, monkeypatch)
    searcher = _open(home, encoder)
    anonymous = searcher.scoped_to(Principal.anonymous())
    for mode in MODES:
        assert not _hits(anonymous, OLD, mode), mode
    owner = searcher.scoped_to(OWNER)  # the ID selector still lets the retired chunks through
    for mode in MODES:
        hits = _hits(owner, OLD, mode)
        assert hits and OLD in hits[0].text, mode


def _downgrade_to_schema_2(path: Path) -> int:
    """Turn a catalog back into schema 2; return its chunk row id counter (raised on purpose)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(_SCHEMA_2_CHUNKS.replace("TABLE chunks", "TABLE chunks_old"))
    conn.execute(
        "INSERT INTO chunks_old SELECT chunk_rowid, doc_id, ordinal, text, page, section, "
        "text_sha256, embedding FROM chunks"
    )
    conn.execute("DROP TABLE chunks")
    conn.execute("ALTER TABLE chunks_old RENAME TO chunks")
    conn.execute("CREATE INDEX chunks_text_sha256 ON chunks (text_sha256)")
    conn.execute("UPDATE sqlite_sequence SET seq = seq + 40 WHERE name = 'chunks'")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    counter = int(
        conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'").fetchone()[0]
    )
    conn.close()
    return counter


def test_a_schema_2_catalog_is_migrated_keeping_row_ids(
    tmp_path: Path, share: Path, encoder: SentenceTransformerEncoder
) -> None:
    home = tmp_path / "home"
    _run(home, share, encoder)
    path = catalog_path(home)
    conn = sqlite3.connect(path)
    before = conn.execute("SELECT group_concat(chunk_rowid) FROM chunks").fetchone()[0]
    conn.close()
    counter = _downgrade_to_schema_2(path)

    migrate_catalog(home)  # what the service does before it opens the catalog read-only
    conn = connect(path, readonly=True)
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(chunks)")}
        assert {"added_seq", "retired_seq"} <= columns
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version[0] == str(SCHEMA_VERSION)
        mismatched = conn.execute(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE c.added_seq != d.seq OR c.retired_seq IS NOT NULL"
        ).fetchone()[0]
        assert mismatched == 0
        assert conn.execute("SELECT group_concat(chunk_rowid) FROM chunks").fetchone()[0] == before
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'").fetchone()
        assert row[0] == counter
    finally:
        conn.close()
    assert _hits(_open(home, encoder), OLD, "lexical")
    _notes(share, NEW)  # the migrated table takes a changed document's retired chunks
    _run(home, share, encoder)
    assert _hits(_open(home, encoder), NEW, "lexical")
    newest = f"SELECT min(chunk_rowid) FROM chunks WHERE retired_seq IS NULL AND doc_id = '{NOTES}'"
    assert _count(home, newest) > counter
