"""The ``wegwijs`` command line: parse options, call one library function, render."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from index.e5_convert import ModelCacheError
from index.errors import SearchIndexError
from index.search import SEARCH_MODES
from ingest.errors import IngestError
from ingest.offline import enforce_offline
from service.cli_backup import app as backup_app
from service.cli_governance import app as governance_app
from service.cli_tokens import app as tokens_app
from service.settings import Settings

T = TypeVar("T")
app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Wegwijs: semantic search and Q&A over your organisation's documents.",
)
app.add_typer(governance_app)
app.add_typer(backup_app)
app.add_typer(tokens_app)
HomeOption = Annotated[
    Path | None, typer.Option("--home", envvar="WEGWIJS_HOME", help="Data directory.")
]
ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", envvar="WEGWIJS_MODEL", help="Model profile."),
]


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@app.callback()
def root(
    ctx: typer.Context,
    home: HomeOption = None,
    model: ModelOption = None,
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Semantic search over shared drives. Example: wegwijs --home ./kb ingest /mnt/share/hr"""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    given: dict[str, Any] = {"home": home, "model": model}
    try:
        ctx.obj = Settings(**{key: value for key, value in given.items() if value is not None})
    except ValidationError as exc:
        for error in exc.errors():
            name = f"WEGWIJS_{'_'.join(str(part) for part in error['loc']).upper()}"
            typer.echo(f"Error: {name}={error.get('input')!s}: {error['msg']}", err=True)
        raise typer.Exit(1) from None


@app.command()
def ingest(
    ctx: typer.Context,
    roots: Annotated[list[Path], typer.Argument(help="Folders to crawl (mounted shares).")],
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Only paths matching this glob."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Skip paths matching this glob."),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Crawl, parse, chunk, embed and index folders; re-runs only process what changed.

    Example: wegwijs --home ./kb ingest /mnt/share/hr /mnt/share/it --exclude '*/archief/*'
    """
    from service.commands import run_ingest

    summary = _guard(
        lambda: run_ingest(
            _settings(ctx), roots, tuple(include or ()), tuple(exclude or ()), progress
        )
    )
    typer.echo(summary.line(), err=True)


@app.command()
def reindex(
    ctx: typer.Context,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Rebuild the index from the catalog, re-embedding every chunk if --model changed.

    Example: wegwijs --home ./kb --model multilingual-e5-small reindex
    """
    from service.commands import run_reindex

    typer.echo(_guard(lambda: run_reindex(_settings(ctx), progress)), err=True)


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What you are looking for, in Dutch or English.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit.")] = False,
    mode: Annotated[
        str, typer.Option("--mode", help=f"One of {', '.join(SEARCH_MODES)}.")
    ] = "hybrid",
) -> None:
    """Show the best passages with title, path, owners and age.

    Example: wegwijs --home ./kb search "hoeveel vakantiedagen krijg ik" -k 5
    """
    from service.commands import run_search

    lines = _guard(lambda: run_search(_settings(ctx), query, top_k, mode, as_json))
    for line in lines:
        typer.echo(line)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question, in Dutch or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="The answer as one JSON object.")] = False,
    generate: Annotated[
        bool,
        typer.Option("--generate", "-g", help="Ask the language model at WEGWIJS_LLM_URL."),
    ] = False,
    llm_url: Annotated[
        str | None, typer.Option("--llm-url", envvar="WEGWIJS_LLM_URL", help="LLM endpoint.")
    ] = None,
) -> None:
    """Answer from the best passages, each sentence cited [n]; says so when not sure.

    Example: wegwijs --home ./kb ask "hoeveel vakantiedagen krijg ik?"
    Generated: wegwijs ask --generate --llm-url http://127.0.0.1:8080/v1 "hoeveel vakantiedagen?"
    """
    from service.commands import run_ask

    settings = _settings(ctx).model_copy(update={"llm_url": llm_url} if llm_url else {})
    mode = "generate" if generate else "extractive"
    lines, confident = _guard(lambda: run_ask(settings, question, as_json, mode))
    for line in lines:
        typer.echo(line)
    typer.echo(
        "Answered with citations" if confident else "Not confident: ask the owners", err=True
    )


@app.command()
def errors(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List files that could not be indexed, with the reason. Example: wegwijs --home ./kb errors"""
    from service.commands import list_errors

    rows = _guard(lambda: list_errors(_settings(ctx)))
    for row in rows:
        typer.echo(
            json.dumps(row, ensure_ascii=False) if as_json else f"{row['path']}: {row['reason']}"
        )
    typer.echo(f"{len(rows)} file(s) not indexed", err=True)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", envvar="WEGWIJS_HOST")] = None,
    port: Annotated[int | None, typer.Option("--port", envvar="WEGWIJS_PORT")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, envvar="WEGWIJS_WORKERS")
    ] = None,
) -> None:
    """Serve the search page and the JSON API. Example: wegwijs --home ./kb serve --port 8000"""
    from service.commands import run_server

    chosen = {"host": host, "port": port, "workers": workers}
    settings = _settings(ctx).model_copy(update={k: v for k, v in chosen.items() if v})
    _guard(lambda: run_server(settings))


@app.command()
def demo(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Generate the sample share, ingest it, and serve it. Example: wegwijs --home ./demo demo"""
    from service.commands import prepare_demo, run_server

    update = {k: v for k, v in {"host": host, "port": port}.items() if v}
    settings = _settings(ctx).model_copy(update=update | {"anonymous": True, "demo": True})
    logging.getLogger(__name__).warning(
        "DEMO: anonymous access is ON - anyone who reaches http://%s:%s reads every public "
        "document without signing in and has administrator rights (gaps, audit, marks). Use "
        "'wegwijs serve' with tokens for real documents.",
        settings.host,
        settings.port,
    )
    typer.echo(_guard(lambda: prepare_demo(settings)).line(), err=True)
    if serve_after:
        typer.echo(f"Serving the sample share on http://{settings.host}:{settings.port}", err=True)
        _guard(lambda: run_server(settings))


@app.command()
def config(ctx: typer.Context) -> None:
    """Print the effective settings (flags > env > .env > defaults). Example: wegwijs config"""
    from service.capacity import auto_workers

    for key, value in _settings(ctx).model_dump().items():
        shown = f"auto ({auto_workers()} here)" if key == "workers" and value is None else value
        typer.echo(f"{key} = {shown}")


@app.command(
    "eval",
    context_settings={
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "help_option_names": [],
    },
)
def evaluate(ctx: typer.Context) -> None:
    """Evaluate retrieval on labelled queries (see 'wegwijs eval --help')."""
    from eval.cli import app as eval_app

    eval_app(ctx.args, prog_name="wegwijs eval", obj=ctx.obj)


def _guard(call: Callable[[], T]) -> T:
    """Run a command body; our errors become a one-line message and exit status 1."""
    try:
        return call()
    except (SearchIndexError, IngestError, ModelCacheError, ValueError) as exc:
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


def main() -> None:
    """Console entry point."""
    enforce_offline()
    app()
