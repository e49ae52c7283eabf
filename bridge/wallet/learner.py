"""Learner page "Add to wallet": one offer per click, its QR code and same-device link, the transaction
code (shown once), the state of every earlier offer in plain words, and (when the institution set it up)
"Send to my Europass wallet" with the state of each EDC delivery."""

from __future__ import annotations

import segno
from flask import abort, current_app, render_template, request

from bridge.admin.auth import check_csrf, csrf_token
from bridge.lti.session import current_launch
from bridge.models import Award, LmsUser, TemplateVersion
from bridge.services import award_reports, awards, edc_delivery, edc_settings, notices, vcapi, wallet_offers
from bridge.services.vcapi import NewExchange
from bridge.services.wallet_offers import NewOffer, WalletError
from bridge.wallet.blueprint import bp, settings
from bridge.web import db_session


def qr_data_uri(link: str) -> str:
    """A PNG data URI of the QR code for ``link`` (the page's CSP allows ``img-src data:``)."""
    return str(segno.make(link, error="m").png_data_uri(scale=5, border=4))


def page(new: NewOffer | None = None, error: str = "", exchange: NewExchange | None = None, notice: str = "",
         tx_sent: bool = False) -> str:
    ctx = current_launch()
    session = db_session()
    can_mail = notices.mailer_from_config(current_app.config) is not None and bool(
        session.get_one(LmsUser, ctx.user_pk).email)
    return render_template("wallet/learner.html", ctx=ctx, csrf=csrf_token(f"launch:{ctx.launch_id}"), notice=notice,
                           tx_sent=tx_sent, can_mail=can_mail,
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
    if new.tx_code and request.form.get("tx_by_email") == "1":
        return _code_by_email(new, award)
    return page(new)


def _code_by_email(new: NewOffer, award: Award) -> str:
    """Send the transaction code to the learner's e-mail instead of showing it; on failure show it after all."""
    session, mailer = db_session(), notices.mailer_from_config(current_app.config)
    email = session.get_one(LmsUser, award.user_id).email
    title = session.get_one(TemplateVersion, award.template_version_id).title
    minutes = round((new.offer.code_expires_at - new.offer.created_at).total_seconds() / 60)
    if mailer is None or not email or not notices.send_quietly(
            mailer, notices.tx_code_notice(email, title, str(new.tx_code), minutes), about=f"offer {new.offer.id}"):
        return page(new, notice="We could not send the e-mail, so here is the transaction code.")
    return page(new, tx_sent=True, notice="We sent the transaction code to your e-mail address.")
