"""``wegwijs eval`` through the real CLI: reports written, thresholds enforced, errors one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from index.build import RunSummary
from index.catalog import catalog_path
from service.cli import app
from service.sample_share.questions import QUESTIONS_JSONL
from service.settings import Settings
from tests.conftest import MODEL_CACHE
from tests.governance_support import copy_home
from tests.index.test_retired import _downgrade_to_schema_2

ENV = {"WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE)}


def test_eval_writes_the_three_reports(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path: Path
) -> None:
    output = tmp_path / "report"
    args = ["--home", str(sample_settings.home), "eval", str(QUESTIONS_JSONL)]
    result = CliRunner().invoke(app, [*args, "--config", "bm25", "--output", str(output)], env=ENV)
    assert result.exit_code == 0, result.output
    assert {p.name for p in output.iterdir()} == {"report.json", "report.md", "report.html"}
    report = json.loads((output / "report.json").read_text(encoding="utf-8"))
    assert report["configs"][0]["name"] == "bm25" and report["queries"] >= 40
    assert "data:image/png;base64," in (output / "report.html").read_text(encoding="utf-8")
    assert "nDCG@10" in result.stdout

    gated = CliRunner().invoke(
        app, [*args, "-c", "bm25", "-o", str(tmp_path / "gated"), "--min-ndcg", "1.01"], env=ENV
    )
    assert gated.exit_code == 1
    assert "nDCG@10 of 'bm25'" in gated.output and "below --min-ndcg 1.01" in gated.output


def test_eval_errors_are_one_line(sample_settings: Settings, tmp_path: Path) -> None:
    args = ["--home", str(sample_settings.home), "eval", str(QUESTIONS_JSONL)]
    result = CliRunner().invoke(app, [*args, "-c", "hybrid:recency_weight=0.3"], env=ENV)
    assert result.exit_code == 1
    assert "governance issue" in result.output and "Traceback" not in result.output
    two_models = ["-c", "bm25", "-c", "dense:model=minilm-en"]
    result = CliRunner().invoke(app, [*args, *two_models], env=ENV)
    assert result.exit_code == 1 and "need 2 different indexes" in result.output


def test_eval_on_a_home_from_before_the_last_schema_change_migrates_it(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path: Path
) -> None:
    home = copy_home(sample_settings.home, tmp_path / "home")
    _downgrade_to_schema_2(catalog_path(home))
    args = ["--home", str(home), "eval", str(QUESTIONS_JSONL), "-c", "bm25"]
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "report")], env=ENV)
    assert result.exit_code == 0, result.output
