"""Instructor switch of a credential template: do wallet offers of its awards require a transaction code?
(OpenID4VCI 1.0 §4.1.1 ``tx_code``; :mod:`bridge.services.template_delivery`.)"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for

from bridge.admin.auth import check_csrf
from bridge.lti.session import current_launch
from bridge.services import credential_templates as templates
from bridge.services import template_delivery
from bridge.wallet.blueprint import bp
from bridge.web import db_session


@bp.post("/instructor/credentials/<int:template_id>/wallet-offers")
def template_tx_code(template_id: int) -> Any:
    ctx = current_launch(instructor=True)
    check_csrf(f"launch:{ctx.launch_id}")
    if ctx.course_pk is None:
        abort(400, description="Launch the tool from a course to manage its credentials.")
    setting = request.form.get("tx_code", "")
    if setting not in {"required", "off"}:
        abort(400, description="Choose whether a transaction code is required (required or off).")
    try:
        templates.get_template(db_session(), ctx.registration_pk, template_id, ctx.course_pk)
    except templates.NotFound as err:
        abort(404, description=str(err))
    template_delivery.set_tx_code_required(db_session(), template_id, setting == "required",
                                           registration_pk=ctx.registration_pk)
    return redirect(url_for("credentials.preview", template_id=template_id, launch=ctx.launch_id, done="wallet"),
                    303)
