"""Operations: request ids, structured JSON logs, ``/metrics`` (Prometheus text format) and ``/readyz``.

Request ids: an incoming ``X-Request-Id`` (letters, digits, ``._-``, at most 64) is kept, otherwise one is
made; it is echoed in the response and put on every log record of the request. JSON logs
(``BRIDGE_LOG_FORMAT=json``) carry the message, level, logger, request id and a fixed list of extra fields
(job names, ids, statuses, durations): never names, e-mails, tokens or query strings.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bridge import metrics
from bridge.db import alembic_config

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Extra fields a log record may carry into JSON (ids and measurements only).
LOG_FIELDS = ("job", "scope", "status", "run_id", "seconds", "job_lock", "jobs", "method", "path", "status_code",
              "endpoint", "course_pk", "registration_id")
log = logging.getLogger("bridge.http")
bp = Blueprint("ops", __name__)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                                 "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            entry["request_id"] = rid
        entry.update({name: getattr(record, name) for name in LOG_FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__  # the type only: messages may quote data
        return json.dumps(entry, default=str)


def configure_logging(level: str, fmt: str) -> None:
    if fmt != "json":
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
    root.setLevel(level)


def request_id_for(incoming: str) -> str:
    """The request id: the caller's ``X-Request-Id`` when it is a safe one, otherwise a new one."""
    return incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def observe_request(config: Mapping[str, Any], method: str, path: str, endpoint: str | None, status_code: int,
                    elapsed: float) -> None:
    """Count a finished request for ``/metrics`` and, with JSON logs, log it (ids and measurements only)."""
    metrics.requests_of(status_code).inc()
    if endpoint == "lti.launch":
        metrics.LAUNCHES.labels("ok" if status_code < 400 else "refused").inc()
        metrics.LAUNCH_SECONDS.observe(elapsed)
    if config.get("LOG_FORMAT") == "json":
        log.info("request", extra={"method": method, "path": path, "endpoint": endpoint,
                                   "status_code": status_code, "seconds": round(elapsed, 4)})


def _begin() -> None:
    rid = request_id_for(request.headers.get("X-Request-Id", ""))
    g.request_id, g.request_started = rid, time.perf_counter()
    g.request_id_token = request_id.set(rid)


def _end(response: Response) -> Response:
    rid = g.get("request_id")
    if rid is None:
        return response
    response.headers["X-Request-Id"] = rid
    observe_request(current_app.config, request.method, request.path, request.endpoint, response.status_code,
                    time.perf_counter() - g.request_started)
    return response


def _teardown(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id.reset(token)


@bp.get("/metrics")
def metrics_view() -> Response:
    totals = CollectorRegistry()
    totals.register(metrics.DatabaseTotals(current_app.extensions["bridge"].db.sessionmaker))
    body = generate_latest(metrics.REGISTRY) + generate_latest(totals)
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready when the database answers and its schema is at every migration head."""
    db = current_app.extensions["bridge"].db
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_heads()
    except Exception as err:  # noqa: BLE001 - any database failure means "not ready"
        return {"status": "unavailable", "database": type(err).__name__}, 503
    # The version table holds only heads: compare every revision with what the stored heads stand for, so an
    # old database names each migration it lacks, not just the merge revision on top.
    script: ScriptDirectory = current_app.extensions["bridge_migrations"]
    applied = {revision.revision for revision in script.iterate_revisions(current, "base")}
    missing = set(current_app.extensions["bridge_revisions"]) - applied
    if missing:
        return {"status": "unavailable", "database": "ok", "migrations": "behind", "missing": sorted(missing)}, 503
    return {"status": "ok", "database": "ok", "migrations": "at head"}, 200


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"], str(app.config.get("LOG_FORMAT", "text")))
    script = ScriptDirectory.from_config(alembic_config(app.config["DATABASE_URL"]))
    app.extensions["bridge_revisions"] = tuple(revision.revision for revision in script.walk_revisions())
    app.extensions["bridge_migrations"] = script
    app.before_request(_begin)
    app.after_request(_end)
    app.teardown_request(_teardown)
    from bridge.admin.jobs import bp as admin_jobs_bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_jobs_bp)
