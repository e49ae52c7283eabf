"""``bridge credential offer AWARD_ID|--sample [--no-tx-code]``, ``bridge credential deliver`` and
``bridge credential tx-code TEMPLATE_ID required|off``.

``offer`` prints the OpenID4VCI ``credential_offer_uri``, the same-device ``openid-credential-offer://``
link and the transaction code, for integrators trying a wallet; ``--sample`` offers the sample
micro-credential to a test learner (signed when the wallet asks, bound to the wallet's key).
``deliver`` runs the delivery outbox job once (wallet deliveries and EDC deposits) and lists deliveries that
failed, with the reason.  ``tx-code`` sets whether offers of a template's awards require a transaction code.
"""

from __future__ import annotations

import json

import click
from flask import Flask


def register(main: click.Group) -> None:
    group = main.commands.get("credential")
    if isinstance(group, click.Group):
        group.add_command(offer)
        group.add_command(deliver)
        group.add_command(tx_code)


def _app() -> Flask:
    given = click.get_current_context().find_object(Flask)
    if given is not None:
        return given
    from bridge.cli import _app as build

    return build()


@click.command("offer", help="Make an OpenID4VCI offer of an award (or --sample) and print its links and code.")
@click.argument("award_id", required=False, type=int)
@click.option("--sample", is_flag=True, help="Offer the sample micro-credential to a test learner.")
@click.option("--recipient", default="learner@example.org", show_default=True, help="The test learner (--sample).")
@click.option("--no-tx-code", is_flag=True, help="For wallets that cannot send a transaction code (default: the "
                                                 "template's setting; --sample: a code).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def offer(award_id: int | None, sample: bool, recipient: str, no_tx_code: bool, as_json: bool) -> None:
    from bridge.models import Award
    from bridge.services import wallet_offers
    from bridge.services.wallet_offers import WalletError, WalletSettings

    if sample == (award_id is not None):
        raise click.UsageError("Give either an AWARD_ID or --sample.")
    app = _app()
    settings = WalletSettings.from_config(app.config)
    with app.extensions["bridge"].db.session() as session:
        if sample:
            new = wallet_offers.create_offer(session, settings, source="sample", recipient=recipient,
                                             tx_code=not no_tx_code)
        else:
            award = session.get(Award, award_id)
            if award is None:
                raise click.ClickException(f"There is no award {award_id}.")
            try:
                new = wallet_offers.offer_award(session, settings, award, tx_code=False if no_tx_code else None)
            except WalletError as err:
                raise click.ClickException(err.description) from err
        out = {"credential_offer_uri": new.offer_uri, "wallet_link": new.wallet_link, "tx_code": new.tx_code,
               "expires_at": new.offer.code_expires_at.isoformat()}
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"credential offer URI: {out['credential_offer_uri']}")
    click.echo(f"wallet link: {out['wallet_link']}")
    click.echo(f"transaction code: {out['tx_code'] or '(none)'}")
    click.echo(f"valid until: {out['expires_at']}")


@click.command("deliver", help="Run the delivery outbox once; list deliveries that failed.")
def deliver() -> None:
    from bridge.jobs.context import JobContext
    from bridge.jobs.outbox_work import deliver_credentials

    app = _app()
    counts = deliver_credentials(JobContext.from_app(app))
    click.echo(f"{counts['wallet_delivered']} deliveries completed, {counts['edc_delivered']} EDC deposits completed")
    _list_problems(app)


def _list_problems(app: Flask) -> None:
    from sqlalchemy import select

    from bridge.models import Delivery, EdcDelivery

    with app.extensions["bridge"].db.session() as session:
        for row in session.scalars(select(Delivery).where(Delivery.last_error != "")):
            click.echo(f"delivery {row.id} ({row.state}, {row.attempts} attempts): {row.last_error}")
        for edc in session.scalars(select(EdcDelivery).where(EdcDelivery.last_error != "")):
            click.echo(f"EDC delivery {edc.id} ({edc.state}, {edc.attempts} attempts): {edc.last_error}")


@click.command("tx-code", help="Whether wallet offers of a template's awards require a transaction code.")
@click.argument("template_id", type=int)
@click.argument("setting", type=click.Choice(["required", "off"]))
def tx_code(template_id: int, setting: str) -> None:
    from bridge.services import template_delivery

    app = _app()
    with app.extensions["bridge"].db.session() as session:
        try:
            template_delivery.set_tx_code_required(session, template_id, setting == "required")
        except template_delivery.TemplateSettingError as err:
            raise click.ClickException(str(err)) from err
    click.echo(f"template {template_id}: transaction code {setting}")
