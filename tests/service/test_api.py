"""The JSON API and pages over real HTTP (uvicorn on loopback) against the ingested sample share."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from index.catalog import catalog_path, connect
from index.feedback import list_feedback
from service.schemas import SearchOut
from service.settings import Settings

HIT_FIELDS = {
    "chunk_id",
    "doc_id",
    "doc_path",
    "title",
    "text",
    "snippet",
    "highlights",
    "score",
    "owners",
    "modified_at",
    "page",
}
SECURITY_HEADERS = {
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
}


def test_search_returns_hits_with_owner_and_age(server_url: str) -> None:
    response = httpx.get(
        f"{server_url}/api/search",
        params={"q": "how do I connect to the network from home", "top_k": 5},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "how do I connect to the network from home"
    hits = body["hits"]
    assert 0 < len(hits) <= 5
    assert HIT_FIELDS <= set(hits[0])
    assert hits[0]["owners"] and hits[0]["age"]
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)


def test_search_answers_json_that_is_its_documented_schema(server_url: str) -> None:
    response = httpx.get(f"{server_url}/api/search", params={"q": "vakantiedagen", "top_k": 3})
    assert response.headers["content-type"] == "application/json"
    body = SearchOut.model_validate_json(response.content)
    assert body.hits and body.model_dump(mode="json") == response.json()
    schema = httpx.get(f"{server_url}/openapi.json").json()
    ok = schema["paths"]["/api/search"]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"]["$ref"].endswith("/SearchOut")


def test_highlights_point_at_query_words_in_the_snippet(server_url: str) -> None:
    hit = httpx.get(f"{server_url}/api/search", params={"q": "vakantiedagen"}).json()["hits"][0]
    marked = {hit["snippet"][start:end].lower() for start, end in hit["highlights"]}
    assert "vakantiedagen" in marked


def test_cursor_pages_continue_the_ranking(server_url: str) -> None:
    params = {"q": "beleid thuiswerken", "top_k": 3}
    first = httpx.get(f"{server_url}/api/search", params=params).json()
    second = httpx.get(
        f"{server_url}/api/search", params={**params, "cursor": first["next_cursor"]}
    ).json()
    whole = httpx.get(f"{server_url}/api/search", params={**params, "top_k": 6}).json()
    paged = [hit["chunk_id"] for hit in first["hits"] + second["hits"]]
    assert paged == [hit["chunk_id"] for hit in whole["hits"]]
    assert len(set(paged)) == 6


def test_last_page_has_no_next_cursor(server_url: str) -> None:
    body = httpx.get(
        f"{server_url}/api/search", params={"q": "DigiD", "mode": "lexical", "top_k": 100}
    ).json()
    assert body["hits"] and body["next_cursor"] is None


def test_facets_count_documents_among_the_candidates(server_url: str) -> None:
    facets = httpx.get(f"{server_url}/api/search", params={"q": "beleid"}).json()["facets"]
    assert set(facets) == {"root", "owner", "file_type", "language"}
    assert facets["root"][0]["value"] == "sample-share"
    counts = [value["count"] for value in facets["file_type"]]
    assert counts == sorted(counts, reverse=True) and sum(counts) <= 50
    only_pdf = httpx.get(
        f"{server_url}/api/search", params={"q": "beleid", "file_type": "pdf"}
    ).json()["facets"]
    assert [value["value"] for value in only_pdf["file_type"]] == ["pdf"]


def test_filters_restrict_hits(server_url: str) -> None:
    response = httpx.get(
        f"{server_url}/api/search", params={"q": "beleid", "folder": "hr", "top_k": 20}
    )
    paths = [hit["doc_path"] for hit in response.json()["hits"]]
    assert paths and all(path.startswith("hr/") for path in paths)
    response = httpx.get(
        f"{server_url}/api/search", params={"q": "beleid", "file_type": "pdf", "top_k": 20}
    )
    assert all(hit["file_type"] == "pdf" for hit in response.json()["hits"])


def test_superseded_documents_only_on_request(server_url: str) -> None:
    params = {"q": "reiskosten kilometer", "top_k": 20}
    default = httpx.get(f"{server_url}/api/search", params=params).json()["hits"]
    everything = httpx.get(
        f"{server_url}/api/search", params={**params, "include_outdated": True}
    ).json()["hits"]
    assert not any(hit["superseded_by"] for hit in default)
    old = [hit for hit in everything if hit["superseded_by"]]
    assert old and old[0]["superseded_by"] == "sample-share/hr/reiskostenbeleid.docx"


def test_empty_form_fields_mean_no_filter(server_url: str) -> None:
    params = {"q": "parkeren", "root": "", "modified_after": "", "owner": ""}
    response = httpx.get(f"{server_url}/api/search", params=params)
    assert response.status_code == 200 and response.json()["hits"]


def test_document_route_returns_passages_in_order(server_url: str) -> None:
    hit = httpx.get(f"{server_url}/api/search", params={"q": "vakantiedagen"}).json()["hits"][0]
    document = httpx.get(f"{server_url}/api/documents/{hit['doc_id']}").json()
    assert document["doc_id"] == hit["doc_id"]
    assert [chunk["ordinal"] for chunk in document["chunks"]] == list(
        range(len(document["chunks"]))
    )
    assert document["owners"]
    assert document["original_url"] == f"/api/documents/{hit['doc_id']}/original"


def test_original_is_downloaded_as_an_attachment(server_url: str, sample_share: Path) -> None:
    response = httpx.get(f"{server_url}/api/documents/sample-share/hr/verlofregeling.docx/original")
    assert response.status_code == 200
    assert response.content == (sample_share / "hr" / "verlofregeling.docx").read_bytes()
    assert response.headers["content-disposition"] == 'attachment; filename="verlofregeling.docx"'
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_ask_get_and_post_answer_with_citations(server_url: str) -> None:
    question = "hoeveel vakantiedagen krijg ik per jaar"
    got = httpx.get(f"{server_url}/api/ask", params={"q": question}, timeout=60).json()
    posted = httpx.post(f"{server_url}/api/ask", json={"question": question}, timeout=60).json()
    assert got == posted
    assert got["confident"] and got["ask"] == []
    assert {"n", "chunk_id", "doc_id", "title", "page", "owners", "modified_at", "text"} <= set(
        got["citations"][0]
    )
    assert "[1]" in got["answer"] and "vakantiedagen" in got["answer"]


def test_ask_post_takes_filters_and_language(server_url: str) -> None:
    body = {"question": "Who won the football match last night?", "folder": "it", "lang": "nl"}
    answer = httpx.post(f"{server_url}/api/ask", json=body, timeout=60).json()
    assert not answer["confident"] and answer["answer"].startswith("Ik weet het niet zeker")
    assert all(c["doc_path"].startswith("it/") for c in answer["citations"])


def test_feedback_is_stored_in_the_catalog(server_url: str, sample_settings: Settings) -> None:
    body = {
        "query": "vakantiedagen",
        "chunk_id": "sample-share/hr/verlofregeling.docx#1",
        "helpful": False,
        "comment": "oud getal",
    }
    response = httpx.post(f"{server_url}/api/feedback", json=body)
    assert response.status_code == 201 and response.json()["feedback_id"] >= 1
    conn = connect(catalog_path(sample_settings.home), readonly=True)
    stored = list_feedback(conn)
    conn.close()
    assert any(f.chunk_id == body["chunk_id"] and f.comment == "oud getal" for f in stored)


@pytest.mark.parametrize(
    ("method", "path", "params", "status"),
    [
        ("GET", "/api/search", {"q": ""}, 422),
        ("GET", "/api/search", {"q": "   "}, 422),
        ("GET", "/api/search", {"q": "x" * 1001}, 422),
        ("GET", "/api/search", {"q": "verlof", "top_k": 101}, 422),
        ("GET", "/api/search", {"q": "verlof", "top_k": 0}, 422),
        ("GET", "/api/search", {"q": "verlof", "mode": "magic"}, 422),
        ("GET", "/api/search", {"q": "verlof", "modified_after": "gisteren"}, 422),
        ("GET", "/api/search", {"q": "verlof", "cursor": "not-a-cursor"}, 400),
        ("GET", "/api/search", {}, 422),
        ("GET", "/api/documents/nope/missing.docx", {}, 404),
        ("GET", "/api/documents/nope/missing.docx/original", {}, 404),
        ("GET", "/api/ask", {"q": "x" * 1001}, 422),
        ("POST", "/api/ask", {"question": ""}, 422),
        ("POST", "/api/ask", {"question": "verlof", "unknown": 1}, 422),
        ("POST", "/api/feedback", {"query": "verlof"}, 422),
        ("POST", "/api/feedback", {"query": "verlof", "helpful": True, "chunk_id": "x#1"}, 404),
        ("GET", "/api/nothing-here", {}, 404),
    ],
)
def test_errors_have_one_shape(
    server_url: str, method: str, path: str, params: dict[str, object], status: int
) -> None:
    if method == "GET":
        response = httpx.get(f"{server_url}{path}", params=params)  # type: ignore[arg-type]
    else:
        response = httpx.post(f"{server_url}{path}", json=params)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"detail"} and isinstance(response.json()["detail"], str)


def test_limit_errors_name_the_limit_and_the_setting(server_url: str) -> None:
    detail = httpx.get(f"{server_url}/api/search", params={"q": "x" * 1001}).json()["detail"]
    assert "1,000" in detail and "WEGWIJS_MAX_QUERY_CHARS" in detail


@pytest.mark.parametrize(
    "path", ["/", "/?q=verlof", "/api/search?q=verlof", "/static/wegwijs.js", "/healthz", "/nope"]
)
def test_every_response_carries_security_headers(server_url: str, path: str) -> None:
    headers = httpx.get(f"{server_url}{path}").headers
    assert SECURITY_HEADERS <= set(headers)
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_health_and_openapi(server_url: str) -> None:
    health = httpx.get(f"{server_url}/healthz").json()
    assert health["status"] == "ok" and health["generation"] >= 1 and health["chunks"] > 0
    schema = httpx.get(f"{server_url}/openapi.json").json()
    assert {
        "/api/search",
        "/api/ask",
        "/api/feedback",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/original",
        "/healthz",
    } <= set(schema["paths"])
    search = schema["paths"]["/api/search"]["get"]
    assert {"200", "400", "422"} <= set(search["responses"])
    q = next(p for p in search["parameters"] if p["name"] == "q")
    assert q["schema"]["examples"] == ["hoeveel vakantiedagen krijg ik"]
    assert schema["components"]["schemas"]["AskIn"]["examples"]


def test_page_works_without_javascript(server_url: str) -> None:
    page = httpx.get(f"{server_url}/", params={"q": "vakantiedagen"})
    assert page.status_code == 200
    assert 'class="hit"' in page.text and "Eigenaar" in page.text
    assert "<mark>vakantiedagen</mark>" in page.text.lower()
    english = httpx.get(f"{server_url}/", params={"q": "vakantiedagen", "lang": "en"}).text
    assert 'lang="en"' in english and "Owner" in english
    browser_english = httpx.get(f"{server_url}/", headers={"Accept-Language": "en-GB,en"}).text
    assert 'lang="en"' in browser_english


def test_ask_and_document_pages_work_without_javascript(server_url: str) -> None:
    ask = httpx.get(f"{server_url}/ask", params={"q": "hoeveel vakantiedagen krijg ik"}, timeout=60)
    assert ask.status_code == 200 and 'class="cite"' in ask.text
    document = httpx.get(f"{server_url}/documents/sample-share/hr/verlofregeling.docx")
    assert document.status_code == 200 and 'id="chunk-0"' in document.text
    assert "/api/documents/sample-share/hr/verlofregeling.docx/original" in document.text
    missing = httpx.get(f"{server_url}/documents/sample-share/nope.docx")
    assert missing.status_code == 404
