"""Learner progress page of a course (credentials and progress arrive with later issues)."""

from __future__ import annotations

from flask import Blueprint, render_template

from bridge.lti.session import current_launch

bp = Blueprint("learner", __name__, url_prefix="/learner")


@bp.get("/")
def progress() -> str:
    ctx = current_launch()
    return render_template("learner/progress.html", ctx=ctx)
