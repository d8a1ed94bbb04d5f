"""The wegwijs CLI contract: --home, --json fields, errors as one line with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from index.build import RunSummary
from service.cli import app
from service.settings import Settings

JSON_FIELDS = {
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


def test_search_json_lines_have_the_contract_fields(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(sample_settings.home), "search", "thuiswerken", "--json", "-k", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    for hit in lines:
        assert JSON_FIELDS <= set(hit)
        assert isinstance(hit["owners"], list) and all(
            isinstance(name, str) for name in hit["owners"]
        )
        assert hit["modified_at"][:4].isdigit()


def test_human_output_shows_owner_and_age(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(sample_settings.home), "search", "vakantiedagen", "-k", "2"]
    )
    assert result.exit_code == 0
    assert "owners:" in result.stdout and "ago" in result.stdout


def test_home_comes_from_the_environment(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    env = {"WEGWIJS_HOME": str(sample_settings.home)}
    result = CliRunner().invoke(app, ["search", "VPN", "--json", "-k", "1"], env=env)
    assert result.exit_code == 0 and json.loads(result.stdout)["doc_id"]


def test_missing_index_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "empty"), "search", "x"])
    assert result.exit_code == 1
    assert "run 'wegwijs --home" in result.output and "Traceback" not in result.output


def test_missing_root_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "h"), "ingest", str(tmp_path / "nope")]
    )
    assert result.exit_code == 1 and "is not a folder" in result.output


def test_a_setting_out_of_range_is_a_one_line_error(tmp_path: Path) -> None:
    env = {"WEGWIJS_PARSE_MEMORY_MB": "1024"}
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "config"], env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == (
        "Error: WEGWIJS_PARSE_MEMORY_MB=1024: Input should be greater than or equal to 2048"
    )
