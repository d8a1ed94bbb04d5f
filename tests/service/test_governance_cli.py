"""The governance commands: review, outdated, audit (md, csv, html), experts, gaps."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index.build import RunSummary
from service.cli import app
from service.settings import Settings
from tests.conftest import MODEL_CACHE
from tests.governance_support import copy_home


@pytest.fixture(scope="module")
def home(
    sample_ingest: RunSummary, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return copy_home(sample_settings.home, tmp_path_factory.mktemp("governance-cli") / "home")


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    env = {"WEGWIJS_MODEL_CACHE_DIR": str(MODEL_CACHE)}
    result = CliRunner().invoke(app, ["--home", str(home), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_review_then_outdated_by_path(home: Path) -> None:
    code, out, _ = _run(home, "review", "facilitair/ontruimingsplan.pdf", "--by", "Henk Mulder")
    assert code == 0 and out.startswith("Reviewed sample-share/facilitair/ontruimingsplan.pdf by")
    code, out, _ = _run(home, "outdated", "facilitair/parkeren.txt", "-b", "Henk", "-r", "oud")
    assert code == 0 and "outdated by Henk" in out
    code, out, _ = _run(home, "audit", "--owner", "Henk Mulder", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    queued = {row["doc_id"]: row for row in rows if row["section"] == "queue"}
    assert "sample-share/facilitair/ontruimingsplan.pdf" not in queued
    assert queued["sample-share/facilitair/parkeren.txt"]["review_state"] == "outdated"


def test_errors_are_one_line_with_exit_1(home: Path) -> None:
    code, _, err = _run(home, "review", "no/such/file.docx", "--by", "Anna")
    assert code == 1 and err.startswith("Error: No document 'no/such/file.docx'")
    code, _, err = _run(home, "audit", "--format", "pdf")
    assert code == 2 and "choose one of md, csv, html" in err


def test_audit_formats(home: Path) -> None:
    code, markdown, summary = _run(home, "audit")
    assert code == 0 and "## Orphans" in markdown and "kick-off_notities_wijkloket.txt" in markdown
    assert "Communicatie**: only Sanne Bakker" in markdown and "orphans" in summary
    code, html, _ = _run(home, "audit", "-f", "html")
    assert code == 0 and html.startswith("<!doctype html>") and "Superseded copies" in html


def test_experts_and_gaps(home: Path) -> None:
    code, out, _ = _run(home, "experts", "wie beheert het wachtwoordbeleid", "--json", "-k", "2")
    experts = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and experts[0]["name"] == "Priya Raman" and experts[0]["evidence"]
    _run(home, "search", "What is the pension age at our organisation?")
    code, out, _ = _run(home, "gaps")
    assert code == 0 and "What is the pension age at our organisation?" in out
