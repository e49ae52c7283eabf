"""Deep Linking 2.0 §4.5: check the tool's LtiDeepLinkingResponse and add its items to the course."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

import jwt
from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from . import scopes as s
from .errors import ProtocolError, ToolKeyError
from .models import Launch, LineItem, ResourceLink, Tool
from .platform import Platform
from .views_oidc import platform

bp = Blueprint("deep_linking", __name__)


def _bad(description: str) -> ProtocolError:
    return ProtocolError("invalid_request", f"deep linking response refused: {description}", 400)


def _verify(p: Platform, token: str) -> tuple[Tool, dict[str, Any]]:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as err:
        raise _bad(f"JWT is not a signed JWT ({err})") from err
    tool = p.tools.get(str(issuer))
    if tool is None:
        raise _bad("iss must be the client_id of a registered tool")
    try:
        key = p.tool_keys.key_for(tool.jwks_uri, kid)
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256", "RS384", "RS512"],
            audience=p.issuer,
            options={"require": ["iss", "aud", "iat", "exp"]},
            leeway=60,
        )
    except (jwt.PyJWTError, ToolKeyError) as err:
        raise _bad(str(err)) from err
    return tool, claims


def _check_claims(p: Platform, tool: Tool, claims: dict[str, Any]) -> Launch:
    if not claims.get("nonce"):
        raise _bad("nonce is required")
    if claims.get(s.CLAIM_MESSAGE_TYPE) != s.DEEP_LINKING_RESPONSE:
        raise _bad(f"message_type must be {s.DEEP_LINKING_RESPONSE}")
    if claims.get(s.CLAIM_VERSION) != s.LTI_VERSION:
        raise _bad(f"version must be {s.LTI_VERSION}")
    if claims.get(s.CLAIM_DEPLOYMENT_ID) != tool.deployment_id:
        raise _bad("deployment_id does not match the tool's deployment")
    launch = p.deep_link_requests.get(str(claims.get(s.CLAIM_DL_DATA)))
    if launch is None or launch.client_id != tool.client_id:
        raise _bad("data must echo the deep_linking_settings data of a request this platform sent")
    if not p.use_nonce(str(claims["nonce"])):
        raise _bad("nonce was already used")
    return launch


def _check_item(item: Any, strict_urls: bool) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
        raise _bad("only content items of type ltiResourceLink are accepted")
    url = item.get("url")
    if url is not None:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _bad(f"item url {url!r} must be an absolute http(s) URL")
        if strict_urls and parts.query:  # Moodle rejects these; tools should use custom parameters
            raise _bad(f"item url {url!r} has a query string: use custom parameters instead")
    custom = item.get("custom", {})
    if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
        raise _bad("custom must be an object of string values")
    line_item = item.get("lineItem")
    if line_item is not None:
        maximum = line_item.get("scoreMaximum") if isinstance(line_item, dict) else None
        if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
            raise _bad("lineItem.scoreMaximum must be a number greater than 0")
    return item


def _create(p: Platform, tool: Tool, course_id: str, item: dict[str, Any]) -> tuple[ResourceLink, LineItem | None]:
    title = str(item.get("title") or "Untitled activity")
    link = p.add_resource_link(
        "rl-" + secrets.token_hex(4),
        course_id,
        title,
        client_id=tool.client_id,
        url=item.get("url"),
        custom=dict(item.get("custom") or {}),
    )
    spec = item.get("lineItem")
    if spec is None:
        return link, None
    line_item = p.add_line_item(
        course_id,
        str(spec.get("label") or title),
        spec["scoreMaximum"],
        resource_link_id=link.id,
        resource_id=spec.get("resourceId"),
        tag=spec.get("tag"),
        client_id=tool.client_id,
    )
    return link, line_item


@bp.post("/lti/deep-link-return")
def deep_link_return() -> ResponseReturnValue:
    p = platform()
    token = request.form.get("JWT")
    if not token:
        raise _bad("the form field JWT is required")
    expected = urlsplit(str(p.deep_link_settings.get("deep_link_return_url") or "")).query
    if expected and request.query_string.decode() != expected:  # e.g. Moodle's sesskey must come back as sent
        raise _bad("the response must be posted to deep_link_return_url exactly as given (query included)")
    tool, claims = _verify(p, token)
    launch = _check_claims(p, tool, claims)
    items = claims.get(s.CLAIM_DL_CONTENT_ITEMS) or []
    if not isinstance(items, list):
        raise _bad("content_items must be a list")
    checked = [_check_item(item, p.strict_deep_link_urls) for item in items]
    with p._lock:
        p.deep_link_requests.pop(launch.hint, None)
        created = [_create(p, tool, launch.course_id, item) for item in checked]
        p.deep_link_responses.append(claims)
    return render_template(
        "deep_link_done.html",
        course=p.courses[launch.course_id],
        links=created,
        msg=claims.get(s.CLAIM_DL_MSG),
        errormsg=claims.get(s.CLAIM_DL_ERRORMSG),
    )
