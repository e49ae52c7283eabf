"""Discovery, keys, dynamic registration and the OIDC authorization endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from . import registration
from . import scopes as s
from .authorize import RedirectableError, authorize
from .errors import ProtocolError
from .forms import autosubmit
from .platform import Platform

bp = Blueprint("oidc", __name__)


def platform() -> Platform:
    return current_app.extensions["sandbox"]


def openid_configuration(p: Platform) -> dict[str, Any]:
    """Platform configuration as LTI Dynamic Registration 1.0 §3.3 defines it."""
    return {
        "issuer": p.issuer,
        "authorization_endpoint": p.url("/lti/auth"),
        "token_endpoint": p.url("/lti/token"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": p.url("/.well-known/jwks.json"),
        "registration_endpoint": p.url("/lti/register"),
        "scopes_supported": ["openid", *s.SUPPORTED_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "iss",
            "aud",
            "sub",
            "iat",
            "exp",
            "nonce",
            "azp",
            "name",
            "given_name",
            "family_name",
            "email",
            "locale",
        ],
        s.PLATFORM_CONFIGURATION: {
            "product_family_code": s.PRODUCT_FAMILY_CODE,
            "version": s.PRODUCT_VERSION,
            "messages_supported": [
                {"type": s.RESOURCE_LINK_REQUEST},
                {"type": s.DEEP_LINKING_REQUEST, "placements": ["ContentArea"]},
            ],
            "variables": [],
        },
    }


@bp.get("/.well-known/openid-configuration")
def discovery() -> ResponseReturnValue:
    return jsonify(openid_configuration(platform()))


@bp.get("/.well-known/jwks.json")
def jwks() -> ResponseReturnValue:
    return jsonify(platform().jwks())


@bp.post("/lti/register")
def register() -> ResponseReturnValue:
    p = platform()
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        raise ProtocolError("invalid_token", "a Bearer registration token is required", 401)
    jti, client_id = p.check_registration_token(auth.removeprefix("Bearer ").strip())
    tool = registration.validate(request.get_json(silent=True), client_id, f"deployment-{len(p.tools) + 1}")
    p.use_registration_token(jti)
    p.add_tool(tool)
    return jsonify(registration.response_body(tool))


@bp.route("/lti/auth", methods=["GET", "POST"])
def auth() -> ResponseReturnValue:
    try:
        redirect_uri, fields = authorize(platform(), request.values.to_dict())
    except RedirectableError as err:
        return autosubmit(err.redirect_uri, err.fields(), title="Launch refused")
    return autosubmit(redirect_uri, fields, title="Launching the tool…")
