"""Answer quality: SQuAD-style metrics on literal strings, and `wegwijs eval --answers`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.answer_metrics import (
    AnswerScore,
    contains_answer,
    exact_match,
    normalize_answer,
    score_answer,
    summarise_answers,
    token_f1,
)
from eval.answers import load_gold
from eval.errors import DatasetError
from service.cli import app
from tests.conftest import MODEL_CACHE

ENV = {"WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE)}


def test_normalisation_is_squads() -> None:
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert normalize_answer("an apple, a pear") == "apple pear"


@pytest.mark.parametrize(
    ("prediction", "gold", "f1", "em"),
    [
        ("Denver Broncos", "the Denver Broncos", 1.0, 1.0),
        ("the Broncos of Denver", "Denver Broncos", 0.8, 0.0),
        ("Carolina Panthers", "Denver Broncos", 0.0, 0.0),
        ("", "Denver Broncos", 0.0, 0.0),
    ],
)
def test_token_f1_and_exact_match(prediction: str, gold: str, f1: float, em: float) -> None:
    assert token_f1(prediction, gold) == pytest.approx(f1)
    assert exact_match(prediction, gold) == em


def test_scores_take_the_best_gold_and_count_attribution_by_document() -> None:
    assert contains_answer("They scored 308 points in total.", "308") == 1.0
    assert contains_answer("They scored 3080 points.", "308") == 0.0
    score = score_answer("q1", "308 points", True, ["d2", "d9"], (["308", "x"], ["d9"]))
    assert (score.f1, score.em, score.contains, score.attributed) == (pytest.approx(2 / 3), 0, 1, 1)
    unsure = score_answer("q2", "308 points", False, ["d1"], (["308"], ["d9"]))
    assert (unsure.f1, unsure.attributed) == (0.0, 0.0)
    summary = summarise_answers([score, unsure, AnswerScore("q3", True, 1.0, 1.0, 1.0, None)])
    assert summary["confident"] == 2 and summary["attributed"] == 0.5
    assert summary["f1_confident"] == pytest.approx((2 / 3 + 1) / 2, abs=1e-4)


def test_gold_answers_are_read_and_bad_lines_named(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('{"_id": "q1", "answers": ["ja"], "attribution": ["D1"]}\n{"_id": "q2"}\n')
    with pytest.raises(DatasetError, match=r"answers.jsonl:2"):
        load_gold(tmp_path)
    path.write_text('{"_id": "q1", "answers": ["ja"]}\n')
    assert load_gold(tmp_path)["q1"].attribution == ()


def _write_beir(folder: Path) -> Path:
    documents = [
        ("D1", "Vakantie", "Medewerkers hebben recht op 25 vakantiedagen per jaar."),
        ("D2", "Fiets", "De fietsvergoeding bedraagt 19 cent per kilometer woon-werkverkeer."),
        ("D3", "Laptop", "Een nieuwe laptop vraag je aan bij de servicedesk van IT."),
    ]
    queries = [
        ("q1", "Hoeveel vakantiedagen krijg ik per jaar?"),
        ("q2", "Wat is de fietsvergoeding?"),
    ]
    gold = [("q1", "25 vakantiedagen per jaar", "D1"), ("q2", "19 cent per kilometer", "D2")]
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": d, "title": t, "text": x}) + "\n" for d, t, x in documents)
    )
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries)
    )
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, _, d in gold)
    )
    (folder / "answers.jsonl").write_text(
        "".join(
            json.dumps({"_id": q, "answers": [a], "attribution": [d]}) + "\n" for q, a, d in gold
        )
    )
    return folder


@pytest.mark.slow
def test_eval_answers_scores_the_products_answers(tmp_path: Path) -> None:
    source = _write_beir(tmp_path / "tiny")
    output = tmp_path / "report"
    args = ["eval", str(source), "--answers", "--cache-dir", str(tmp_path / "cache")]
    result = CliRunner().invoke(app, [*args, "-o", str(output), "--no-progress"], env=ENV)
    assert result.exit_code == 0, result.output
    report = json.loads((output / "answers.json").read_text(encoding="utf-8"))
    summary = report["summary"]
    assert summary["questions"] == 2 and summary["attributed"] == 1.0
    assert summary["contains"] == 1.0 and summary["f1"] > 0.3
    assert "attributed" in result.stdout and report["per_question"][0]["query_id"] == "q1"
