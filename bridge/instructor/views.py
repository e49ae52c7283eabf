"""Instructor home of a course and the deep-linking picker (credential templates and rules arrive later)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, current_app, render_template, request

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
    return render_template("instructor/deep_link.html", ctx=ctx, rows=range(PICKER_ROWS), error=None)


@bp.post("/deep-link")
def deep_link_respond() -> tuple[str, int] | str:
    ctx = current_launch(instructor=True)
    try:
        picks = _picks(request.form)
        answer = deep_linking.build_response(
            deep_linking.settings_for(db_session(), ctx.launch_id), picks,
            key=key_service.signing_key(db_session(), bridge_services().box), issuer=ctx.issuer,
            client_id=ctx.client_id, deployment_id=ctx.deployment_id,
            launch_url=public_urls(current_app.config["BASE_URL"])["launch"])
    except deep_linking.DeepLinkError as err:
        return render_template("instructor/deep_link.html", ctx=ctx, rows=range(PICKER_ROWS), error=str(err)), 400
    return render_template("instructor/deep_link_return.html", answer=answer)


def _picks(form: Mapping[str, str]) -> list[deep_linking.PickedActivity]:
    picks = []
    for row in range(PICKER_ROWS):
        title, maximum = form.get(f"title-{row}", "").strip(), form.get(f"max-{row}", "").strip()
        if not title:
            continue
        try:
            score = float(maximum) if maximum else None
        except ValueError as err:
            raise deep_linking.DeepLinkError(f"The maximum score of {title!r} must be a number.") from err
        picks.append(deep_linking.PickedActivity(title=title[:255], score_maximum=score))
    return picks
