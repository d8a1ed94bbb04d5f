"""Auth on every route, tokens, sign-in, proxy headers, and per-caller results over HTTP.

One document of a private copy of the sample home is made readable by alice only; anonymous
callers and bob must not see it anywhere: hits, facet counts, snippets, the document, its
original, answers, experts, the audit or feedback.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.routing import Mount
from typer.testing import CliRunner

from index.build import RunSummary
from index.catalog import catalog_path, connect, transaction
from index.readers import Principal, write_readers
from ingest.models import Reader
from service.api import create_app
from service.auth import COOKIE, PUBLIC_PATHS, get_principal
from service.cli import app as cli_app
from service.settings import Settings
from service.tokens import create_token, revoke_token
from tests.conftest import make_settings
from tests.governance_support import copy_home

PRIVATE = "sample-share/hr/verlofregeling.docx"
QUERY = "hoeveel vakantiedagen krijg ik"
SECRET = "proxy-secret-for-tests"


@pytest.fixture(scope="module")
def home(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    home = copy_home(sample_settings.home, tmp_path_factory.mktemp("auth") / "home")
    conn = connect(catalog_path(home))
    try:
        assert conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (PRIVATE,)).fetchone()
        with transaction(conn):
            write_readers(conn, PRIVATE, [Reader("allow", "user", "alice")])
    finally:
        conn.close()
    return home


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    settings = make_settings(home, anonymous=True, proxy_secret=SecretStr(SECRET))
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def closed(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(home, anonymous=False))) as client:
        yield client


def _bearer(home: Path, user: str, *groups: str) -> dict[str, str]:
    token, _ = create_token(home, Principal(user, groups))
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Endpoint:
    """A route as served: path, methods and its resolved dependencies (None: not FastAPI's)."""

    path: str
    methods: frozenset[str]
    dependant: Dependant | None


def served_routes(app: FastAPI) -> list[Endpoint]:
    """Every route of the app, with routers expanded (FastAPI includes them lazily)."""
    found = []
    pending: list[Any] = list(app.routes)
    while pending:
        route = pending.pop(0)
        if hasattr(route, "effective_route_contexts"):
            pending = list(route.effective_route_contexts()) + pending
        elif isinstance(route, Mount):
            found.append(Endpoint(route.path, frozenset(), None))
        else:
            dependant = getattr(route, "dependant", None)
            methods = frozenset(getattr(route, "methods", None) or ())
            found.append(Endpoint(route.path, methods, dependant))
    return found


def _depends_on_principal(dependant: Dependant | None) -> bool:
    pending = list(dependant.dependencies) if dependant else []
    while pending:
        dependency = pending.pop()
        if dependency.call is get_principal:
            return True
        pending += dependency.dependencies
    return False


def test_every_route_requires_a_principal_except_the_allow_list() -> None:
    routes = served_routes(create_app(make_settings(Path("unused"), anonymous=False)))
    assert len(routes) >= 20
    open_paths = {r.path for r in routes if not _depends_on_principal(r.dependant)}
    assert open_paths <= PUBLIC_PATHS | {"/static"}, open_paths - PUBLIC_PATHS
    assert {"/healthz", "/signin", "/static"} <= open_paths


def _fill(path: str) -> str:
    return path.replace("{doc_id:path}", "x/y.txt").replace("{doc_id}", "x")


def test_without_credentials_every_protected_route_refuses(closed: TestClient) -> None:
    checked = 0
    app: FastAPI = closed.app  # type: ignore[assignment]
    for route in served_routes(app):
        if route.path in PUBLIC_PATHS or route.path == "/static":
            continue
        for method in sorted(route.methods):
            response = closed.request(method, _fill(route.path), follow_redirects=False)
            checked += 1
            if route.path.startswith("/api/"):
                assert response.status_code == 401, (method, route.path)
                assert response.headers["www-authenticate"] == "Bearer"
            else:
                assert response.status_code == 303, (method, route.path)
                assert response.headers["location"].startswith("/signin?next=")
    assert checked >= 15
    assert closed.get("/healthz").status_code == 200


def test_tokens_work_until_revoked(home: Path, closed: TestClient) -> None:
    token, info = create_token(home, Principal("carol", ("staff",)))
    headers = {"Authorization": f"Bearer {token}"}
    assert closed.get("/api/search", params={"q": QUERY}, headers=headers).status_code == 200
    revoke_token(home, info.token_id)
    response = closed.get("/api/search", params={"q": QUERY}, headers=headers)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    tampered = {"Authorization": f"Bearer {token[:-2]}xx"}
    assert closed.get("/api/search", params={"q": QUERY}, headers=tampered).status_code == 401


def _search(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get("/api/search", params={"q": QUERY, "top_k": 50}, headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_a_private_document_exists_only_for_its_reader(home: Path, client: TestClient) -> None:
    alice, bob = _bearer(home, "alice", "staff"), _bearer(home, "bob", "hr")
    own = client.get(f"/api/documents/{quote(PRIVATE)}", headers=alice).json()
    passage = html.escape(own["chunks"][0]["text"][:40])
    for headers, visible in (({}, False), (bob, False), (alice, True)):
        hits = _search(client, headers)["hits"]
        assert (PRIVATE in {hit["doc_id"] for hit in hits}) is visible
        document = client.get(f"/api/documents/{quote(PRIVATE)}", headers=headers)
        original = client.get(f"/api/documents/{quote(PRIVATE)}/original", headers=headers)
        page = client.get(f"/documents/{quote(PRIVATE)}", headers=headers)
        assert [document.status_code, original.status_code, page.status_code] == (
            [200, 200, 200] if visible else [404, 404, 404]
        )
        assert (passage in page.text) is visible
        assert (own["title"] in document.text) is visible


def _derived(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Everything derived from hits for one caller: cited, evidence, audit text, a page."""
    ask = {"q": QUERY, "mode": "extractive"}
    response = client.get("/api/ask", params=ask, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    experts = client.get("/api/experts", params={"q": QUERY}, headers=headers).json()
    return {
        "cited": {citation["doc_id"] for citation in answer["citations"]},
        "evidence": {e["doc_id"] for x in experts["experts"] for e in x["evidence"]},
        "audit": client.get("/api/audit", headers=headers).text,
        "page": client.get("/", params={"q": QUERY}, headers=headers).text.lower(),
        "ask_page": client.get("/ask", params={"q": QUERY}, headers=headers).text.lower(),
    }


def test_counts_answers_experts_audit_and_feedback_obey_the_reader(
    home: Path, client: TestClient
) -> None:
    alice = _bearer(home, "alice")
    hidden, shown = _derived(client, {}), _derived(client, alice)
    assert PRIVATE not in hidden["cited"] | hidden["evidence"]
    assert PRIVATE not in hidden["audit"]
    assert (
        "hr/verlofregeling" not in hidden["page"] and "hr/verlofregeling" not in hidden["ask_page"]
    )
    assert "hr/verlofregeling" in shown["page"]
    assert PRIVATE in shown["cited"] | shown["evidence"]
    for headers, status in (({}, 404), (alice, 201)):
        feedback = client.post(
            "/api/feedback",
            json={"query": QUERY, "helpful": True, "chunk_id": f"{PRIVATE}#0"},
            headers=headers,
        )
        assert feedback.status_code == status


def test_sign_in_sets_an_http_only_cookie(home: Path, closed: TestClient) -> None:
    token, _ = create_token(home, Principal("alice"))
    wrong = closed.post("/signin", data={"token": "wgw_nope_nope", "next": "/"})
    assert wrong.status_code == 401
    response = closed.post(
        "/signin", data={"token": token, "next": "//evil.example/"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    signed_in = TestClient(closed.app, cookies={COOKIE: token})
    page = signed_in.get(f"/documents/{quote(PRIVATE)}", follow_redirects=False)
    assert page.status_code == 200
    assert '<span class="who">alice</span>' in page.text and 'action="/signout"' in page.text
    out = signed_in.post("/signout", follow_redirects=False)
    assert out.status_code == 303 and f'{COOKIE}=""' in out.headers["set-cookie"]


def test_proxy_headers_need_the_shared_secret(client: TestClient) -> None:
    as_alice = {"X-Wegwijs-User": "alice", "X-Wegwijs-Groups": "staff, hr"}
    forged = client.get(f"/api/documents/{quote(PRIVATE)}", headers=as_alice)
    assert forged.status_code == 401
    vouched = {**as_alice, "X-Wegwijs-Proxy-Secret": SECRET}
    assert client.get(f"/api/documents/{quote(PRIVATE)}", headers=vouched).status_code == 200
    as_bob = {"X-Wegwijs-User": "bob", "X-Wegwijs-Proxy-Secret": SECRET}
    assert client.get(f"/api/documents/{quote(PRIVATE)}", headers=as_bob).status_code == 404


def test_token_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--home", str(tmp_path)]
    created = runner.invoke(
        cli_app, [*base, "token", "create", "--user", "dana", "--groups", "hr,staff", "--admin"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    assert token.startswith("wgw_") and token not in (
        tmp_path / "tokens.sqlite"
    ).read_bytes().decode("latin-1")
    listed = runner.invoke(cli_app, [*base, "token", "list"])
    token_id = token.split("_")[1]
    assert f"{token_id}  dana  hr,staff admin  active" in listed.stdout
    assert runner.invoke(cli_app, [*base, "token", "revoke", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(cli_app, [*base, "token", "list"]).stdout
    assert runner.invoke(cli_app, [*base, "token", "revoke", "nope"]).exit_code == 1
