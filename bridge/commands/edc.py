"""``bridge edc set|show|deliveries``: a platform's EDC wallet / EDC Issuer settings and its EDC deliveries.

Secrets (the EDC services' password or token, the EDC Issuer's e-seal certificate password) are read from
environment variables named by ``--secret-env`` / ``--certificate-password-env`` or typed at hidden prompts,
never taken as command-line arguments (they would show in the process list and the shell history).
"""

from __future__ import annotations

import json
import os

import click
from flask import Flask

from bridge.models.edc import EDC_ROUTES
from bridge.services.edc_settings import AUTH_KINDS


def register(main: click.Group) -> None:
    main.add_command(edc)


@click.group(help="European Digital Credentials: where a platform's credentials are deposited, and how it went.")
def edc() -> None:
    pass


def _app() -> Flask:
    given = click.get_current_context().find_object(Flask)
    if given is not None:
        return given
    from bridge.cli import _app as build

    return build()


def _secret(env: str | None, prompt: str, needed: bool) -> str:
    if env is not None:
        value = os.environ.get(env, "")
        if not value:
            raise click.ClickException(f"the environment variable {env} is empty or not set")
        return value
    return click.prompt(prompt, hide_input=True) if needed else ""


@edc.command("set", help="Add or replace a platform's EDC settings; secrets are stored encrypted.")
@click.option("--platform", "registration_id", type=int, required=True, help="Registration id (see `platform list`).")
@click.option("--route", type=click.Choice(EDC_ROUTES), default="wallet", show_default=True,
              help="wallet: this tool seals and deposits; issuer: the platform's EDC Issuer seals and sends.")
@click.option("--wallet-url", default="", help="EDC wallet base URL (route wallet).")
@click.option("--issuer-url", default="", help="EDC Issuer base URL (route issuer).")
@click.option("--auth", type=click.Choice(AUTH_KINDS), default="none", show_default=True)
@click.option("--username", default="", help="User name for basic authentication.")
@click.option("--secret-env", default=None, help="Read the password or token from this environment variable.")
@click.option("--certificate-password-env", default=None,
              help="Read the EDC Issuer's e-seal certificate password from this environment variable.")
def edc_set(registration_id: int, route: str, wallet_url: str, issuer_url: str, auth: str, username: str,
            secret_env: str | None, certificate_password_env: str | None) -> None:
    from bridge.services import edc_settings

    secret = _secret(secret_env, "Password or token", auth != "none")
    certificate = _secret(certificate_password_env, "E-seal certificate password", route == "issuer")
    services = _app().extensions["bridge"]
    with services.db.session() as session:
        try:
            row = edc_settings.save(session, services.box, registration_id, edc_settings.SettingsInput(
                route=route, wallet_url=wallet_url, issuer_url=issuer_url, auth=auth, username=username,
                secret=secret, certificate_password=certificate))
        except edc_settings.EdcSettingsError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"EDC settings of platform #{row.registration_id} saved (route {row.route})")


@edc.command("show", help="A platform's EDC settings (never the secrets).")
@click.option("--platform", "registration_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
def edc_show(registration_id: int, as_json: bool) -> None:
    from bridge.services import edc_settings

    with _app().extensions["bridge"].db.session() as session:
        row = edc_settings.get(session, registration_id)
        if row is None:
            raise click.ClickException(f"platform #{registration_id} has no EDC settings")
        out = {"registration_id": row.registration_id, "route": row.route, "wallet_url": row.wallet_url,
               "issuer_url": row.issuer_url, "auth": row.auth, "secret_stored": row.secret_encrypted is not None,
               "certificate_password_stored": row.certificate_password_encrypted is not None}
    click.echo(json.dumps(out, indent=2) if as_json else "\n".join(f"{k}: {v}" for k, v in out.items()))


@edc.command("deliveries", help="EDC deliveries (ids and states only), newest first.")
@click.option("--platform", "registration_id", type=int, default=None)
@click.option("--json", "as_json", is_flag=True)
def edc_deliveries(registration_id: int | None, as_json: bool) -> None:
    from bridge.services import edc_delivery

    with _app().extensions["bridge"].db.session() as session:
        rows = [{"id": d.id, "platform": d.registration_id, "award": d.award_id, "to": d.target_kind,
                 "route": d.route, "state": d.state, "outcome": d.outcome, "attempts": d.attempts,
                 "what_happened": edc_delivery.state_text(d)}
                for d in edc_delivery.of_tenant(session, registration_id)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"#{r['id']} award {r['award']} to {r['to']} ({r['route']}): {r['state']} — {r['what_happened']}")
    if not rows:
        click.echo("no EDC deliveries")
