"""The launch session inside the tool: found by the ``launch`` parameter (cookie-less) or the launch cookie."""

from __future__ import annotations

from flask import abort, request

from bridge.lti.context import LaunchContext
from bridge.services import launches
from bridge.web import db_session

LAUNCH_COOKIE = "bridge_launch"


def current_launch(*, instructor: bool = False, admin: bool = False) -> LaunchContext:
    launch_id = request.values.get("launch") or request.cookies.get(LAUNCH_COOKIE, "")
    try:
        context = launches.load_context(db_session(), launch_id)
    except launches.SessionError as err:
        abort(401, description=str(err))
    if admin and not context.is_admin:
        abort(403, description="This page is for the tool's administrators (an LMS administrator role).")
    if instructor and not context.is_instructor:
        abort(403, description="This page is for instructors of the course. Your role in this course does not "
                               "allow it.")
    return context
