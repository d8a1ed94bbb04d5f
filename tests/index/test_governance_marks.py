"""Reviews and outdated marks survive re-ingest, rename, edit and restart."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.build import ingest
from index.catalog import catalog_path, connect, transaction
from index.encoder import SentenceTransformerEncoder
from index.governance.errors import MissingReviewerError, UnknownDocumentError
from index.governance.marks import Action, record_mark
from index.governance.review_state import ReviewPolicy
from index.governance.state import DocumentState, document_states
from index.search import Searcher
from ingest.pipeline import IngestConfig
from ingest.workers import WorkerConfig
from service.engine import model_info

FILES = ("OWNERS", "TEAMS", "hr/OWNERS", "hr/ziekteverzuimprotocol.pdf", "hr/verlofregeling.docx")
ONE_WORKER = IngestConfig(workers=WorkerConfig(workers=1))
NOTE = "# Notities HR-overleg\n\nWe bespreken elke maand de verzuimcijfers en het verlofsaldo.\n"


@pytest.fixture
def share(sample_share: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "share"
    for rel in FILES:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample_share / rel, dest / rel)
    (dest / "hr" / "notities.md").write_text(NOTE, encoding="utf-8")
    return dest


def _ingest(home: Path, share: Path, encoder: SentenceTransformerEncoder) -> None:
    ingest(home, [share], ONE_WORKER, encoder, model_info(encoder))


def _mark(home: Path, doc_id: str, action: Action, by: str = "Marieke Jansen") -> None:
    conn = connect(catalog_path(home))
    with transaction(conn):
        record_mark(conn, doc_id, action, by, "checked")
    conn.close()


def _state(home: Path, doc_id: str) -> DocumentState:
    conn = connect(catalog_path(home), readonly=True)
    states = document_states(conn, datetime.now(UTC), ReviewPolicy(), [doc_id])
    conn.close()
    return states[doc_id]


def test_a_review_survives_reingest_rename_and_restart(
    share: Path, tmp_path: Path, encoder: SentenceTransformerEncoder
) -> None:
    home = tmp_path / "home"
    _ingest(home, share, encoder)
    protocol = "share/hr/ziekteverzuimprotocol.pdf"
    assert _state(home, protocol).review_state == "overdue"  # review=6m in hr/OWNERS
    _mark(home, protocol, "reviewed")
    assert _state(home, protocol).review_state == "current"

    _ingest(home, share, encoder)
    assert _state(home, protocol).reviewers == ("Marieke Jansen",)
    (share / "hr" / "ziekteverzuimprotocol.pdf").rename(share / "hr" / "ziekteverzuim_2026.pdf")
    _ingest(home, share, encoder)
    renamed = _state(home, "share/hr/ziekteverzuim_2026.pdf")
    assert (renamed.review_state, renamed.reviewers) == ("current", ("Marieke Jansen",))

    restarted = Searcher.open(home, encoder, encoder.profile.name)
    hits = restarted.search("ziek melden bij je leidinggevende", top_k=3)
    assert hits[0].doc_id == renamed.doc_id and hits[0].review_state == "current"


def test_an_outdated_mark_survives_a_rename_and_then_an_edit(
    share: Path, tmp_path: Path, encoder: SentenceTransformerEncoder
) -> None:
    home = tmp_path / "home"
    _ingest(home, share, encoder)
    with pytest.raises(UnknownDocumentError, match="No document 'hr/nope.docx'"):
        _mark(home, "hr/nope.docx", "outdated")
    with pytest.raises(MissingReviewerError, match="pass --by NAME"):
        _mark(home, "hr/notities.md", "outdated", by=" ")
    _mark(home, str(share / "hr" / "notities.md"), "outdated")  # a path on disk
    assert _state(home, "share/hr/notities.md").review_state == "outdated"

    (share / "hr" / "notities.md").rename(share / "hr" / "notities_oud.md")
    _ingest(home, share, encoder)
    assert _state(home, "share/hr/notities_oud.md").review_state == "outdated"
    (share / "hr" / "notities_oud.md").write_text(NOTE + "\nAangevuld.\n", encoding="utf-8")
    _ingest(home, share, encoder)
    edited = _state(home, "share/hr/notities_oud.md")
    assert edited.review_state == "outdated" and "Marieke Jansen" in (edited.outdated_reason or "")

    _mark(home, "hr/notities_oud.md", "reviewed", by="Daan Verbeek")
    assert _state(home, "share/hr/notities_oud.md").review_state == "current"
