"""``python -m eval.bench``: run the benchmark sections and write BENCHMARKS.md."""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from eval.bench.machine import describe_machine
from eval.bench.plan import FULL, QUICK, BenchContext
from eval.bench.report import render
from eval.bench.results import load_results
from eval.bench.suite import SECTIONS, run_sections
from ingest.offline import enforce_offline

DEFAULT_WORK_DIR = Path("~/.cache/wegwijs-bench")
app = typer.Typer(pretty_exceptions_show_locals=False, add_completion=False)


def _sections(only: list[str] | None) -> tuple[str, ...]:
    chosen = tuple(only or SECTIONS)
    unknown = [key for key in chosen if key not in SECTIONS]
    if unknown:
        raise typer.BadParameter(
            f"Unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}.",
            param_hint="--only",
        )
    return chosen


@app.command()
def main(
    output: Annotated[Path, typer.Option("--output", "-o", help="Report to write.")] = Path(
        "BENCHMARKS.md"
    ),
    quick: Annotated[
        bool, typer.Option("--quick", help="Tiny sizes, 2 runs: a smoke test.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only these sections; others come from earlier runs."),
    ] = None,
    work_dir: Annotated[
        Path, typer.Option("--work-dir", help="Synthetic homes, trees and section results.")
    ] = DEFAULT_WORK_DIR,
    model_cache: Annotated[
        Path | None,
        typer.Option("--model-cache", envvar="WEGWIJS_MODEL_CACHE_DIR", help="Converted models."),
    ] = None,
) -> None:
    """Measure and write the report. Example: python -m eval.bench --output BENCHMARKS.md"""
    enforce_offline()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("httpx", "faiss.loader", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    folder = work_dir.expanduser() / ("quick" if quick else "full")
    context = BenchContext(QUICK if quick else FULL, folder, model_cache or folder / "models")
    machine = describe_machine()
    measured = _sections(only)
    run_sections(measured, context)
    results = load_results(folder, tuple(SECTIONS))
    command = shlex.join(["python", "-m", "eval.bench", *sys.argv[1:]])
    output.write_text(render(results, machine, command, measured), encoding="utf-8")
    typer.echo(f"Wrote {output}: {len(results)} section(s) from {folder}", err=True)
