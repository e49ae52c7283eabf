"""LTI Names and Role Provisioning Services 2.0: the course membership container.

Paging follows `Link: <…?Page=TOKEN&limit=N>; rel="next"` where the parameter name and the opaque
token are mixed case, as on Canvas: a client that lower-cases URLs gets a 400, not a silent loop.
`rel="differences"` points at `?since=TOKEN`, answering members changed since that response.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from . import scopes as s
from .errors import ProtocolError
from .models import Course, Membership
from .oauth import inject_faults, require_scope
from .paging import json_response, limit_arg, require_accept, url_with
from .platform import Platform
from .views_oidc import platform

bp = Blueprint("nrps", __name__)
bp.before_request(inject_faults)


def _token(p: Platform, prefix: str, state: dict[str, Any]) -> str:
    token = prefix + secrets.token_urlsafe(9)
    with p._lock:
        p.page_tokens[token] = state
    return token


def _state(p: Platform, course: Course) -> dict[str, Any]:
    """The query as sent on the first page, or as saved behind a next-page token."""
    if "page" in request.args:
        raise ProtocolError(
            "invalid_request",
            "unknown parameter 'page': follow the next link exactly as given (is the client lower-casing URLs?)",
        )
    token = request.args.get("Page")
    if token is not None:
        state = p.page_tokens.get(token)
        if state is None or state["course_id"] != course.id:
            raise ProtocolError("invalid_request", "unknown or altered Page token: follow the next link as given")
        return state
    since = request.args.get("since")
    since_state = p.page_tokens.get(since) if since is not None else None
    if since is not None and (since_state is None or "seq" not in since_state):
        raise ProtocolError("invalid_request", "unknown since token: use the differences link as given")
    rlid = request.args.get("rlid")
    if rlid is not None and getattr(p.resource_links.get(rlid), "course_id", None) != course.id:
        raise ProtocolError("invalid_request", f"rlid {rlid!r} is not a resource link of {course.id}")
    return {
        "course_id": course.id,
        "offset": 0,
        "limit": limit_arg(p.page_size),
        "role": request.args.get("role"),
        "rlid": rlid,
        "since": since_state["seq"] if since_state else None,
    }


def _role_matches(roles: list[str], wanted: str) -> bool:
    return any(r == wanted or r.rsplit("#", 1)[-1] == wanted.rsplit("#", 1)[-1] for r in roles)


def _member_json(p: Platform, member: Membership) -> dict[str, Any]:
    user = p.users[member.user_id]
    body: dict[str, Any] = {
        "status": member.status,
        "user_id": user.id,
        "roles": list(member.roles),
        "lis_person_sourcedid": user.id,
    }
    for key in ("name", "given_name", "family_name", "email"):
        if getattr(user, key):
            body[key] = getattr(user, key)
    return body


@bp.get("/api/lti/courses/<course_id>/memberships")
def memberships(course_id: str) -> ResponseReturnValue:
    p = platform()
    require_scope(p, [s.NRPS_MEMBERSHIP_READONLY])
    require_accept(s.MEDIA_MEMBERSHIP_CONTAINER)
    course = p.courses.get(course_id)
    if course is None:
        raise ProtocolError("not_found", f"no course {course_id!r}", 404)
    state = _state(p, course)
    with p._lock:
        seq_now = p.membership_seq()
        if state["since"] is None:
            members = [m for m in course.members.values() if m.status != "Deleted"]
        else:
            changed = p.changed_since(course.id, state["since"])
            members = [m for m in course.members.values() if m.user_id in changed]
    if state["role"]:
        members = [m for m in members if _role_matches(m.roles, state["role"])]
    start, limit = state["offset"], state["limit"]
    base = p.url(request.path)
    links = [f'<{url_with(base, {"since": _token(p, "Sn", {"seq": seq_now})})}>; rel="differences"']
    if start + limit < len(members):
        token = _token(p, "Pg", {**state, "offset": start + limit})
        links.insert(0, f'<{url_with(base, {"Page": token, "limit": limit})}>; rel="next"')
    body = {
        "id": request.url,
        "context": {"id": course.id, "label": course.label, "title": course.title},
        "members": [_member_json(p, m) for m in members[start : start + limit]],
    }
    response = json_response(body, s.MEDIA_MEMBERSHIP_CONTAINER)
    response.headers["Link"] = ", ".join(links)
    return response
