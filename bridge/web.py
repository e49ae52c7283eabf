"""Web wiring: per-request database session, shared collaborators, security headers, error pages, blueprints.

Views get their collaborators from here (``db_session()``, ``bridge_services()``) and hand them to
services as arguments; nothing below the views reads Flask globals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask, Request, Response, current_app, g, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.response import Response as BaseResponse

from bridge.db import Database
from bridge.services import keys as key_service
from bridge.services.cache import DbKeyValueStore
from bridge.services.secrets_box import SecretBox
from connectors.http import make_session

log = logging.getLogger("bridge")


class LazyCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, used only for the admin screens' flash messages (LTI pages keep their state
    in the launch session, a bearer id: see ``bridge.lti.session``). Opened lazily: a request without a session
    cookie gets an empty session without building a serializer, and the serializer is built once per key set
    instead of on every request."""

    _cached: tuple[tuple[Any, ...], URLSafeTimedSerializer] | None = None

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._cached is None or self._cached[0] != keys:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._cached = (keys, serializer)
        return self._cached[1]


@dataclass(frozen=True, slots=True)
class BridgeServices:
    db: Database
    box: SecretBox
    http: requests.Session


def init_app(app: Flask) -> None:
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if app.config["PROXY_FIX"]:
        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    db = Database(app.config["DATABASE_URL"])
    if app.config.get("AUTO_MIGRATE", True):
        db.upgrade()
    services = BridgeServices(
        db=db,
        box=SecretBox.from_config(app.config["SECRET_KEY"], app.config.get("KEY_FILE")),
        http=make_session(user_agent=app.config["USER_AGENT"], timeout=float(app.config["HTTP_TIMEOUT"])),
    )
    app.extensions["bridge"] = services
    with db.session() as session:
        key_service.ensure_active_key(session, services.box, size=int(app.config["KEY_SIZE"]))
    app.session_interface = LazyCookieSessions()
    app.teardown_appcontext(_close_session)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    _register_blueprints(app)


def _register_blueprints(app: Flask) -> None:
    from bridge import ops
    from bridge.admin.views import bp as admin_bp
    from bridge.api.views import bp as api_bp
    from bridge.health import bp as health_bp
    from bridge.instructor.credentials import bp as instructor_credentials_bp
    from bridge.instructor.views import bp as instructor_bp
    from bridge.learner.credentials import bp as learner_credentials_bp
    from bridge.learner.views import bp as learner_bp
    from bridge.lti.views import bp as lti_bp
    from bridge.player.views import bp as player_bp
    from bridge.verify.views import bp as verify_bp
    from bridge.wallet.views import bp as wallet_bp

    for bp in (health_bp, lti_bp, instructor_bp, instructor_credentials_bp, learner_bp, learner_credentials_bp,
               admin_bp, verify_bp, player_bp, api_bp, wallet_bp):
        app.register_blueprint(bp)
    ops.init_app(app)  # request ids, JSON logs, /metrics, /readyz, admin job screens, scheduler hooks


def bridge_services() -> BridgeServices:
    services: BridgeServices = current_app.extensions["bridge"]
    return services


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = bridge_services().db.sessionmaker()
    session: Session = g.db_session
    return session


def kv_store() -> DbKeyValueStore:
    return DbKeyValueStore(db_session())


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


# LTI pages are framed by the LMS; pages that must never be framed set their own frame-ancestors.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "form-action *; base-uri 'none'"),
)


def _security_headers(response: Response) -> Response:
    # One pass over the headers a view set (Headers.setdefault costs a raised KeyError per missing header).
    present = {name.lower() for name in response.headers.keys()}  # noqa: SIM118 - Headers.keys(), not a dict
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def _http_error(err: HTTPException) -> Any:
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": err.name, "message": err.description}, err.code or 500
    return render_template("error.html", title=err.name, message=err.description, hint=""), err.code or 500


def set_cookie(response: BaseResponse, name: str, value: str, max_age: int | None) -> None:
    """Cookies for framed LTI use: SameSite=None; Secure; Partitioned over TLS, Lax over plain HTTP (demo)."""
    if request.is_secure:
        response.set_cookie(name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="None",
                            partitioned=True)
    else:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="Lax")
