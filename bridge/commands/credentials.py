"""``bridge credential …``: issue a sample credential with the instance's real keys, verify, revoke, rotate.

Contract (ARCHITECTURE.md): ``bridge credential verify FILE [--json]`` prints
``{"valid": bool, "checks": [{"check", "ok", "detail"}]}`` and exits 0 when valid, 1 when not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask


def register(main: click.Group) -> None:
    main.add_command(credential)


def _app() -> Flask:
    # Tests hand in their app (``CliRunner().invoke(main, args, obj=app)``); otherwise build one from the env.
    given = click.get_current_context().find_object(Flask)
    if given is not None:
        return given
    from bridge.cli import _app as build

    return build()


@click.group(help="Signed credentials: issue a sample, verify, revoke, rotate issuer keys.")
def credential() -> None:
    pass


@credential.command("issue-sample", help="Issue a sample micro-credential (every EU element) with the real keys.")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["ob3-rdfc", "ob3-jcs", "ob3-jwt", "vc-jose", "edc"]))
@click.option("--recipient", required=True, help="The learner's e-mail address or DID.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--rs256", is_flag=True, help="Sign JOSE formats with RSA (RS256) instead of P-256 (ES256).")
def issue_sample(fmt: str, recipient: str, out: str, rs256: bool) -> None:
    from bridge.services import issuance, samples, verification

    if fmt == "edc":
        click.echo("error: European Digital Credentials (edc) are not available yet: the JAdES e-seal is "
                   "not implemented in this version.", err=True)
        sys.exit(2)
    app = _app()
    services = app.extensions["bridge"]
    with services.db.session() as session:
        issuer = verification.default_issuer(session, services.box, app.config)
        template = samples.sample_template(issuer_name=issuer.name, issuer_url=issuer.url, country=issuer.country)
        try:
            record = samples.sample_record(template, issuance.learner_for(recipient))
            issued = issuance.issue(session, services.box, issuer, record, issuance.IssueOptions(
                fmt=fmt, base_url=app.config["BASE_URL"], jose_key_type="RSA" if rs256 else None, source="sample"))
        except issuance.IssuanceError as err:
            raise click.ClickException(str(err)) from err
        Path(out).write_text(issued.content, encoding="utf-8")
        click.echo(f"issued {fmt} credential {issued.public_id} to {out}")
        click.echo(f"public link: {issued.credential_id}")


@credential.command("verify", help="Verify a credential file (JSON or JWT); exit 0 when valid, 1 when not.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='Print {"valid": …, "checks": [...]}.')
def verify_file(file: str, as_json: bool) -> None:
    from bridge.services import verification
    from bridge.services.cache import DbKeyValueStore
    from bridge.services.remote_fetch import RemoteFetcher

    app = _app()
    services = app.extensions["bridge"]
    text = Path(file).read_text(encoding="utf-8", errors="replace")
    with services.db.session() as session:
        result = verification.verify(text, session=session, box=services.box,
                                     fetcher=RemoteFetcher(services.http, DbKeyValueStore(session)),
                                     config=verification.VerifierConfig.from_mapping(app.config))
    if as_json:
        click.echo(json.dumps(verification.as_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo("VALID: the credential is genuine." if result.valid else "NOT VALID:")
        for check in result.checks:
            click.echo(f"  [{'ok' if check.ok else 'FAIL'}] {check.check}: {check.detail}")
    sys.exit(0 if result.valid else 1)


@credential.command("revoke", help="Revoke an issued credential, given its file, public link or id.")
@click.argument("reference")
@click.option("--reason", default="", help="Why (kept with the credential; not published).")
def revoke(reference: str, reason: str) -> None:
    from bridge.services import issuance, status_lists

    app = _app()
    with app.extensions["bridge"].db.session() as session:
        issued = issuance.find(session, _credential_ref(reference))
        if issued is None:
            raise click.ClickException(f"No credential issued by this tool matches {reference!r}.")
        try:
            changed = status_lists.revoke(session, issued, reason=reason)
        except status_lists.StatusError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"revoked {issued.public_id}" if changed else f"{issued.public_id} was already revoked")


@credential.command("rotate-keys", help="New issuer keys; the old ones stay published so old credentials verify.")
@click.option("--issuer", "slug", default="default", show_default=True)
def rotate_keys(slug: str) -> None:
    from bridge.services import issuers, verification

    app = _app()
    services = app.extensions["bridge"]
    with services.db.session() as session:
        issuer = (verification.default_issuer(session, services.box, app.config) if slug == "default"
                  else issuers.by_slug(session, slug))
        if issuer is None:
            raise click.ClickException(f"There is no issuer {slug!r}.")
        try:
            added = issuers.rotate(session, services.box, issuer)
        except issuers.IssuerError as err:
            raise click.ClickException(str(err)) from err
        for key in added:
            click.echo(f"new {key.key_type} key: {key.verification_method}")


def _credential_ref(reference: str) -> str:
    """A file's credential id (JSON ``id`` or JWT ``jti``/``vc.id``), or the reference itself."""
    path = Path(reference)
    if not path.is_file():
        return reference
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    from credentials import jose
    from credentials.errors import CredentialError

    try:
        doc: Any = json.loads(text) if text.startswith("{") else jose.decode(text)[1]
    except (ValueError, CredentialError) as err:
        raise click.ClickException(f"{reference} is not a credential file.") from err
    vc = doc.get("vc") if isinstance(doc.get("vc"), dict) else doc
    return str(vc.get("id") or doc.get("jti") or reference)
