"""Instructor home of a course (credential templates and rules arrive with later issues)."""

from __future__ import annotations

from flask import Blueprint, render_template

from bridge.lti.session import current_launch

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.get("/")
def home() -> str:
    ctx = current_launch(instructor=True)
    return render_template("instructor/home.html", ctx=ctx)


@bp.get("/deep-link")
def deep_link() -> str:
    ctx = current_launch(instructor=True)
    return render_template("instructor/deep_link.html", ctx=ctx)
