"""``wegwijs token create|list|revoke``: who may use the API and the page, and as whom."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from index.readers import Principal
from service.settings import Settings
from service.tokens import UnknownTokenError, create_token, list_tokens, revoke_token

app = typer.Typer(
    name="token",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Bearer tokens for the API and the page (stored hashed in the home).",
)


def _home_settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@app.command("create")
def create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", "-u", help="User name, as on the file server.")],
    groups: Annotated[
        str, typer.Option("--groups", "-g", help="Comma-separated groups: hr,staff.")
    ] = "",
    admin: Annotated[
        bool,
        typer.Option(
            "--admin",
            help="An administrator: every knowledge gap, the whole audit, marks on any document.",
        ),
    ] = False,
) -> None:
    """Create a token and print it once (only its hash is kept).

    Example: wegwijs --home ./kb token create --user alice --groups hr,staff
    """
    principal = Principal(user.strip(), tuple(g.strip() for g in groups.split(",")), admin)
    try:
        token, info = create_token(_home_settings(ctx).home, principal)
    except ValueError as exc:
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    typer.echo(token)
    typer.echo(
        f"Token {info.token_id} for {info.user} (groups: {', '.join(info.groups) or '-'}"
        f"{', admin' if info.admin else ''}); it is shown only now.",
        err=True,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """List tokens (ids, users, groups, revoked or not), never the tokens themselves.

    Example: wegwijs --home ./kb token list
    """
    tokens = list_tokens(_home_settings(ctx).home)
    for info in tokens:
        if as_json:
            typer.echo(json.dumps(vars(info)))
        else:
            state = f"revoked {info.revoked_at}" if info.revoked_at else "active"
            groups = ",".join(info.groups) or "-"
            flag = " admin" if info.admin else ""
            typer.echo(f"{info.token_id}  {info.user}  {groups}{flag}  {state}")
    typer.echo(f"{len(tokens)} token(s)", err=True)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The id shown by 'token list'.")],
) -> None:
    """Revoke a token; requests with it are refused (401) from now on.

    Example: wegwijs --home ./kb token revoke 3f9a1c2b7d4e
    """
    try:
        info = revoke_token(_home_settings(ctx).home, token_id)
    except UnknownTokenError as exc:
        typer.secho(f"Error: {exc.args[0]}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    typer.echo(f"Revoked token {info.token_id} of {info.user}", err=True)
