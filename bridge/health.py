"""Liveness and readiness: ``/healthz`` checks the database answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import text

from bridge.web import db_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    try:
        db_session().execute(text("SELECT 1"))
    except Exception as err:  # noqa: BLE001 - any database failure means "not ready"
        return {"status": "unavailable", "database": type(err).__name__}, 503
    return {"status": "ok", "database": "ok"}, 200
