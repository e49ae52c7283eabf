"""``bridge api-token create|list|revoke``: per-tenant REST API tokens (the token is printed once)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from bridge.db import Database


def register(main: click.Group) -> None:
    main.add_command(api_token)


@click.group("api-token", help="REST API tokens of a platform registration (tenant).")
def api_token() -> None:
    pass


def _db() -> Database:
    from bridge.cli import _app

    database: Database = _app().extensions["bridge"].db
    return database


@api_token.command("create", help="Create a token; it is shown once, only its hash is stored.")
@click.option("--platform", "platform_id", type=int, required=True, help="Registration id (bridge platform list).")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="Repeat: templates:read, templates:write, awards:read, awards:write, progress:read.")
@click.option("--name", default="")
@click.option("--json", "as_json", is_flag=True)
def create(platform_id: int, scopes: tuple[str, ...], name: str, as_json: bool) -> None:
    from bridge.services import api_tokens

    with _db().session() as session:
        try:
            row, token = api_tokens.create(session, platform_id, [s for v in scopes for s in v.split(",")], name)
        except api_tokens.TokenError as err:
            raise click.ClickException(str(err)) from err
        session.commit()
        out = {"id": row.id, "platform": platform_id, "scopes": row.scopes, "token": token}
    click.echo(json.dumps(out) if as_json else f"token #{out['id']} (shown once): {token}")


@api_token.command("list", help="List tokens (prefix, scopes, last use); never the tokens themselves.")
@click.option("--platform", "platform_id", type=int, default=None)
def list_(platform_id: int | None) -> None:
    from bridge.services import api_tokens

    with _db().session() as session:
        for row in api_tokens.list_tokens(session, platform_id):
            state = "revoked" if row.revoked_at else "active"
            click.echo(f"#{row.id} platform={row.registration_id} {row.prefix}… {' '.join(row.scopes)} {state}")


@api_token.command("revoke", help="Revoke a token by id.")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    from bridge.services import api_tokens

    with _db().session() as session:
        try:
            api_tokens.revoke(session, token_id, now=datetime.now(UTC))
        except api_tokens.TokenError as err:
            raise click.ClickException(str(err)) from err
        session.commit()
    click.echo(f"revoked #{token_id}")
