"""The governance API and pages over a private copy of the ingested sample share."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from index.build import RunSummary
from index.readers import Principal
from service.api import create_app
from service.settings import Settings
from service.tokens import create_token
from tests.conftest import make_settings
from tests.governance_support import copy_home

ROOT = "sample-share"


@pytest.fixture(scope="module")
def client(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The demo's view: its anonymous callers are administrators (``service.rights``)."""
    home = copy_home(sample_settings.home, tmp_path_factory.mktemp("governance-api") / "home")
    with TestClient(create_app(make_settings(home, demo=True))) as client:
        yield client


@pytest.fixture(scope="module")
def signed(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """A real server's view: anonymous callers read public documents only; tokens say who."""
    home = copy_home(sample_settings.home, tmp_path_factory.mktemp("governance-signed") / "home")
    with TestClient(create_app(make_settings(home, anonymous=True))) as client:
        yield client


def _as(client: TestClient, principal: Principal) -> dict[str, str]:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    token, _ = create_token(settings.home, principal)
    return {"Authorization": f"Bearer {token}"}


def _queue(client: TestClient, owner: str) -> list[str]:
    audit = client.get("/api/audit", params={"owner": owner}).json()
    (queue,) = [queue for queue in audit["queues"] if queue["owner"] == owner]
    return [item["doc_id"] for item in queue["items"]]


def test_a_review_takes_a_document_off_its_owners_queue(client: TestClient) -> None:
    backup = f"{ROOT}/it/backupbeleid.odt"
    assert backup in _queue(client, "Team IT")
    response = client.post(
        f"/api/documents/{quote(backup)}/review", json={"by": "Priya Raman", "note": "klopt"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["doc_id"] == backup and response.json()["reviewer"] == "Priya Raman"
    assert _queue(client, "Team IT") == [f"{ROOT}/it/printers_instellen.txt"]
    assert client.get(f"/api/documents/{quote(backup)}").status_code == 200


def test_an_outdated_mark_shows_on_hits(client: TestClient) -> None:
    doc_id = f"{ROOT}/hr/thuiswerkbeleid.docx"
    response = client.post(
        f"/api/documents/{quote(doc_id)}/outdated",
        json={"by": "Daan Verbeek", "reason": "nieuw beleid per 1 januari"},
    )
    assert response.status_code == 201 and response.json()["action"] == "outdated"
    hits = client.get("/api/search", params={"q": "thuiswerkvergoeding", "top_k": 10}).json()
    states = {hit["doc_id"]: hit["review_state"] for hit in hits["hits"]}
    assert states[doc_id] == "outdated"
    assert all("superseded_by" in hit for hit in hits["hits"])


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        (f"{ROOT}/hr/nope.docx/review", {"by": "Anna"}, 404, "No document"),
        (f"{ROOT}/hr/verlofregeling.docx/review", {"by": ""}, 422, "by"),
        (f"{ROOT}/hr/verlofregeling.docx/outdated", {}, 422, "by"),
    ],
)
def test_mark_errors_have_the_detail_shape(
    client: TestClient, path: str, body: dict[str, str], status: int, detail: str
) -> None:
    response = client.post(f"/api/documents/{quote(path)}", json=body)
    assert response.status_code == status and detail in response.json()["detail"]


def test_audit_lists_orphans_copies_and_the_single_owner_area(client: TestClient) -> None:
    audit = client.get("/api/audit").json()
    assert [item["doc_id"].split("/")[-2] for item in audit["orphans"]] == ["archief"] * 3
    assert f"{ROOT}/hr/reiskostenbeleid_v2_definitief(2).docx" in {
        copy["doc_id"] for copy in audit["superseded"]
    }
    single = [e["name"] for e in audit["bus_factor"] if e["kind"] == "area" and e["single_person"]]
    assert single == ["Communicatie"]


def test_experts_name_the_owner_with_evidence(client: TestClient) -> None:
    body = client.get("/api/experts", params={"q": "welke kleur blauw heeft ons logo"}).json()
    first = body["experts"][0]
    assert first["name"] == "Sanne Bakker"
    assert first["evidence"][0]["doc_id"] == f"{ROOT}/communicatie/huisstijlgids.pdf"


def test_an_unanswered_search_shows_up_in_the_gaps(client: TestClient) -> None:
    question = "What is the pension age at our organisation?"
    client.get("/api/search", params={"q": question})
    groups = client.get("/api/gaps").json()["groups"]
    assert question in [group["question"] for group in groups]
    assert all(group["routed_to"] for group in groups)


@pytest.mark.parametrize(
    ("page", "text"),
    [("/audit", "Review queues"), ("/audit?owner=Sanne+Bakker", "Sanne Bakker"),
     ("/busfactor", "only Sanne Bakker"), ("/gaps", "Knowledge gaps")],
)  # fmt: skip
def test_pages_render_the_same_data(client: TestClient, page: str, text: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and text in response.text
    assert response.headers["content-type"].startswith("text/html")


ADMIN = Principal("beheer", admin=True)
PRIYA = Principal("Priya Raman")  # owns it/wachtwoordbeleid.docx, member of Team IT
EVE = Principal("eve", ("staff",))  # owns nothing
GAP = "What is the pension age at our organisation?"


def test_gaps_are_for_administrators_and_the_owners_they_are_routed_to(
    signed: TestClient,
) -> None:
    admin, eve = _as(signed, ADMIN), _as(signed, EVE)
    signed.get("/api/search", params={"q": GAP}, headers=eve)
    groups = signed.get("/api/gaps", headers=admin).json()["groups"]
    (routed,) = [group["routed_to"] for group in groups if group["question"] == GAP]
    owner = _as(signed, Principal("someone", (routed,)))  # a member of the routed group
    assert GAP in [
        group["question"] for group in signed.get("/api/gaps", headers=owner).json()["groups"]
    ]
    theirs = signed.get("/api/gaps", params={"closed": True}, headers=eve).json()
    assert theirs == {"groups": [], "closed": []}
    anonymous = signed.get("/api/gaps")
    assert anonymous.status_code == 403 and "administrators" in anonymous.json()["detail"]
    page = signed.get("/gaps")
    assert page.status_code == 403 and GAP not in page.text and "administrators" in page.text
    assert GAP in signed.get("/gaps", headers=admin).text


def test_the_whole_audit_is_for_administrators_and_owners_see_their_own(
    signed: TestClient,
) -> None:
    admin, priya, eve = _as(signed, ADMIN), _as(signed, PRIYA), _as(signed, EVE)
    whole = signed.get("/api/audit", headers=admin).json()
    assert whole["orphans"] and whole["bus_factor"]
    own = signed.get("/api/audit", headers=priya).json()
    owners = {queue["owner"] for queue in own["queues"]}
    assert "Team IT" in owners and owners <= {"Priya Raman", "Team IT"}  # hers and her team's
    assert own["orphans"] == [] and own["bus_factor"] == []
    team = signed.get("/api/audit", params={"owner": "team it"}, headers=priya)
    assert team.status_code == 200 and [q["owner"] for q in team.json()["queues"]] == ["Team IT"]
    for headers in (eve, priya, {}):
        other = signed.get("/api/audit", params={"owner": "Sanne Bakker"}, headers=headers)
        assert other.status_code == 403, headers
        assert "administrators" in other.json()["detail"]
    assert signed.get("/busfactor", headers=priya).status_code == 403
    assert "only Sanne Bakker" in signed.get("/busfactor", headers=admin).text
    assert signed.get("/audit", headers=priya).status_code == 200


def test_marks_carry_the_signed_in_user_and_need_an_owner_or_administrator(
    signed: TestClient,
) -> None:
    priya, admin = _as(signed, PRIYA), _as(signed, ADMIN)
    own, team, other = (
        f"{ROOT}/it/wachtwoordbeleid.docx",
        f"{ROOT}/it/printers_instellen.txt",
        f"{ROOT}/hr/thuiswerkbeleid.docx",
    )
    reviewed = signed.post(f"/api/documents/{quote(own)}/review", json={}, headers=priya)
    assert reviewed.status_code == 201 and reviewed.json()["reviewer"] == "Priya Raman"
    impostor = signed.post(
        f"/api/documents/{quote(team)}/outdated", json={"by": "Tom Hendriks"}, headers=priya
    )
    assert impostor.status_code == 403 and "signed in as 'Priya Raman'" in impostor.json()["detail"]
    by_team = signed.post(
        f"/api/documents/{quote(team)}/outdated", json={"by": "Priya Raman"}, headers=priya
    )
    assert by_team.status_code == 201
    foreign = signed.post(f"/api/documents/{quote(other)}/review", json={}, headers=priya)
    assert foreign.status_code == 403 and "Only the owners" in foreign.json()["detail"]
    by_admin = signed.post(f"/api/documents/{quote(other)}/review", json={}, headers=admin)
    assert by_admin.status_code == 201 and by_admin.json()["reviewer"] == "beheer"
    anonymous = signed.post(f"/api/documents/{quote(other)}/review", json={"by": "Priya Raman"})
    assert anonymous.status_code == 403 and "Sign in" in anonymous.json()["detail"]
