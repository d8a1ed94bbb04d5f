"""Governance commands: review, outdated, audit, experts, gaps (merged into ``wegwijs``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from index.errors import SearchIndexError
from service.audit_report import FORMATS
from service.settings import Settings

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)
ByOption = Annotated[str, typer.Option("--by", "-b", help="Who you are (an owner's name).")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON output.")]


def _guard(ctx: typer.Context, call: Callable[[Settings], T]) -> T:
    """Run a command body with the settings; our errors become one line and exit status 1."""
    try:
        settings: Settings = ctx.obj
        return call(settings)
    except (SearchIndexError, ValueError) as exc:
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


@app.command()
def review(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The document: a path or a doc_id.")],
    by: ByOption,
    note: Annotated[str, typer.Option("--note", "-n", help="What you checked.")] = "",
) -> None:
    """Record that a document was reviewed and is still right; its review clock restarts.

    Example: wegwijs --home ./kb review /mnt/share/hr/verlofregeling.docx --by "Marieke Jansen"
    """
    from service.governance import mark_document

    mark = _guard(ctx, lambda s: mark_document(s.home, path, "reviewed", by, note))
    typer.echo(f"Reviewed {mark['doc_id']} by {mark['reviewer']} at {mark['recorded_at']}")


@app.command()
def outdated(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The document: a path or a doc_id.")],
    by: ByOption,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why, or what replaces it.")] = "",
) -> None:
    """Mark a document outdated: it is demoted in results until someone reviews it again.

    Example: wegwijs --home ./kb outdated hr/oud/verlofregeling_2019.pdf --by "Marieke Jansen"
    """
    from service.governance import mark_document

    mark = _guard(ctx, lambda s: mark_document(s.home, path, "outdated", by, reason))
    typer.echo(f"Marked {mark['doc_id']} outdated by {mark['reviewer']} at {mark['recorded_at']}")


@app.command()
def audit(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="A person or team.")] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")
    ] = "md",
) -> None:
    """Review queues by harm, orphans, superseded copies and the bus-factor map.

    Example: wegwijs --home ./kb audit --owner "Team HR" --format csv > hr-audit.csv
    """
    from service.governance import audit_json, load_audit

    if output_format not in FORMATS:
        raise typer.BadParameter(f"'{output_format}': choose one of {', '.join(FORMATS)}.")
    data = audit_json(_guard(ctx, lambda s: load_audit(s.home, owner)))
    typer.echo(FORMATS[output_format](data), nl=False)
    queued = sum(len(queue["items"]) for queue in data["queues"])
    typer.echo(f"{queued} to review, {len(data['orphans'])} orphans, "
               f"{len(data['superseded'])} superseded copies", err=True)  # fmt: skip


@app.command()
def experts(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A topic or question.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=50)] = 5,
    as_json: JsonOption = False,
) -> None:
    """People who own or reviewed the passages that answer a query, with the evidence.

    Example: wegwijs --home ./kb experts "wachtwoord vergeten"
    """
    from service.engine import one_shot_searcher
    from service.governance import load_experts

    def experts_of(settings: Settings) -> dict[str, Any]:
        with one_shot_searcher(settings) as searcher:
            return load_experts(searcher, query, top_k)

    data = _guard(ctx, experts_of)
    for line in _expert_lines(data, as_json):
        typer.echo(line)
    typer.echo(f"{len(data['experts'])} people for '{query}'", err=True)


def _expert_lines(data: dict[str, Any], as_json: bool) -> list[str]:
    if as_json:
        return [json.dumps(expert, ensure_ascii=False) for expert in data["experts"]]
    lines = []
    for rank, expert in enumerate(data["experts"], 1):
        lines.append(f"{rank:>2}. {expert['name']}  ({expert['score']:.3f})")
        lines += [f"    {e['role']}: {e['title']} ({e['doc_id']})" for e in expert["evidence"]]
    return lines


@app.command()
def gaps(
    ctx: typer.Context,
    closed: Annotated[bool, typer.Option("--closed", help="Also list answered ones.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Questions nobody's documents answer, grouped, with who should answer them.

    Example: wegwijs --home ./kb gaps --closed
    """
    from service.engine import one_shot_searcher
    from service.governance import load_gaps

    def gaps_of(settings: Settings) -> dict[str, Any]:
        with one_shot_searcher(settings) as searcher:
            return load_gaps(searcher, closed)

    data = _guard(ctx, gaps_of)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
    for group in [] if as_json else data["groups"]:
        typer.echo(f"{group['times']:>3}× {group['question']}  → {group['routed_to'] or '?'}"
                   f" ({group['area'] or 'no area'})")  # fmt: skip
    for gap in [] if as_json else data["closed"]:
        typer.echo(f"  ✓ {gap['query']}  answered by {gap['answer_doc_id']}")
    typer.echo(f"{len(data['groups'])} open gap group(s)", err=True)
