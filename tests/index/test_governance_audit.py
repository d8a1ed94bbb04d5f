"""The audit of the ingested sample share: queues by harm, orphans, copies, bus factor."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.build import RunSummary
from index.catalog import catalog_path, connect
from index.governance.audit import Audit, build_audit
from index.governance.query_log import note_feedback
from index.governance.review_state import ReviewPolicy
from service.settings import Settings
from tests.governance_support import copy_home

# The heidag notes are the only source on their topic (harm doubled); the two wijkloket
# documents share one.
ORPHANS = [
    "projecten/archief/notities_heidag_2021.docx",
    "projecten/archief/kick-off_notities_wijkloket.txt",
    "projecten/archief/evaluatie_pilot_wijkloket.docx",
]


@pytest.fixture
def home(sample_ingest: RunSummary, sample_settings: Settings, tmp_path: Path) -> Path:
    return copy_home(sample_settings.home, tmp_path / "home")


def _audit(home: Path, owner: str | None = None) -> Audit:
    conn = connect(catalog_path(home), readonly=True)
    try:
        return build_audit(conn, datetime.now(UTC), ReviewPolicy(), owner)
    finally:
        conn.close()


def _path(doc_id: str) -> str:
    return doc_id.split("/", 1)[1]


def _queue(audit: Audit, owner: str) -> list[str]:
    (queue,) = [queue for queue in audit.queues if queue.owner == owner]
    return [_path(item.doc_id) for item in queue.items]


def test_orphans_are_the_unassigned_archive_most_harmful_first(home: Path) -> None:
    audit = _audit(home)
    assert [_path(item.doc_id) for item in audit.orphans] == ORPHANS
    assert [item.harm for item in audit.orphans] == sorted(
        (item.harm for item in audit.orphans), reverse=True
    )
    evaluation = audit.orphans[2]
    assert evaluation.owners == () and evaluation.suggested_owners[0] == "Bas Peters"


def test_planted_overdue_documents_are_queued_per_owner_by_harm(home: Path) -> None:
    audit = _audit(home)
    assert _queue(audit, "Team IT") == ["it/backupbeleid.odt", "it/printers_instellen.txt"]
    assert _queue(audit, "Sanne Bakker") == [
        "communicatie/social_media_richtlijnen.md",
        "communicatie/schrijfwijzer.html",
    ]
    (protocol,) = [q for q in audit.queues if q.owner == "Marieke Jansen"][0].items
    assert (_path(protocol.doc_id), protocol.review_state, protocol.interval_days) == (
        "hr/ziekteverzuimprotocol.pdf", "overdue", 180,
    )  # fmt: skip
    (team_it,) = [queue for queue in audit.queues if queue.owner == "Team IT"]
    assert team_it.people == ("Priya Raman", "Tom Hendriks", "Joost van Dijk")
    stale = [q.items[0] for q in audit.queues if q.owner == "Sanne Bakker"][0]
    assert stale.review_state == "expired" and "verouderd" in (stale.outdated_reason or "")
    queued = {item.doc_id for queue in audit.queues for item in queue.items}
    assert not queued & {copy.doc_id for copy in audit.superseded}


def test_use_makes_a_document_more_harmful(home: Path) -> None:
    for _ in range(3):
        note_feedback(home, "printer", "clicked", "sample-share/it/printers_instellen.txt")
    for _ in range(2):
        note_feedback(home, "wijkloket", "cited", "sample-share/" + ORPHANS[2])
    audit = _audit(home)
    assert _queue(audit, "Team IT") == ["it/printers_instellen.txt", "it/backupbeleid.odt"]
    assert _path(audit.orphans[0].doc_id) == ORPHANS[2] and audit.orphans[0].uses == 2


def test_planted_superseded_copies_point_at_their_newer_version(home: Path) -> None:
    found = {(_path(c.doc_id), _path(c.superseded_by)) for c in _audit(home).superseded}
    assert found == {
        ("hr/reiskostenbeleid_v2_definitief(2).docx", "hr/reiskostenbeleid.docx"),
        ("hr/oud/verlofregeling_2019.pdf", "hr/verlofregeling.docx"),
        ("it/oud/wachtwoordbeleid_2020.txt", "it/wachtwoordbeleid.docx"),
        ("financien/oud/begroting_2024.xlsx", "financien/begroting_2026.xlsx"),
    }


def test_the_single_owner_area_is_flagged_with_suggested_second_owners(home: Path) -> None:
    areas = [entry for entry in _audit(home).bus_factor if entry.kind == "area"]
    single = [entry for entry in areas if entry.single_person]
    assert [(entry.name, entry.single_person) for entry in single] == [
        ("Communicatie", "Sanne Bakker")
    ]
    assert single[0].suggested and "Sanne Bakker" not in single[0].suggested
    hr = next(entry for entry in areas if entry.name == "HR")
    assert {"Marieke Jansen", "Daan Verbeek"} <= set(hr.people)


def test_an_owner_sees_the_queues_of_their_teams_and_no_orphans(home: Path) -> None:
    audit = _audit(home, "priya raman")
    assert [queue.owner for queue in audit.queues] == ["Team IT"]
    assert audit.orphans == ()
