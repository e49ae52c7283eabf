"""``bridge credential offer AWARD_ID|--sample [--no-tx-code]`` and ``bridge credential deliver``.

``offer`` prints the OpenID4VCI ``credential_offer_uri``, the same-device ``openid-credential-offer://``
link and the transaction code, for integrators trying a wallet; ``--sample`` offers the sample
micro-credential to a test learner (signed when the wallet asks, bound to the wallet's key).
``deliver`` runs the delivery outbox job once and lists deliveries that failed, with the reason.
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
@click.option("--no-tx-code", is_flag=True, help="For wallets that cannot send a transaction code.")
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
                new = wallet_offers.offer_award(session, settings, award, tx_code=not no_tx_code)
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
    from sqlalchemy import select

    from bridge.models import Delivery
    from bridge.services import wallet_issuer

    app = _app()
    services = app.extensions["bridge"]
    signer = wallet_issuer.Signer(services.box, app.config)
    with services.db.session() as session:
        done = wallet_issuer.run_outbox(session, signer)
        click.echo(f"{done} deliveries completed")
        for row in session.scalars(select(Delivery).where(Delivery.last_error != "")):
            click.echo(f"delivery {row.id} ({row.state}, {row.attempts} attempts): {row.last_error}")
