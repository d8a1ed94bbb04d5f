"""Backup commands: ``wegwijs backup DEST`` and ``wegwijs restore SRC``, merged into the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from index.backup import BackupInfo
from index.errors import SearchIndexError
from service.settings import Settings

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)


def _guard(ctx: typer.Context, call: Callable[[Settings], T]) -> T:
    """Run a command body with the settings; our errors become one line and exit status 1."""
    try:
        settings: Settings = ctx.obj
        return call(settings)
    except (SearchIndexError, OSError) as exc:
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


def _summary(verb: str, info: BackupInfo, where: str) -> str:
    return (
        f"{verb} generation {info.generation} ({info.documents:,} documents, "
        f"{info.chunks:,} chunks, catalog seq {info.catalog_seq}) {where}"
    )


@app.command()
def backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="A new or empty folder for the backup.")],
) -> None:
    """Snapshot the catalog and the live index into DEST; searches go on meanwhile.

    Example: wegwijs --home ./kb backup /backups/kb-2026-11-26
    """
    from index.backup import backup_home

    info = _guard(ctx, lambda s: backup_home(s.home, dest))
    typer.echo(_summary("Backed up", info, f"to {dest}"), err=True)


@app.command()
def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A folder written by 'wegwijs backup'.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the catalog and index of a home with data.")
    ] = False,
) -> None:
    """Check a backup's checksums and restore it into the home (empty unless --force).

    Example: wegwijs --home ./kb restore /backups/kb-2026-11-26
    """
    from index.backup import restore_home

    info = _guard(ctx, lambda s: restore_home(source, s.home, force))
    typer.echo(_summary("Restored", info, f"from {source}"), err=True)
