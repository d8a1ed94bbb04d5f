"""``wegwijs ask``: a cited answer as text or one JSON object; errors as one line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from index.build import RunSummary
from service.cli import app
from service.settings import Settings


def test_ask_json_has_the_answer_contract(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    result = CliRunner().invoke(
        app,
        ["--home", str(sample_settings.home), "ask", "hoeveel vakantiedagen krijg ik", "--json"],
    )
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    answer = json.loads(line)
    assert {"question", "answer", "confident", "citations", "ask"} <= set(answer)
    assert answer["confident"] and answer["citations"][0]["n"] == 1
    assert "Answered with citations" in result.stderr


def test_ask_text_lists_citations_or_people(
    sample_ingest: RunSummary, sample_settings: Settings
) -> None:
    home = str(sample_settings.home)
    runner = CliRunner()
    sure = runner.invoke(app, ["--home", home, "ask", "how do I connect to the network from home"])
    assert sure.exit_code == 0 and "[1]" in sure.stdout.splitlines()[0]
    assert (
        "] Setting up the Wegwijs VPN (WireGuard) — sample-share/it/vpn_setup_guide.pdf"
        in sure.stdout
    )
    unsure = runner.invoke(app, ["--home", home, "ask", "Who won the football match last night?"])
    assert unsure.exit_code == 0 and unsure.stdout.startswith("I'm not confident")
    assert "Not confident" in unsure.stderr


def test_ask_an_empty_question_is_a_one_line_error(sample_settings: Settings) -> None:
    result = CliRunner().invoke(app, ["--home", str(sample_settings.home), "ask", "  "])
    assert result.exit_code == 1 and "question is empty" in result.stderr
