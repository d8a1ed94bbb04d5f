"""Smoke test of ``python -m eval.bench --quick``: every section runs and the report is written.

Timings are not asserted: they depend on the machine and its load.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.bench.cli import app
from eval.bench.suite import SECTIONS
from tests.conftest import MODEL_CACHE

pytestmark = [pytest.mark.slow, pytest.mark.model]


def test_quick_bench_writes_every_section(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    work = tmp_path / "work"
    arguments = ["--quick", "--output", str(report), "--work-dir", str(work)]
    result = CliRunner().invoke(app, [*arguments, "--model-cache", str(MODEL_CACHE)])
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    for number, section in enumerate(SECTIONS.values(), 1):
        assert f"## {number}. {section.title}" in text
    for heading in ("**Machine**", "**Targets of issue 8**", "## What we did not measure"):
        assert heading in text
    assert "cores (nproc)" in text
    for key in SECTIONS:
        saved = json.loads((work / "quick" / "results" / f"{key}.json").read_text())
        assert saved["tables"], key


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    arguments = ["--quick", "--only", "speed", "--work-dir", str(tmp_path)]
    result = CliRunner().invoke(app, [*arguments, "--output", str(tmp_path / "B.md")])
    assert result.exit_code == 2
    assert "Unknown section(s) speed" in result.output
    assert not (tmp_path / "B.md").exists()
