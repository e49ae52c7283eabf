"""Learner page "Add to wallet": one offer per click, its QR code and same-device link, the transaction
code (shown once), the state of every earlier offer in plain words, and (when the institution set it up)
"Send to my Europass wallet" with the state of each EDC delivery."""

from __future__ import annotations

import segno
from flask import abort, render_template, request

from bridge.admin.auth import check_csrf, csrf_token
from bridge.lti.session import current_launch
from bridge.models import Award
from bridge.services import award_reports, awards, edc_delivery, edc_settings, vcapi, wallet_offers
from bridge.services.vcapi import NewExchange
from bridge.services.wallet_offers import NewOffer, WalletError
from bridge.wallet.blueprint import bp, settings
from bridge.web import db_session


def qr_data_uri(link: str) -> str:
    """A PNG data URI of the QR code for ``link`` (the page's CSP allows ``img-src data:``)."""
    return str(segno.make(link, error="m").png_data_uri(scale=5, border=4))


def page(new: NewOffer | None = None, error: str = "", exchange: NewExchange | None = None, notice: str = "") -> str:
    ctx = current_launch()
    session = db_session()
    return render_template("wallet/learner.html", ctx=ctx, csrf=csrf_token(f"launch:{ctx.launch_id}"), notice=notice,
                           edc_enabled=edc_settings.get(session, ctx.registration_pk) is not None,
                           edc_rows=edc_delivery.of_user(session, ctx.user_pk), edc_state=edc_delivery.state_text,
                           earned=award_reports.earned(session, ctx.user_pk), new=new, error=error,
                           qr=qr_data_uri(new.wallet_link) if new else None, exchange=exchange,
                           exchange_qr=qr_data_uri(exchange.deep_link) if exchange else None,
                           offers=wallet_offers.offers_of_user(session, ctx.user_pk),
                           state_text=wallet_offers.state_text)


@bp.get("/learner/wallet/")
def learner_wallet() -> str:
    return page()


def held_award() -> Award:
    ctx = current_launch()
    check_csrf(f"launch:{ctx.launch_id}")
    award = next((e.award for e in award_reports.earned(db_session(), ctx.user_pk)
                  if str(e.award.id) == request.form.get("award_id", "")), None)
    if award is None:
        abort(404, description="You hold no such credential.")
    return award


@bp.post("/learner/wallet/exchange")
def learner_exchange() -> str:
    award = held_award()
    return page(exchange=vcapi.create_exchange(db_session(), settings(), source="award", award_id=award.id,
                                                user_id=award.user_id))


@bp.post("/learner/wallet/offer")
def learner_offer() -> str:
    ctx = current_launch()
    award = held_award()
    try:
        # Whether the offer needs a transaction code is the award's template's setting.
        new = wallet_offers.offer_award(db_session(), settings(), awards.get_award(db_session(), ctx.registration_pk,
                                                                                   award.id))
    except WalletError as err:
        return page(error=err.description)
    return page(new)
