"""``wegwijs eval`` (also ``python -m eval``): parse options, run one evaluation, render it."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from eval.configs import DEFAULT_CONFIGS, PRESETS, Build, EvalConfig, config_keys, parse_configs
from eval.dataset import is_beir_folder
from eval.errors import EvalError
from eval.experiment import Experiment, Results, run_experiment
from eval.labels import LABELS_SPLIT
from eval.materialise import CacheOptions
from eval.metrics import StatTest
from eval.report import Report, build_report, failing, summary_rows, to_markdown, write_json
from index.errors import SearchIndexError
from ingest.errors import IngestError
from ingest.offline import enforce_offline
from service.engine import ingest_config, ranking_config
from service.settings import Settings

T = TypeVar("T")
DEFAULT_CACHE = Path("~/.cache/wegwijs-eval")
app = typer.Typer(
    pretty_exceptions_show_locals=False,
    add_completion=False,
    help="Evaluate retrieval on labelled queries.",
)


@dataclass(frozen=True)
class EvalOptions:
    """The eval command's options, as given."""

    source: Path
    split: str
    configs: tuple[str, ...]
    home: Path | None
    cache_dir: Path | None
    stat_test: StatTest
    rebuild: bool
    progress: bool


@app.command()
def evaluate(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Argument(
            help="A BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv), or a labels "
            "file (.csv/.jsonl: question, doc_paths[, grade, query_id]) for the share in --home."
        ),
    ],
    qrels: Annotated[str, typer.Option("--qrels", "-q", help="Qrels split to score.")] = "test",
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            "-c",
            help=f"Repeatable; the first is the baseline. PRESET[:key=value,...], PRESET one of "
            f"{', '.join(PRESETS)}; keys: {', '.join(config_keys())}. "
            f"Default: {' '.join(DEFAULT_CONFIGS)}.",
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Ingested home (labels; --answers: instead of the cache)."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Report folder.")] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            help="Cache of ingested BEIR corpora (default: HOME/eval-cache with "
            f"--home, else {DEFAULT_CACHE}]."
        ),
    ] = None,
    min_ndcg: Annotated[
        float | None, typer.Option(help="Exit 1 if any config's nDCG@10 is below this.")
    ] = None,
    stat_test: Annotated[StatTest, typer.Option(help="Paired significance test.")] = "student",
    worst: Annotated[int, typer.Option(min=0, help="Worst queries to list.")] = 10,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Ingest again, ignoring the cache.")
    ] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    answers: Annotated[
        bool,
        typer.Option(
            "--answers",
            help="Score the extractive answers instead (BEIR folder with answers.jsonl): "
            "token F1 / exact match, and cited passages vs the gold attribution.",
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="With --answers: at most this many questions.")
    ] = None,
) -> None:
    """Score configurations side by side: nDCG@10, Recall@10/100, MRR@10, MAP, significance.

    Examples:

      wegwijs eval ../shared/datasets/xquad-en --config bm25 --config dense --config hybrid

      wegwijs eval labels.csv --home ./kb --config hybrid --config 'hybrid:dense_weight=0.5'

      wegwijs eval ../shared/datasets/nl-legal-aqa --answers
    """
    options = EvalOptions(
        source,
        qrels,
        tuple(config or DEFAULT_CONFIGS),
        home,
        cache_dir,
        stat_test,
        rebuild,
        progress,
    )
    settings = _settings(ctx)
    folder = output or _default_output(options)
    if answers:
        _evaluate_answers(settings, options, folder, limit)
        return
    results = _guard(lambda: run_experiment(make_experiment(settings, options)))
    report = _write_reports(results, folder, worst)
    _render(report, folder)
    _gate(report, min_ndcg)


def make_experiment(settings: Settings, options: EvalOptions) -> Experiment:
    """Compose the experiment from settings (the global --home/--model) and the options."""
    home_given = options.home is not None or "home" in settings.model_fields_set
    home = (options.home or settings.home).expanduser()
    base = EvalConfig(
        name="",
        ranking="hybrid",
        build=Build(settings.model),
        search=ranking_config(settings),
    )
    cache_dir = options.cache_dir or (home / "eval-cache" if home_given else DEFAULT_CACHE)
    cache_dir = cache_dir.expanduser()
    cache = CacheOptions(cache_dir, ingest_config(settings), options.progress, options.rebuild)
    labels = not is_beir_folder(options.source)
    return Experiment(
        source=options.source,
        split=LABELS_SPLIT if labels else options.split,
        configs=parse_configs(list(options.configs), base),
        home=home,
        cache=cache,
        model_cache=settings.model_cache_dir or (home if labels else cache_dir) / "models",
        threads=settings.threads,
        stat_test=options.stat_test,
        progress=options.progress,
    )


def _evaluate_answers(
    settings: Settings, options: EvalOptions, folder: Path, limit: int | None
) -> None:
    """Answer quality on the cached hybrid index (or ``--home``); ``answers.json`` in ``folder``."""
    from eval.answers import AnswerEval, run_answer_eval, write_answer_report

    experiment = make_experiment(settings, replace(options, configs=("hybrid",)))
    first = experiment.configs[0]
    config = AnswerEval(
        options.source,
        options.split,
        first.build,
        first.search,
        experiment.cache,
        experiment.model_cache,
        limit,
        options.home,
    )
    report = _guard(lambda: run_answer_eval(config))
    write_answer_report(report, folder / "answers.json")
    for line in report.lines():
        typer.echo(line)
    typer.echo(f"Per-question scores in {folder / 'answers.json'}", err=True)


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings()


def _default_output(options: EvalOptions) -> Path:
    labels = not is_beir_folder(options.source)
    name = options.source.stem if labels else options.source.resolve().name
    split = LABELS_SPLIT if labels else options.split
    return Path("eval-reports") / f"{name}-{split}-{datetime.now():%Y%m%d-%H%M%S}"


def _write_reports(results: Results, folder: Path, worst: int) -> Report:
    from eval.html import to_html

    command = shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])
    report = build_report(results, command, worst)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(report, folder / "report.json")
    (folder / "report.md").write_text(to_markdown(report), encoding="utf-8")
    (folder / "report.html").write_text(to_html(report), encoding="utf-8")
    return report


def _render(report: Report, folder: Path) -> None:
    header, rows = summary_rows(report, intervals=False)
    baseline = report["configs"][0]["name"]
    title = f"{report['dataset']} ({report['split']}), {report['queries']} queries"
    table = Table(*header, title=f"{title}; * = p < 0.05 vs {baseline}")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    typer.echo(
        f"Reports in {folder}: report.md, report.json, report.html ({report['seconds']} s)",
        err=True,
    )


def _gate(report: Report, min_ndcg: float | None) -> None:
    if min_ndcg is None:
        return
    below = failing(report, min_ndcg)
    for name, score in below:
        typer.echo(f"nDCG@10 of '{name}' is {score:.4f}, below --min-ndcg {min_ndcg}", err=True)
    if below:
        raise typer.Exit(1)


def _guard(call: Callable[[], T]) -> T:
    """Our errors become a one-line message and exit status 1."""
    try:
        return call()
    except (EvalError, SearchIndexError, IngestError) as exc:
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


def main() -> None:
    """Entry point of ``python -m eval``."""
    enforce_offline()
    app()
