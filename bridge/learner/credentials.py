"""Learner screen: progress towards each credential of the course, what is still missing, earned credentials."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template

from bridge.lti.session import current_launch
from bridge.services import award_reports
from bridge.web import db_session

bp = Blueprint("learner_credentials", __name__, url_prefix="/learner/credentials")


@bp.get("/")
def progress() -> str:
    ctx = current_launch()
    if ctx.course_pk is None:
        abort(400, description="Open this page from a course in your learning platform.")
    session = db_session()
    items = award_reports.learner_progress(session, ctx.registration_pk, ctx.course_pk, ctx.user_pk,
                                           now=datetime.now(UTC))
    return render_template("learner/credentials.html", ctx=ctx, progress=items,
                           earned=award_reports.earned(session, ctx.user_pk))
