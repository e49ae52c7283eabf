"""EDC delivery screens: the learner's "Send to my Europass wallet" request and the admin's EDC settings and
delivery list (state and reason in plain words).  The work is in :mod:`bridge.services.edc_delivery`."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from bridge.admin.auth import admin_principal, check_csrf, csrf_token
from bridge.lti.session import current_launch
from bridge.services import edc_delivery, edc_settings, outbox, platforms
from bridge.services.edc_delivery import EdcDeliveryError
from bridge.services.edc_settings import EdcSettingsError, SettingsInput
from bridge.wallet import learner
from bridge.wallet.blueprint import bp
from bridge.web import bridge_services, db_session


@bp.post("/learner/wallet/edc")
def learner_edc() -> str:
    award = learner.held_award()
    f = request.form
    try:
        edc_delivery.request_delivery(db_session(), bridge_services().box, award,
                                      registration_id=current_launch().registration_pk,
                                      wallet_address=f.get("wallet_address", ""), email=f.get("email", ""))
    except EdcDeliveryError as err:
        return learner.page(error=str(err))
    return learner.page(notice="Your credential is queued for your Europass wallet; its state is shown below.")


@bp.get("/admin/edc")
def admin_edc() -> str:
    principal = admin_principal()
    session = db_session()
    registrations = platforms.list_all(session)
    return render_template("wallet/edc_admin.html", csrf=csrf_token(principal), launch=request.values.get("launch"),
                           registrations=registrations,
                           settings={r.id: edc_settings.get(session, r.id) for r in registrations},
                           deliveries=edc_delivery.of_tenant(session), state_text=edc_delivery.state_text,
                           wallet_problems=outbox.with_problems(session))


@bp.post("/admin/edc/<int:registration_id>")
def admin_edc_save(registration_id: int) -> Any:
    principal = admin_principal()
    check_csrf(principal)
    f = request.form
    data = SettingsInput(route=f.get("route", "wallet"), wallet_url=f.get("wallet_url", ""),
                         issuer_url=f.get("issuer_url", ""), auth=f.get("auth", "none"),
                         username=f.get("username", ""), secret=f.get("secret", ""),
                         certificate_password=f.get("certificate_password", ""))
    try:
        edc_settings.save(db_session(), bridge_services().box, registration_id, data)
        flash(f"Saved the EDC settings of registration {registration_id}.", "ok")
    except EdcSettingsError as err:
        db_session().rollback()
        flash(f"Not saved: {err}", "error")
    launch = request.values.get("launch")
    return redirect(url_for("wallet.admin_edc", launch=launch) if launch else url_for("wallet.admin_edc"), code=303)
