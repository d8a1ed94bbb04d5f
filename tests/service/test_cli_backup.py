"""``wegwijs backup`` and ``wegwijs restore``: a snapshot taken while the server answers searches
restores to a home that gives the same results; damaged backups and occupied homes are refused."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from index.backup import BACKUP_FILE, backup_home, restore_home
from index.build import RunSummary
from index.encoder import SentenceTransformerEncoder
from index.errors import BackupError, WriterBusyError
from index.lock import writer_lock
from index.search import Searcher
from service.cli import app
from service.settings import Settings
from tests.conftest import MODEL_CACHE

QUERIES = ("vakantiedagen", "thuiswerken", "VPN verbinding", "declaratie reiskosten")


def _cli(home: Path, *args: str) -> tuple[int, str]:
    env = {"WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE)}
    result = CliRunner().invoke(app, ["--home", str(home), *args], env=env)
    return result.exit_code, result.output


def _results(home: Path, encoder: SentenceTransformerEncoder) -> list[list[tuple[str, float]]]:
    searcher = Searcher.open(home, encoder, encoder.profile.name)
    return [
        [(hit.chunk_id, round(hit.score, 5)) for hit in searcher.search(query, top_k=10)]
        for query in QUERIES
    ]


@pytest.fixture
def home_copy(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    home = tmp_path / "home"
    shutil.copytree(sample_settings.home, home, ignore=shutil.ignore_patterns("models"))
    return home


def test_backup_while_serving_then_destroy_and_restore_gives_the_same_results(
    tmp_path: Path,
    server_url: str,
    sample_settings: Settings,
    encoder: SentenceTransformerEncoder,
) -> None:
    home, dest = sample_settings.home, tmp_path / "backup"
    before = _results(home, encoder)
    statuses: list[int] = []

    def search_meanwhile() -> None:
        for query in QUERIES:
            response = httpx.get(f"{server_url}/api/search", params={"q": query}, timeout=120)
            statuses.append(response.status_code)

    searching = threading.Thread(target=search_meanwhile)
    searching.start()
    code, output = _cli(home, "backup", str(dest))
    searching.join()
    assert code == 0, output
    assert "Backed up generation" in output
    assert statuses and set(statuses) <= {200, 401}
    restored = tmp_path / "restored"
    code, output = _cli(restored, "restore", str(dest))
    assert code == 0, output
    assert _results(restored, encoder) == before


def test_restore_after_the_home_was_destroyed(
    home_copy: Path, tmp_path: Path, encoder: SentenceTransformerEncoder
) -> None:
    other = sqlite3.connect(home_copy / "tokens.sqlite")
    with other:
        other.execute("CREATE TABLE IF NOT EXISTS kept (value TEXT)")
        other.execute("INSERT INTO kept VALUES ('bewaard')")
    other.close()
    before = _results(home_copy, encoder)
    info = backup_home(home_copy, tmp_path / "backup")
    assert {"catalog.sqlite", "tokens.sqlite"} <= set(info.files)
    shutil.rmtree(home_copy)
    assert restore_home(tmp_path / "backup", home_copy) == info
    assert _results(home_copy, encoder) == before
    other = sqlite3.connect(home_copy / "tokens.sqlite")
    assert other.execute("SELECT value FROM kept").fetchall() == [("bewaard",)]
    other.close()


def test_restore_refuses_a_home_with_data_unless_forced(home_copy: Path, tmp_path: Path) -> None:
    dest = tmp_path / "backup"
    assert _cli(home_copy, "backup", str(dest))[0] == 0
    code, output = _cli(home_copy, "restore", str(dest))
    assert code == 1
    assert "--force" in output
    code, output = _cli(home_copy, "restore", "--force", str(dest))
    assert code == 0, output
    assert "Restored generation" in output


def test_a_damaged_backup_is_refused_and_the_home_left_alone(
    home_copy: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "backup"
    backup_home(home_copy, dest)
    vectors_file = next((dest / "index").glob("gen-*/vectors.faiss"))
    data = bytearray(vectors_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    vectors_file.write_bytes(bytes(data))
    target = tmp_path / "target"
    with pytest.raises(BackupError, match="damaged"):
        restore_home(dest, target)
    assert not (target / "catalog.sqlite").exists()
    (dest / BACKUP_FILE).unlink()
    with pytest.raises(BackupError, match="not a Wegwijs backup"):
        restore_home(dest, target)


def test_backup_refuses_a_busy_home_and_a_folder_with_files(
    home_copy: Path, tmp_path: Path
) -> None:
    with writer_lock(home_copy), pytest.raises(WriterBusyError, match="wait"):
        backup_home(home_copy, tmp_path / "during-ingest")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine")
    code, output = _cli(home_copy, "backup", str(occupied))
    assert code == 1
    assert "not empty" in output
