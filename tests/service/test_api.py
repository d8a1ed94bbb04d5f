"""The JSON API over real HTTP (uvicorn on loopback) against the ingested sample share."""

from __future__ import annotations

import httpx
import pytest

HIT_FIELDS = {
    "chunk_id",
    "doc_id",
    "doc_path",
    "title",
    "text",
    "score",
    "owners",
    "modified_at",
    "page",
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


def test_document_route_returns_passages_in_order(server_url: str) -> None:
    hit = httpx.get(f"{server_url}/api/search", params={"q": "vakantiedagen"}).json()["hits"][0]
    document = httpx.get(f"{server_url}/api/documents/{hit['doc_id']}").json()
    assert document["doc_id"] == hit["doc_id"]
    assert [chunk["ordinal"] for chunk in document["chunks"]] == list(
        range(len(document["chunks"]))
    )
    assert document["owners"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/search", {"q": ""}, 422),
        ("/api/search", {"q": "x" * 1001}, 422),
        ("/api/search", {"q": "verlof", "top_k": 101}, 422),
        ("/api/search", {"q": "verlof", "mode": "magic"}, 422),
        ("/api/documents/nope/missing.docx", {}, 404),
    ],
)
def test_errors_have_one_shape(
    server_url: str, path: str, params: dict[str, object], status: int
) -> None:
    response = httpx.get(f"{server_url}{path}", params=params)
    assert response.status_code == status
    assert "detail" in response.json()


def test_health_and_openapi(server_url: str) -> None:
    health = httpx.get(f"{server_url}/healthz").json()
    assert health["status"] == "ok" and health["generation"] >= 1 and health["chunks"] > 0
    schema = httpx.get(f"{server_url}/openapi.json").json()
    assert {"/api/search", "/api/documents/{doc_id}", "/healthz"} <= set(schema["paths"])


def test_page_works_without_javascript(server_url: str) -> None:
    page = httpx.get(f"{server_url}/", params={"q": "vakantiedagen"})
    assert page.status_code == 200
    assert 'class="hit"' in page.text and "Eigenaar" in page.text
