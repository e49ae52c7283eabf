"""The home page, the browser and headless starts of dynamic registration."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from .errors import ProtocolError
from .views_launch import tool_origins
from .views_oidc import platform

bp = Blueprint("home", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    p = platform()
    with p._lock:
        tools = list(p.tools.values())
    return render_template("home.html", p=p, tools=tools, origins={t.client_id: tool_origins(t) for t in tools})


@bp.post("/api/registration-tokens")
def registration_token() -> ResponseReturnValue:
    """Headless start of dynamic registration (used by `make run` and the tests)."""
    p = platform()
    return jsonify(
        {
            "openid_configuration": p.url("/.well-known/openid-configuration"),
            "registration_token": p.issue_registration_token(),
        }
    ), 201


@bp.get("/tools/register")
def register_tool() -> ResponseReturnValue:
    """Open the tool's registration URL in an iframe and wait for org.imsglobal.lti.close."""
    p = platform()
    tool_url = request.args.get("url", "").strip()
    parts = urlsplit(tool_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProtocolError("invalid_request", "give the tool's registration URL (http or https)")
    query = urlencode(
        {
            "openid_configuration": p.url("/.well-known/openid-configuration"),
            "registration_token": p.issue_registration_token(),
        }
    )
    frame_src = f"{tool_url}{'&' if parts.query else '?'}{query}"
    return render_template("register.html", frame_src=frame_src, tool_origin=f"{parts.scheme}://{parts.netloc}")
