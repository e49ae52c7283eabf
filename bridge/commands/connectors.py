"""``bridge connector set|list|remove``: a tenant's Moodle Web Services or Canvas REST connector.

The token is read from an environment variable named by ``--token-env`` or typed at a hidden prompt, never
taken as a command-line argument (it would show in the process list and the shell history).
"""

from __future__ import annotations

import json
import os

import click

from bridge.models.connectors import CONNECTOR_KINDS


def register(main: click.Group) -> None:
    main.add_command(connector)


@click.group(help="Connectors beyond LTI (Moodle Web Services, Canvas REST) per platform registration.")
def connector() -> None:
    pass


@connector.command("set", help="Add or replace a platform's connector; the token is stored encrypted.")
@click.option("--platform", "registration_id", type=int, required=True, help="Registration id (see `platform list`).")
@click.option("--kind", type=click.Choice(CONNECTOR_KINDS), required=True)
@click.option("--base-url", required=True, help="The LMS address, e.g. https://moodle.example.edu")
@click.option("--token-env", default=None, help="Read the token from this environment variable (else: prompt).")
@click.option("--disabled", is_flag=True, help="Store it switched off.")
def connector_set(registration_id: int, kind: str, base_url: str, token_env: str | None, disabled: bool) -> None:
    from bridge.cli import _app
    from bridge.services import connector_settings

    if token_env is not None:
        token = os.environ.get(token_env, "")
        if not token:
            raise click.ClickException(f"the environment variable {token_env} is empty or not set")
    else:
        token = click.prompt("Access token", hide_input=True)
    services = _app().extensions["bridge"]
    with services.db.session() as session:
        try:
            view = connector_settings.save(session, services.box, registration_id, kind, base_url, token,
                                           enabled=not disabled)
        except connector_settings.ConnectorSettingError as err:
            raise click.ClickException(str(err)) from err
        session.commit()
    click.echo(f"{view.kind} connector of platform #{view.registration_id} saved ({view.base_url})")


@connector.command("list", help="Every connector (never the token).")
@click.option("--json", "as_json", is_flag=True)
def connector_list(as_json: bool) -> None:
    from bridge.cli import _app
    from bridge.services import connector_settings

    with _app().extensions["bridge"].db.session() as session:
        views = connector_settings.list_settings(session)
    if as_json:
        click.echo(json.dumps([{"platform": v.registration_id, "kind": v.kind, "base_url": v.base_url,
                                "enabled": v.enabled} for v in views], indent=2))
        return
    for v in views or []:
        click.echo(f"#{v.registration_id} {v.kind} {v.base_url} {'on' if v.enabled else 'off'}")
    if not views:
        click.echo("no connectors configured")


@connector.command("remove", help="Remove a platform's connector (and its token).")
@click.option("--platform", "registration_id", type=int, required=True)
@click.option("--kind", type=click.Choice(CONNECTOR_KINDS), required=True)
def connector_remove(registration_id: int, kind: str) -> None:
    from bridge.cli import _app
    from bridge.services import connector_settings

    with _app().extensions["bridge"].db.session() as session:
        if not connector_settings.remove(session, registration_id, kind):
            raise click.ClickException(f"platform #{registration_id} has no {kind} connector")
        session.commit()
    click.echo(f"{kind} connector of platform #{registration_id} removed")
