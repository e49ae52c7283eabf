"""Instructor home of a course and the deep-linking picker (credential templates and rules arrive later)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from bridge.lti.context import LaunchContext
from bridge.lti.session import current_launch
from bridge.services import deep_linking
from bridge.services import keys as key_service
from bridge.urls import public_urls
from bridge.web import bridge_services, db_session

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.get("/")
def home() -> str:
    ctx = current_launch(instructor=True)
    return render_template("instructor/home.html", ctx=ctx)


PICKER_ROWS = 3


@bp.get("/deep-link")
def deep_link() -> str:
    ctx = current_launch(instructor=True)
    return _picker(ctx, None)


def _picker(ctx: LaunchContext, error: str | None) -> str:
    options = deep_linking.picker_options(db_session(), ctx.registration_pk, ctx.course_pk)
    return render_template("instructor/deep_link.html", ctx=ctx, rows=range(PICKER_ROWS), options=options,
                           error=error)


@bp.post("/deep-link")
def deep_link_respond() -> tuple[str, int] | str:
    ctx = current_launch(instructor=True)
    try:
        answer = deep_linking.respond(
            db_session(), ctx.launch_id, _picks(request.form), registration_pk=ctx.registration_pk,
            course_pk=ctx.course_pk, key=key_service.signing_key(db_session(), bridge_services().box),
            issuer=ctx.issuer, client_id=ctx.client_id, deployment_id=ctx.deployment_id,
            launch_url=public_urls(current_app.config["BASE_URL"])["launch"])
    except deep_linking.DeepLinkError as err:
        db_session().rollback()
        return _picker(ctx, str(err)), 400
    return render_template("instructor/deep_link_return.html", answer=answer)


def _picks(form: MultiDict[str, str]) -> list[deep_linking.PickedActivity]:
    """Ticked packages and earlier activities (``package``/``activity`` fields), then the filled-in new rows."""
    picks = [deep_linking.PickedActivity(title="", score_maximum=_maximum(form, f"package-max-{key}", "package"),
                                         kind=deep_linking.SCORM_KIND, package_id=int(key))
             for key in form.getlist("package") if key.isdigit()]
    picks += [deep_linking.PickedActivity(title="", activity_id=key[:64]) for key in form.getlist("activity") if key]
    for row in range(PICKER_ROWS):
        title = form.get(f"title-{row}", "").strip()
        if title:
            picks.append(deep_linking.PickedActivity(title=title[:255], score_maximum=_maximum(form, f"max-{row}",
                                                                                               title)))
    return picks


def _maximum(form: Mapping[str, str], field: str, what: str) -> float | None:
    raw = form.get(field, "").strip()
    try:
        return float(raw) if raw else None
    except ValueError as err:
        raise deep_linking.DeepLinkError(f"The maximum score of {what!r} must be a number.") from err
