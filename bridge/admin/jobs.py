"""Admin screen for scheduled jobs: sync history (start, end, counts, errors), queue state, dead letters."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from bridge.admin.auth import admin_principal
from bridge.jobs.celery_app import queue_length
from bridge.jobs.registry import plan
from bridge.services import job_history
from bridge.web import db_session

bp = Blueprint("admin_jobs", __name__, url_prefix="/admin")


@bp.get("/jobs")
def jobs() -> str:
    admin_principal()
    session, c = db_session(), current_app.config
    return render_template("admin/jobs.html", runs=job_history.recent_runs(session),
                           dead=job_history.dead_letters(session), locks=job_history.held_locks(session),
                           schedule=plan(c), scheduler=c.get("SCHEDULER", "embedded"),
                           queued=queue_length(c.get("REDIS_URL") or ""), redis=bool(c.get("REDIS_URL")),
                           launch=request.values.get("launch"))
