"""Admin screens: platform registrations (add, deployments, policy, remove) and tool keys (rotate)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from bridge.admin.auth import admin_principal, check_csrf, csrf_token
from bridge.services import keys as key_service
from bridge.services import platforms
from bridge.web import bridge_services, db_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _back() -> Any:
    launch = request.values.get("launch")
    return redirect(url_for("admin.index", launch=launch) if launch else url_for("admin.index"), code=303)


@bp.after_request
def _no_framing_by_others(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index() -> str:
    principal = admin_principal()
    session = db_session()
    c = current_app.config
    return render_template("admin/index.html", registrations=platforms.list_all(session),
                           keys=key_service.list_keys(session), csrf=csrf_token(principal),
                           launch=request.values.get("launch"), base_url=c["BASE_URL"])


@bp.post("/platforms")
def add_platform() -> Any:
    principal = admin_principal()
    check_csrf(principal)
    f = request.form
    data = platforms.PlatformInput(
        issuer=f.get("issuer", "").strip(), client_id=f.get("client_id", "").strip(),
        auth_login_url=f.get("auth_login_url", "").strip(), auth_token_url=f.get("auth_token_url", "").strip(),
        key_set_url=f.get("key_set_url", "").strip(), name=f.get("name", "").strip(),
        deployment_ids=tuple(d.strip() for d in f.get("deployment_ids", "").split(",") if d.strip()),
        auth_token_audience=f.get("auth_token_audience", "").strip() or None,
        deployment_policy=f.get("deployment_policy", "accept"), created_via="admin")
    try:
        platforms.add(db_session(), data)
    except platforms.RegistryError as err:
        flash(f"Not saved: {err}", "error")
        return _back()
    flash(f"Saved the registration for {data.issuer} (client id {data.client_id}).", "ok")
    return _back()


@bp.post("/platforms/<int:registration_id>/policy")
def set_policy(registration_id: int) -> Any:
    principal = admin_principal()
    check_csrf(principal)
    try:
        platforms.set_policy(db_session(), registration_id, request.form.get("policy", ""))
    except platforms.RegistryError as err:
        flash(str(err), "error")
    return _back()


@bp.post("/platforms/<int:registration_id>/delete")
def remove_platform(registration_id: int) -> Any:
    principal = admin_principal()
    check_csrf(principal)
    try:
        reg = platforms.remove(db_session(), registration_id=registration_id)
        flash(f"Removed the registration for {reg.issuer}.", "ok")
    except platforms.RegistryError as err:
        flash(str(err), "error")
    return _back()


@bp.post("/keys/rotate")
def rotate_key() -> Any:
    principal = admin_principal()
    check_csrf(principal)
    c = current_app.config
    key = key_service.rotate(db_session(), bridge_services().box, grace=timedelta(seconds=int(c["KEY_GRACE_SECONDS"])),
                             size=int(c["KEY_SIZE"]))
    flash(f"New signing key {key.kid[:12]}… is active; the previous one stays published during the grace period.",
          "ok")
    return _back()
