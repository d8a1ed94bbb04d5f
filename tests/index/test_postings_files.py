"""Postings written beside a generation: mapped by every process, rebuilt when damaged."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from index import vectors
from index.build import RunSummary
from index.catalog import catalog_path, connect, transaction
from index.filters import Filters
from index.lexical_memory import LexicalMemory
from index.postings import Postings
from index.postings_files import (
    FILES_MANIFEST,
    PREFIX,
    catalog_state,
    mapped_postings,
    read_postings,
)
from index.search import Searcher
from service.settings import Settings

QUERIES = (["vakantiedag"], ["reiskost", "declaratie"], ["wachtwoord"], ["de", "het"], ["zzz"])


@pytest.fixture
def home(tmp_path: Path, sample_ingest: RunSummary, sample_settings: Settings) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(sample_settings.home, copy, ignore=shutil.ignore_patterns(f"{PREFIX}*"))
    return copy


@pytest.fixture
def conn(home: Path) -> Iterator[sqlite3.Connection]:
    with closing(connect(catalog_path(home), readonly=True)) as opened:
        yield opened


def _generation(home: Path) -> Path:
    return vectors.generation_dir(home, vectors.read_manifest(home))


class Counting:
    """Counts the catalog's postings like ``LexicalMemory`` does, and how often it was asked."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.calls = 0

    def __call__(self) -> Postings:
        self.calls += 1
        return Postings.build(self.conn, 1)


def _is_mapped(array: object) -> bool:
    """Whether ``array`` is a view of a file mapped into memory (``np.load(mmap_mode=...)``)."""
    while isinstance(array, np.ndarray):
        if isinstance(array, np.memmap):
            return True
        array = array.base
    return False


def _assert_same(found: Postings, expected: Postings) -> None:
    assert found.rowids.tolist() == expected.rowids.tolist()
    assert found.vocabulary == expected.vocabulary
    assert found.visible.tolist() == expected.visible.tolist()
    assert found.documents.tolist() == expected.documents.tolist()
    assert found.average == expected.average
    assert (found.counts != expected.counts).nnz == 0
    for phrases in QUERIES:
        assert found.ranked(phrases, 1000) == expected.ranked(phrases, 1000)


def test_postings_are_written_once_then_mapped_with_the_same_scores(
    home: Path, conn: sqlite3.Connection
) -> None:
    build = Counting(conn)
    state = catalog_state(conn, 1)
    written = mapped_postings(_generation(home), state, build)
    mapped = mapped_postings(_generation(home), state, build)
    assert build.calls == 1
    arrays = (mapped.rowids, mapped.counts.indices, mapped.counts.data, mapped.visible)
    for array in (*arrays, mapped.documents):
        assert _is_mapped(array)
    _assert_same(mapped, build())
    _assert_same(written, build())


@pytest.mark.parametrize(
    "damage",
    ["flip a byte", "truncate", "remove the listing", "garble the listing", "remove a file"],
)
def test_a_damaged_folder_is_counted_again_never_read(
    home: Path, conn: sqlite3.Connection, damage: str
) -> None:
    state = catalog_state(conn, 1)
    mapped_postings(_generation(home), state, Counting(conn))
    folder = _generation(home) / f"{PREFIX}{state}"
    indices = folder / "indices.npy"
    if damage == "flip a byte":
        raw = bytearray(indices.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        indices.write_bytes(bytes(raw))
    elif damage == "truncate":
        indices.write_bytes(indices.read_bytes()[: indices.stat().st_size // 3])
    elif damage == "remove the listing":
        (folder / FILES_MANIFEST).unlink()
    elif damage == "garble the listing":
        (folder / FILES_MANIFEST).write_text('{"sha256": [')
    else:
        (folder / "visible.npy").unlink()
    if damage != "remove the listing":
        assert read_postings(folder) is None
    build = Counting(conn)
    again = mapped_postings(_generation(home), state, build)
    assert build.calls == 1
    _assert_same(again, build())
    assert read_postings(folder) is not None  # written again, intact


def test_another_catalog_state_gets_its_own_postings_and_the_old_ones_go(
    home: Path, conn: sqlite3.Connection
) -> None:
    before = catalog_state(conn, 1)
    mapped_postings(_generation(home), before, Counting(conn))
    with closing(connect(catalog_path(home))) as writer, transaction(writer):
        writer.execute("INSERT INTO chunks_fts (rowid, terms) VALUES (999999, 'nieuw woord')")
    after = catalog_state(conn, 1)
    assert after != before
    assert catalog_state(conn, 2) != after
    build = Counting(conn)
    found = mapped_postings(_generation(home), after, build)
    assert build.calls == 1
    assert found.ranked(["nieuw"], 10) == build().ranked(["nieuw"], 10) != []
    assert [path.name for path in _generation(home).glob(f"{PREFIX}*")] == [f"{PREFIX}{after}"]


def test_a_folder_that_cannot_be_written_keeps_the_postings_in_memory(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    build = Counting(conn)
    found = mapped_postings(tmp_path / "gone", "state", build)
    assert build.calls == 1
    assert not _is_mapped(found.rowids)
    _assert_same(found, build())


def test_a_searcher_answers_the_same_from_mapped_and_from_private_postings(
    home: Path, searcher: Searcher
) -> None:
    manifest, index = vectors.load_newest_valid(home)
    private = LexicalMemory(catalog_path(home), manifest.catalog_seq)
    plain = Searcher(home, searcher.encoder, manifest, index, searcher.config, private)
    mapped = Searcher(home, searcher.encoder, manifest, index, searcher.config)
    assert mapped.lexical_memory.wait(60) and private.wait(60)
    assert _is_mapped(mapped.lexical_memory.postings.rowids)  # type: ignore[union-attr]
    for question in ("Hoeveel vakantiedagen krijg ik?", "reiskosten declareren", "VPN"):
        for mode in ("hybrid", "lexical"):
            expected = plain.search(question, 10, Filters(), mode)  # type: ignore[arg-type]
            assert mapped.search(question, 10, Filters(), mode) == expected  # type: ignore[arg-type]
