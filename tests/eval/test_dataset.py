"""Loading a tiny BEIR folder made in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import is_beir_folder, load_beir, read_corpus
from eval.errors import DatasetError


def make_beir(folder: Path, qrels: str | None = None) -> Path:
    """A three-document BEIR folder with two judged queries and one judged only with 0."""
    (folder / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": "d1", "title": "Holidays", "text": "Full-time staff get 25 days of leave."},
        {"_id": "d2", "title": "", "text": "The VPN needs the company certificate."},
        {"_id": "d/3 x", "title": "Parking", "text": "Park in the garage under the office."},
    ]
    queries = [
        {"_id": "q1", "text": "how many holidays do I get"},
        {"_id": "q2", "text": "where can I park"},
        {"_id": "q3", "text": "anything at all"},
        {"_id": "q4", "text": "a query without judgements"},
    ]
    lines = "\n".join(json.dumps(row) for row in corpus)
    (folder / "corpus.jsonl").write_text(lines + "\n", encoding="utf-8")
    lines = "\n".join(json.dumps(row) for row in queries)
    (folder / "queries.jsonl").write_text(lines + "\n", encoding="utf-8")
    default = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td/3 x\t2\nq2\td2\t0\nq3\td2\t0\n"
    (folder / "qrels" / "test.tsv").write_text(qrels or default, encoding="utf-8")
    return folder


def test_load_beir_keeps_judged_queries_with_a_relevant_document(tmp_path: Path) -> None:
    folder = make_beir(tmp_path / "tiny")
    assert is_beir_folder(folder)
    query_set = load_beir(folder, "test")
    assert query_set.name == "tiny" and query_set.split == "test"
    assert dict(query_set.queries) == {"q1": "how many holidays do I get", "q2": "where can I park"}
    assert query_set.qrels["q2"] == {"d/3 x": 2, "d2": 0}


def test_corpus_streams_documents_with_titles(tmp_path: Path) -> None:
    documents = list(read_corpus(make_beir(tmp_path / "tiny")))
    assert [d.doc_id for d in documents] == ["d1", "d2", "d/3 x"]
    assert documents[0].title == "Holidays" and documents[1].title == ""


def test_unknown_split_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="choose one of test"):
        load_beir(make_beir(tmp_path / "tiny"), "dev")


def test_malformed_qrels_line_is_reported_with_its_number(tmp_path: Path) -> None:
    folder = make_beir(tmp_path / "tiny", "query-id\tcorpus-id\tscore\nq1\td1\n")
    with pytest.raises(DatasetError, match=r"test.tsv:2"):
        load_beir(folder, "test")


def test_qrels_query_missing_from_queries_is_an_error(tmp_path: Path) -> None:
    folder = make_beir(tmp_path / "tiny", "query-id\tcorpus-id\tscore\nq9\td1\t1\n")
    with pytest.raises(DatasetError, match="not in queries.jsonl"):
        load_beir(folder, "test")
