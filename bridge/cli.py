"""The ``bridge`` command: database, platform registry, keys, public URLs, the server, SCORM inspection.

Contracts (README, ARCHITECTURE.md): ``bridge info --json``, ``bridge platform add/list --json/remove``,
``bridge scorm inspect PACKAGE.zip --json`` (exit 2 on a bad package), ``bridge serve``.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

import click
from flask import Flask

from bridge.config import ConfigError, load_config
from bridge.urls import public_urls


def _app() -> Flask:
    from bridge import create_app

    try:
        return create_app()
    except ConfigError as err:
        raise click.ClickException(str(err)) from err


@click.group(help="Credential Bridge: LTI 1.3 tool issuing EU micro-credentials.")
def main() -> None:
    pass


def _load_command_modules() -> None:
    """Feature areas add their own command groups to ``main`` (sync, credentials, …)."""
    import importlib
    import pkgutil

    import bridge.commands

    for module in pkgutil.iter_modules(bridge.commands.__path__):
        importlib.import_module(f"bridge.commands.{module.name}").register(main)


@main.command(help="Print the tool's public URLs (what an LMS administrator needs).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def info(as_json: bool) -> None:
    config = load_config(check=False)
    urls = public_urls(config["BASE_URL"])
    if as_json:
        click.echo(json.dumps(urls, indent=2))
        return
    for name, url in urls.items():
        click.echo(f"{name:>14}: {url}")


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply the Alembic migrations (also done at start-up).")
def db_upgrade() -> None:
    from bridge.db import Database

    config = load_config()
    database = Database(config["DATABASE_URL"])
    database.upgrade()
    database.dispose()
    click.echo("database is up to date")


@main.group(help="Platform registrations (issuer, client id, deployments).")
def platform() -> None:
    pass


@platform.command("add", help="Register a platform by hand (or add deployment ids to an existing one).")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication request URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth 2 access-token URL.")
@click.option("--key-set-url", required=True, help="The platform's public JWKS URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several deployments.")
@click.option("--name", default="")
@click.option("--audience", default=None, help="Client-assertion audience if not the token URL (Brightspace).")
@click.option("--deployment-policy", type=click.Choice(["accept", "reject"]), default=None,
              help="Unknown deployment ids at launch: accept and record, or reject.")
@click.option("--json", "as_json", is_flag=True)
def platform_add(as_json: bool, **opts: Any) -> None:
    from bridge.services import platforms

    app = _app()
    policy = opts.pop("deployment_policy") or app.config["DEFAULT_DEPLOYMENT_POLICY"]
    data = platforms.PlatformInput(
        issuer=opts["issuer"], client_id=opts["client_id"], auth_login_url=opts["auth_login_url"],
        auth_token_url=opts["auth_token_url"], key_set_url=opts["key_set_url"],
        deployment_ids=tuple(opts["deployment_ids"]), name=opts["name"], auth_token_audience=opts["audience"],
        deployment_policy=policy, created_via="cli")
    with app.extensions["bridge"].db.session() as session:
        try:
            reg = platforms.add(session, data)
        except platforms.RegistryError as err:
            raise click.ClickException(str(err)) from err
        out = platforms.as_dict(reg)
    click.echo(json.dumps(out, indent=2) if as_json else f"registered #{out['id']}: {data.issuer} ({data.client_id})")


@platform.command("list", help="List registrations and their deployments.")
@click.option("--json", "as_json", is_flag=True)
def platform_list(as_json: bool) -> None:
    from bridge.services import platforms

    with _app().extensions["bridge"].db.session() as session:
        rows = [platforms.as_dict(r) for r in platforms.list_all(session)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no platforms registered")
    for r in rows:
        deployments = ", ".join(str(d["deployment_id"]) for d in r["deployments"]) or "none"  # type: ignore[attr-defined]
        click.echo(f"#{r['id']} {r['issuer']} client_id={r['client_id']} deployments={deployments} "
                   f"policy={r['deployment_policy']}")


@platform.command("remove", help="Remove a registration (by id, or by --issuer and --client-id).")
@click.argument("registration_id", required=False, type=int)
@click.option("--issuer")
@click.option("--client-id")
def platform_remove(registration_id: int | None, issuer: str | None, client_id: str | None) -> None:
    from bridge.services import platforms

    with _app().extensions["bridge"].db.session() as session:
        try:
            reg = platforms.remove(session, registration_id=registration_id, issuer=issuer, client_id=client_id)
        except platforms.RegistryError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"removed #{reg.id}: {reg.issuer} ({reg.client_id})")


@main.group(help="The tool's signing keys.")
def keys() -> None:
    pass


@keys.command("rotate", help="Publish a new signing key; the old one stays in the JWKS for the grace period.")
@click.option("--grace", type=int, default=None, help="Seconds the old key stays published (default from config).")
def keys_rotate(grace: int | None) -> None:
    from bridge.services import keys as key_service

    app = _app()
    services = app.extensions["bridge"]
    seconds = grace if grace is not None else int(app.config["KEY_GRACE_SECONDS"])
    with services.db.session() as session:
        key = key_service.rotate(session, services.box, grace=timedelta(seconds=seconds),
                                 size=int(app.config["KEY_SIZE"]))
        click.echo(f"active key: {key.kid} (previous key published for {seconds} s more)")


@keys.command("list", help="List signing keys and their state.")
def keys_list() -> None:
    from bridge.services import keys as key_service

    with _app().extensions["bridge"].db.session() as session:
        for key in key_service.list_keys(session):
            state = "active" if key.retired_at is None else f"retired, published until {key.expires_at:%Y-%m-%d %H:%M}"
            click.echo(f"{key.kid} {key.alg} created {key.created_at:%Y-%m-%d %H:%M} {state}")


@main.command(help="Serve the tool with gunicorn.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None)
def serve(host: str, port: int, workers: int, tls_cert: str | None, tls_key: str | None) -> None:
    from bridge.jobs.embedded import start_embedded
    from bridge.server import run_gunicorn

    if bool(tls_cert) != bool(tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    app = _app()  # fail fast on configuration errors, and migrate once before forking workers
    # BRIDGE_SCHEDULER=embedded: each worker schedules jobs; database leases let one of them run each job.
    run_gunicorn(app, host=host, port=port, workers=workers, certfile=tls_cert, keyfile=tls_key,
                 on_worker_start=lambda: start_embedded(app))


@main.group(help="SCORM packages.")
def scorm() -> None:
    pass


@scorm.command("inspect", help="Parse a SCORM package and print what it contains.")
@click.argument("package", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def scorm_inspect(package: str, as_json: bool) -> None:
    from scorm.errors import ScormError
    from scorm.inspect import inspect_package

    try:
        result = inspect_package(package)
    except ScormError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"SCORM {result['version']}: {result.get('title', '')}")
    for sco in result["scos"]:
        click.echo(f"  {sco['identifier']}: {sco['title']} → {sco['launch_url']}")


_load_command_modules()


if __name__ == "__main__":
    main()
