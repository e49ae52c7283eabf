"""OAuth 2 client credentials with a JWT client assertion (1EdTech Security Framework §4.1, RFC 7523),
Bearer checks for the services, and the fault injection shared by every service endpoint."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from typing import Any

import jwt
from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from .errors import ProtocolError, ToolKeyError
from .platform import Platform

bp = Blueprint("oauth", __name__)
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def platform() -> Platform:
    return current_app.extensions["sandbox"]


def inject_faults() -> ResponseReturnValue | None:
    """`before_request` hook for service blueprints: apply SANDBOX_FAULTS / platform.set_faults."""
    faults = platform().faults
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    if faults.error_rate and random.random() < faults.error_rate:  # noqa: S311 - not security
        response = jsonify({"error": "temporarily_unavailable", "error_description": "injected fault"})
        response.status_code = faults.status
        if faults.retry_after is not None:
            response.headers["Retry-After"] = str(faults.retry_after)
        return response
    return None


bp.before_request(inject_faults)


def _verify_assertion(p: Platform, assertion: str) -> dict[str, Any]:
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
        kid = jwt.get_unverified_header(assertion).get("kid")
    except jwt.PyJWTError as err:
        raise ProtocolError("invalid_client", f"client_assertion is not a JWT: {err}", 401) from err
    tool = p.tools.get(str(unverified.get("iss", "")))
    if tool is None or unverified.get("sub") != tool.client_id:
        raise ProtocolError("invalid_client", "unknown client: iss and sub must be the client_id", 401)
    try:
        key = p.tool_keys.key_for(tool.jwks_uri, kid)
        return jwt.decode(
            assertion,
            key,
            algorithms=["RS256", "RS384", "RS512"],
            audience=p.url("/lti/token"),
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError as err:
        raise ProtocolError("invalid_grant", "client_assertion has expired", 400) from err
    except (jwt.PyJWTError, ToolKeyError) as err:
        raise ProtocolError("invalid_client", f"client_assertion rejected: {err}", 401) from err


@bp.post("/lti/token")
def token() -> ResponseReturnValue:
    p, form = platform(), request.form
    if form.get("grant_type") != "client_credentials":
        raise ProtocolError("unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
        raise ProtocolError("invalid_request", f"client_assertion_type must be {JWT_BEARER} with a client_assertion")
    claims = _verify_assertion(p, form["client_assertion"])
    if not p.remember_assertion(str(claims["jti"]), float(claims["exp"])):
        raise ProtocolError("invalid_grant", "client_assertion jti was already used")
    requested = frozenset(form.get("scope", "").split())
    granted = frozenset(p.tools[claims["iss"]].scopes)
    if not requested or not requested <= granted:
        missing = " ".join(sorted(requested - granted)) or "(none requested)"
        raise ProtocolError("invalid_scope", f"scope not granted to this tool: {missing}")
    access = p.issue_access_token(str(claims["iss"]), requested)
    response = jsonify(
        {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": " ".join(sorted(requested)),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def require_scope(p: Platform, any_of: Iterable[str]) -> str:
    """The client_id of a valid Bearer token carrying one of `any_of`, else raise 401/403."""
    auth = request.headers.get("Authorization", "")
    grant = p.check_access_token(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
    if grant is None:
        raise BearerError("invalid_token", "a valid Bearer access token is required", 401)
    if not grant[1] & set(any_of):
        raise BearerError("insufficient_scope", "the access token lacks the scope this service needs", 403)
    return grant[0]


class BearerError(ProtocolError):
    """401/403 from a service; answered with a WWW-Authenticate header (RFC 6750 §3)."""

    def answer(self) -> Response:
        response = jsonify(self.as_json())
        response.status_code = self.status
        response.headers["WWW-Authenticate"] = f'Bearer error="{self.error}"'
        return response
