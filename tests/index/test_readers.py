"""Canary matrix: principals × ACL shapes on a real share (chmod, setfacl, ACCESS), real ingest.

Each file holds one canary word; a principal must find exactly the canaries it may read, in
both arms, and nothing else: no snippet, title, document or original of the others.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from index.catalog import SCHEMA_VERSION, catalog_path, connect, migrate_catalog
from index.documents import get_document
from index.models import Hit
from index.originals import DocumentNotFoundError, original_path
from index.readers import Principal, can_read
from index.search import SearchConfig, Searcher
from service.commands import run_ingest
from service.engine import make_encoder
from service.settings import Settings
from tests.acl_support import MemoEncoder
from tests.conftest import make_settings

pytestmark = pytest.mark.slow
HAS_SETFACL = shutil.which("setfacl") is not None
ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name
CANARIES = {
    "open.txt": "zeppelin",
    "team.txt": "walrus",
    "own.txt": "quokka",
    "carved.txt": "narwhal",
    "acl.txt": "axolotl",
    "acl-denied.txt": "pangolin",
    "hr/salaris.txt": "okapi",
    "hr/bob.txt": "tapir",
}
ANONYMOUS = Principal.anonymous()
OWNER = Principal(ME, (MY_GROUP,))
TEAMMATE = Principal("teammate", (MY_GROUP,))
NOBODY = Principal("nobody")
OUTSIDER = Principal("outsider", ("elsewhere",))
ALICE = Principal("alice", ("hr",))
BOB = Principal("bob", ("hr",))


def _write(share: Path, rel: str, mode: int) -> None:
    path = share / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    word = CANARIES[rel]
    path.write_text(f"Notitie {word}.\n\nDit document gaat over de {word} en verder niets.\n")
    path.chmod(mode)


def _setfacl(path: Path, spec: str) -> None:
    subprocess.run(["setfacl", "-m", spec, str(path)], check=True)


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    share = tmp_path_factory.mktemp("acl-share") / "acl-share"
    _write(share, "open.txt", 0o644)
    _write(share, "team.txt", 0o640)
    _write(share, "own.txt", 0o600)
    _write(share, "carved.txt", 0o604)
    _write(share, "acl.txt", 0o600)
    _write(share, "acl-denied.txt", 0o644)
    if HAS_SETFACL:
        _setfacl(share / "acl.txt", "u:nobody:r")
        _setfacl(share / "acl-denied.txt", "u:nobody:-")
    _write(share, "hr/salaris.txt", 0o644)
    _write(share, "hr/bob.txt", 0o644)
    (share / "hr" / "ACCESS").write_text(
        "* read: group:hr\nbob.txt read: group:hr deny: user:bob\n"
    )
    return share


@pytest.fixture(scope="module")
def settings(share: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("acl-home"), parse_workers=1)
    run_ingest(settings, [share], (), (), progress=False)
    return settings


@pytest.fixture(scope="module")
def searcher(settings: Settings) -> Searcher:
    """A searcher that does not log queries and keeps superseded look-alikes in results."""
    encoder = make_encoder(settings)
    memo = MemoEncoder(encoder)
    return Searcher.open(settings.home, memo, encoder.profile.name, SearchConfig())


def _search(searcher: Searcher, word: str, mode: str) -> list[Hit]:
    return searcher.search(word, top_k=50, mode=mode, include_outdated=True)  # type: ignore[arg-type]


EXPECTED: dict[str, set[str]] = {
    "anonymous": {"open.txt", "carved.txt", "acl-denied.txt"},
    "owner": {"open.txt", "team.txt", "own.txt", "acl.txt", "acl-denied.txt"},
    "teammate": {"open.txt", "team.txt", "acl-denied.txt"},
    "nobody": {"open.txt", "carved.txt", "acl.txt"},
    "outsider": {"open.txt", "carved.txt", "acl-denied.txt"},
    "alice": {"open.txt", "carved.txt", "acl-denied.txt", "hr/salaris.txt", "hr/bob.txt"},
    "bob": {"open.txt", "carved.txt", "acl-denied.txt", "hr/salaris.txt"},
}
PRINCIPALS = {
    "anonymous": ANONYMOUS,
    "owner": OWNER,
    "teammate": TEAMMATE,
    "nobody": NOBODY,
    "outsider": OUTSIDER,
    "alice": ALICE,
    "bob": BOB,
}


def _expected(name: str) -> set[str]:
    """Without setfacl, acl.txt stays 0600 (owner only) and acl-denied.txt plainly public."""
    expected = set(EXPECTED[name])
    if not HAS_SETFACL:
        expected.discard("acl.txt")
        expected |= {"acl.txt"} if name == "owner" else set()
        expected |= {"acl-denied.txt"} if "open.txt" in expected else set()
    return expected


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_each_principal_finds_exactly_its_canaries(
    searcher: Searcher, name: str, mode: str
) -> None:
    scoped = searcher.scoped_to(PRINCIPALS[name])
    expected = _expected(name)
    seen: set[str] = set()
    for rel, word in CANARIES.items():
        hits = _search(scoped, word, mode)
        seen |= {hit.doc_path for hit in hits}
        if rel in expected and mode == "lexical":
            assert any(hit.doc_path == rel for hit in hits), (name, rel)
    assert seen <= expected, (name, mode, seen - expected)


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_documents_and_originals_of_others_do_not_exist(searcher: Searcher, name: str) -> None:
    principal = PRINCIPALS[name]
    label = searcher.conn.execute("SELECT root_label FROM documents LIMIT 1").fetchone()[0]
    for rel in CANARIES:
        doc_id = f"{label}/{rel}"
        visible = rel in _expected(name)
        assert can_read(searcher.conn, doc_id, principal) == visible
        assert (get_document(searcher.conn, doc_id, principal) is not None) == visible
        if not visible:
            with pytest.raises(DocumentNotFoundError):
                original_path(searcher.conn, doc_id, principal)


def test_public_to_private_then_reingest_hides_at_once(
    share: Path, settings: Settings, searcher: Searcher
) -> None:
    anonymous = searcher.scoped_to(ANONYMOUS)
    assert any(h.doc_path == "open.txt" for h in _search(anonymous, "zeppelin", "lexical"))
    assert any(h.doc_path == "open.txt" for h in _search(anonymous, "zeppelin", "dense"))
    (share / "open.txt").chmod(0o600)
    try:
        run_ingest(settings, [share], (), (), progress=False)
        for mode in ("lexical", "dense", "hybrid"):
            hits = _search(anonymous, "zeppelin", mode)
            assert all(h.doc_path != "open.txt" for h in hits), mode
        owner = _search(searcher.scoped_to(OWNER), "zeppelin", "lexical")
        assert any(h.doc_path == "open.txt" for h in owner)
    finally:
        (share / "open.txt").chmod(0o644)
        run_ingest(settings, [share], (), (), progress=False)
    assert any(h.doc_path == "open.txt" for h in _search(anonymous, "zeppelin", "lexical"))


def test_an_old_catalog_is_migrated_with_readers_from_its_modes(
    settings: Settings, tmp_path: Path
) -> None:
    copy = tmp_path / "catalog.sqlite"
    source = sqlite3.connect(catalog_path(settings.home))
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.execute("DROP TABLE readers")
    target.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    target.commit()
    target.close()
    migrate_catalog(tmp_path)  # what the service does before it opens the catalog read-only
    conn = connect(copy, readonly=True)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[
            0
        ] == str(SCHEMA_VERSION)
        label = conn.execute("SELECT root_label FROM documents LIMIT 1").fetchone()[0]
        assert can_read(conn, f"{label}/open.txt", ANONYMOUS)
        assert not can_read(conn, f"{label}/own.txt", ANONYMOUS)
        assert can_read(conn, f"{label}/own.txt", OWNER)
    finally:
        conn.close()
