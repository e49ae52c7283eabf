"""Launch initiation (LTI Core 1.3 §5.1.1 third-party initiated login) and the course player page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from . import scopes as s
from .errors import ProtocolError
from .models import Tool
from .platform import Platform
from .views_oidc import platform

bp = Blueprint("launch", __name__)


def _pick_tool(p: Platform, link_client_id: str | None) -> Tool:
    client_id = request.args.get("client_id") or link_client_id
    if client_id:
        tool = p.tools.get(client_id)
        if tool is None:
            raise ProtocolError("invalid_client", f"no tool with client_id {client_id!r} is registered")
        return tool
    if not p.tools:
        raise ProtocolError("invalid_request", "no tool is registered yet: register one from the home page")
    return list(p.tools.values())[-1]


def _storage_on(p: Platform) -> bool:
    flag = request.args.get("storage")
    return p.platform_storage if flag is None else flag == "1"


def _initiate(resource_link_id: str, message_type: str) -> ResponseReturnValue:
    from .forms import autosubmit

    p = platform()
    link = p.resource_links.get(resource_link_id) or abort(404)
    user_id = request.args.get("user", "")
    if user_id not in p.users:
        raise ProtocolError("invalid_request", f"unknown user {user_id!r}: pass ?user=<user id>")
    tool = _pick_tool(p, link.client_id)
    if message_type == s.DEEP_LINKING_REQUEST and tool.deep_link_url is None:
        raise ProtocolError("invalid_request", f"tool {tool.name!r} did not register for deep linking")
    rl_id = link.id if message_type == s.RESOURCE_LINK_REQUEST else None
    launch = p.create_launch(tool.client_id, user_id, link.course_id, rl_id, message_type)
    if message_type == s.DEEP_LINKING_REQUEST:
        target = tool.deep_link_url or tool.target_link_uri
    else:
        target = link.url or tool.target_link_uri
    fields = {
        "iss": p.issuer,
        "login_hint": user_id,
        "target_link_uri": target,
        "lti_message_hint": launch.hint,
        "client_id": tool.client_id,
        "lti_deployment_id": tool.deployment_id,
    }
    if _storage_on(p):
        fields["lti_storage_target"] = "_parent"
    return autosubmit(tool.initiate_login_uri, fields, title=f"Opening {tool.name}…")


@bp.get("/launch/<resource_link_id>")
def launch(resource_link_id: str) -> ResponseReturnValue:
    return _initiate(resource_link_id, s.RESOURCE_LINK_REQUEST)


@bp.get("/launch/<resource_link_id>/deep-link")
def deep_link(resource_link_id: str) -> ResponseReturnValue:
    return _initiate(resource_link_id, s.DEEP_LINKING_REQUEST)


@bp.get("/course/<course_id>/play/<resource_link_id>")
def play(course_id: str, resource_link_id: str) -> ResponseReturnValue:
    """The course page: the tool in an iframe named tool-frame, plus LTI Platform Storage."""
    p = platform()
    course = p.courses.get(course_id) or abort(404)
    link = p.resource_links.get(resource_link_id) or abort(404)
    if link.course_id != course.id:
        abort(404)
    tool = _pick_tool(p, link.client_id)
    args = {k: v for k, v in request.args.items() if k in ("user", "client_id", "storage")}
    endpoint = "launch.deep_link" if request.args.get("deep_link") == "1" else "launch.launch"
    src = url_for(endpoint, resource_link_id=link.id, **args)  # type: ignore[arg-type]
    return render_template(
        "play.html",
        course=course,
        link=link,
        tool=tool,
        src=src,
        origins=sorted(tool_origins(tool)),
        user=p.users.get(args.get("user", "")),
    )


def tool_origins(tool: Tool) -> set[str]:
    """The origins a tool may post messages from: those of its registered URLs."""
    from urllib.parse import urlsplit

    urls = [tool.initiate_login_uri, tool.target_link_uri, *tool.redirect_uris]
    if tool.deep_link_url:
        urls.append(tool.deep_link_url)
    return {f"{u.scheme}://{u.netloc}" for u in map(urlsplit, urls) if u.scheme and u.netloc}
