"""Scheduled jobs: the embedded scheduler syncing a course end to end against the sandbox over real HTTP,
database leases under two threads (SQLite and PostgreSQL), takeover after a holder died, dead letters on
the admin screen, /metrics, /readyz, request ids and JSON logs, and launches with Redis down."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bridge.jobs.context import JobContext
from bridge.jobs.embedded import EmbeddedScheduler
from bridge.jobs.registry import ScheduleError, plan
from bridge.jobs.runner import run_job
from bridge.jobs.work import JobError
from bridge.models import CourseSync, JobRun, Membership, ProgressFact
from bridge.ops import JsonFormatter
from bridge.services import job_locks
from tests.conftest import tool_config
from tests.support.launch_actions import LaunchActions
from tests.support.live_services import FAST_RETRY, Live, live_fixture  # noqa: F401  (the `live` fixture)

ADMIN = ("admin", "admin-password-for-tests")


def _wait_for(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


@pytest.mark.e2e
def test_embedded_scheduler_syncs_a_course_end_to_end(live: Live) -> None:
    item = next(i for i in live.platform.line_items.values() if i.resource_link_id == "rl-quiz")
    live.platform.record_score(item, "platform", {"userId": "learner-1", "scoreGiven": 80, "scoreMaximum": 100,
                                                  "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                                                  "timestamp": "2026-01-01T10:00:00+00:00"})
    ctx = JobContext.from_app(live.app, retry=FAST_RETRY)
    scheduler = EmbeddedScheduler(ctx, plan(live.app.config)).start()
    try:
        scheduler.run_now("sync")
        with live.session() as session:
            run = _wait_for(lambda: session.scalars(select(JobRun).where(JobRun.job == "sync",
                                                                         JobRun.status != "running")).first())
            assert (run.status, run.runner, run.scope) == ("done", "embedded", f"course:{live.course(session).id}")
            assert run.counts["members"] == 3 and run.counts["results"] == 1 and run.counts["created"] == 1
            assert session.get_one(CourseSync, run.course_sync_id).status == "done"
            assert session.scalar(select(func.count()).select_from(Membership)) == 3
            assert session.scalars(select(ProgressFact.score)).all() == [80.0]
    finally:
        scheduler.shutdown()


@pytest.fixture
def admin_app(tmp_path: Path, database_url: str) -> Any:
    from bridge import create_app

    application = create_app(tool_config(tmp_path, DATABASE_URL=database_url, ADMIN_PASSWORD=ADMIN[1],
                                         JOB_LOCK_TTL_SECONDS=30))
    yield application
    application.extensions["bridge"].db.dispose()


def test_the_lease_lets_only_one_of_two_threads_run_a_job(admin_app: Flask) -> None:
    ctx = JobContext.from_app(admin_app)
    barrier, ran, outcomes = threading.Barrier(2), [], []

    def work() -> dict[str, Any]:
        ran.append(threading.get_ident())
        time.sleep(0.5)
        return {"n": 1}

    def contender() -> None:
        barrier.wait()
        outcomes.append(run_job(ctx, "sync", "course:1", work, runner="embedded").status)

    threads = [threading.Thread(target=contender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "skipped"] and len(ran) == 1
    # Released after the run: the next one may go.
    assert run_job(ctx, "sync", "course:1", work).status == "done" and len(ran) == 2


def test_an_expired_lease_is_taken_over_and_the_dead_run_is_marked_abandoned(admin_app: Flask) -> None:
    ctx = JobContext.from_app(admin_app)
    sessions = ctx.db.sessionmaker
    assert job_locks.acquire(sessions, "cleanup", "dead-worker", ttl=0.2)
    with sessions() as session:
        session.add(JobRun(job="cleanup", scope="", runner="celery", status="running", counts={}))
        session.commit()
    assert run_job(ctx, "cleanup", "", lambda: {}).status == "skipped"  # the lease is still valid
    time.sleep(0.3)
    assert run_job(ctx, "cleanup", "", lambda: {"ok": 1}).status == "done"
    with sessions() as session:
        assert sorted(session.scalars(select(JobRun.status))) == ["abandoned", "done"]


def test_failures_retry_then_become_dead_letters_shown_to_admins(admin_app: Flask) -> None:
    ctx = JobContext.from_app(admin_app)

    def lms_down() -> dict[str, Any]:
        raise ConnectionError("LMS at https://lms.example unreachable")

    assert run_job(ctx, "delivery", "", lms_down, final_attempt=False).status == "retrying"
    assert run_job(ctx, "delivery", "", lms_down, attempt=2, final_attempt=True).status == "dead"

    def not_possible() -> dict[str, Any]:
        raise JobError("course 9 offers no roster or gradebook service")

    assert run_job(ctx, "sync", "course:9", not_possible, final_attempt=False).status == "failed"
    page = admin_app.test_client().get("/admin/jobs", auth=ADMIN).get_data(as_text=True)
    assert page.count('class="dead-letter"') == 1 and "unreachable" in page
    assert admin_app.test_client().get("/admin/jobs").status_code == 401


def test_schedules_have_defaults_and_per_tenant_overrides(admin_app: Flask) -> None:
    config = {**admin_app.config, "JOB_TENANT_SCHEDULES": '{"7": {"sync": "0 2 * * *"}}'}
    entries = {entry.key: entry for entry in plan(config)}
    assert entries["sync"].cron == "*/30 * * * *" and entries["sync"].exclude == (7,)
    assert entries["sync:tenant:7"].cron == "0 2 * * *" and entries["sync:tenant:7"].tenants == (7,)
    with pytest.raises(ScheduleError, match="BRIDGE_JOB_DELIVERY_CRON"):
        plan({**admin_app.config, "JOB_DELIVERY_CRON": "every minute"})


def test_metrics_parse_and_count_launches(registered: LaunchActions, client: Any) -> None:
    assert registered.launch("learner-1", "rl-intro").status_code == 303
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    assert {"bridge_launches", "bridge_launch_seconds", "bridge_job_runs", "bridge_awards",
            "bridge_issued_credentials", "bridge_grade_outbox", "bridge_course_syncs"} <= set(families)
    ok = [s.value for s in families["bridge_launches"].samples if s.labels.get("outcome") == "ok"]
    assert ok and ok[0] >= 1


def test_readyz_says_which_migration_is_missing(admin_app: Flask) -> None:
    from sqlalchemy import text

    with admin_app.extensions["bridge"].db.engine.begin() as connection:
        # As if stamped at the heads before the merge revision 0016, without 0011.
        connection.execute(text("DELETE FROM alembic_version"))
        for version in ("0006", "0007", "0009", "0010b", "0012b", "0013", "0013b", "0015"):
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    ready = admin_app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json == {"status": "unavailable", "database": "ok",
                                                       "migrations": "behind", "missing": ["0011", "0016"]}


def test_readyz_and_request_ids(client: Any) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"status": "ok", "database": "ok", "migrations": "at head"}
    assert client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-Id": "bad id; <script>"}).headers["X-Request-Id"]
    assert len(made) == 32 and made.isalnum()


def test_json_logs_carry_the_request_id_and_only_listed_fields() -> None:
    record = logging.LogRecord("bridge.jobs", logging.INFO, __file__, 1, "job finished", None, None)
    record.job, record.email, record.request_id = "sync", "grace@example.edu", "rid-1"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "rid-1" and entry["job"] == "sync" and "email" not in json.dumps(entry)


def test_launches_keep_working_with_redis_down(tmp_path: Path, sandbox_server: Any, platform: Any) -> None:
    from bridge import create_app

    app = create_app(tool_config(tmp_path, REDIS_URL="redis://127.0.0.1:9/0", ADMIN_PASSWORD=ADMIN[1],
                                 LOG_FORMAT="json"))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    http_log = logging.getLogger("bridge.http")
    http_log.addHandler(handler)
    http_log.setLevel(logging.INFO)
    try:
        lti = LaunchActions(app.test_client(), sandbox_server.url, platform)
        lti.register()
        assert lti.launch("learner-1", "rl-intro").status_code == 303
        page = app.test_client().get("/admin/jobs", auth=ADMIN).get_data(as_text=True)
        assert "Redis does not answer" in page
    finally:
        http_log.removeHandler(handler)
        http_log.setLevel(logging.NOTSET)
        app.extensions["bridge"].db.dispose()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line.get("request_id") for line in lines)
    assert "Grace" not in stream.getvalue() and "id_token" not in stream.getvalue()
