"""Labels files for a real share: CSV and JSONL."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.errors import DatasetError
from eval.labels import load_labels
from service.sample_share.questions import QUESTIONS_JSONL


def test_csv_with_semicolon_paths_grades_and_repeated_ids(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "query_id,question,doc_paths,grade\n"
        'a,"How many holidays?",hr/verlof.docx; ./hr/faq.html,2\n'
        "b,Where do I park?,facilitair\\parkeren.txt,\n"
        "a,How many holidays?,hr/cao.pdf,1\n"
        ",Who is on call?,it/rooster.xlsx,\n",
        encoding="utf-8",
    )
    labels = load_labels(path)
    assert labels.name == "labels" and labels.split == "labels"
    assert labels.qrels["a"] == {"hr/verlof.docx": 2, "hr/faq.html": 2, "hr/cao.pdf": 1}
    assert labels.qrels["b"] == {"facilitair/parkeren.txt": 1}
    assert labels.queries["q0005"] == "Who is on call?"
    assert len(labels.queries) == 3


def test_jsonl_accepts_lists_and_strings(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"question": "VPN?", "doc_paths": ["it/vpn.pdf", "it/faq.html"]}\n\n'
        '{"query_id": "x", "question": "Parking?", "doc_paths": "a.txt;b.txt", "grade": 3}\n',
        encoding="utf-8",
    )
    labels = load_labels(path)
    assert labels.qrels == {
        "q0001": {"it/vpn.pdf": 1, "it/faq.html": 1},
        "x": {"a.txt": 3, "b.txt": 3},
    }


def test_the_sample_share_questions_are_a_labels_file() -> None:
    labels = load_labels(QUESTIONS_JSONL)
    assert len(labels.queries) >= 40
    assert labels.qrels["q01"] == {"hr/verlofregeling.docx": 1}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", "question,paths\nq,a.txt\n", "must name 'question' and 'doc_paths'"),
        ("bad.csv", "question,doc_paths\nHow?,\n", r"bad.csv:2: needs a 'question'"),
        ("bad.jsonl", '{"question": "x", "doc_paths": ["a"], "grade": "high"}\n', "not an integer"),
        ("bad.jsonl", "not json\n", r"bad.jsonl:1: not JSON"),
        ("bad.txt", "question\n", "must end in .csv or .jsonl"),
    ],
)
def test_malformed_labels_say_where_and_what(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_labels(path)
