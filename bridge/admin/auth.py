"""Who may use the admin screens, and CSRF tokens that work without cookies.

Access: HTTP Basic with ``BRIDGE_ADMIN_PASSWORD`` (user ``admin``), or an LTI launch whose roles include an
administrator role. CSRF: the token is an HMAC of the principal under the secret key, so it needs no
session cookie (framed LMS pages often have none) and a cross-site page cannot compute it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, abort, current_app, request

from bridge.lti.session import LAUNCH_COOKIE
from bridge.services import launches
from bridge.web import db_session


def _basic_ok() -> bool:
    password = current_app.config.get("ADMIN_PASSWORD")
    auth = request.authorization
    return bool(password and auth and auth.type == "basic" and auth.username == "admin"
                and secrets.compare_digest(str(auth.password or ""), str(password)))


def admin_principal() -> str:
    """Return the principal ("admin" or "launch:<id>"); answer 401/403 otherwise."""
    if _basic_ok():
        return "admin"
    explicit = request.values.get("launch")
    for launch_id in filter(None, (explicit, request.cookies.get(LAUNCH_COOKIE))):
        try:
            ctx = launches.load_context(db_session(), launch_id)
        except launches.SessionError as err:
            if launch_id == explicit:
                abort(401, description=str(err))
            continue
        if ctx.is_admin:
            return f"launch:{launch_id}"
        if launch_id == explicit:
            abort(403, description="The admin screens are for LMS administrators.")
    if not current_app.config.get("ADMIN_PASSWORD"):
        abort(403, description="The admin screens are off: set BRIDGE_ADMIN_PASSWORD, or launch the tool from "
                               "the LMS as an administrator.")
    response = Response("Sign in as 'admin' with BRIDGE_ADMIN_PASSWORD.", 401,
                        {"WWW-Authenticate": 'Basic realm="credential bridge admin", charset="UTF-8"'})
    abort(response)


def csrf_token(principal: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"csrf:{principal}".encode(), hashlib.sha256).hexdigest()


def check_csrf(principal: str) -> None:
    sent = request.form.get("csrf_token", "")
    if not secrets.compare_digest(sent, csrf_token(principal)):
        abort(400, description="The form expired or came from another site (CSRF check failed). Reload the page "
                               "and try again.")
