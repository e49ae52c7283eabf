"""Fault: the database drops every connection in the middle of a course sync (what a PostgreSQL restart does to
its clients; here ``pg_terminate_backend`` on the test database's sessions). The job's run ends ``retrying``,
the next run resumes the course sync, and nothing is duplicated: each member, user and result exactly once."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bridge.jobs.context import JobContext
from bridge.jobs.dispatch import run_course
from bridge.jobs.runner import Outcome
from bridge.models import CourseSync, JobRun, LmsUser, Membership, ProgressFact
from tests.conftest import postgres_database
from tests.support.live_services import FAST_RETRY, Live, start_live, stop_live

ADMIN_URL = os.environ.get("BRIDGE_TEST_POSTGRES_URL", "")
pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def live_pg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Live, str]]:
    if not ADMIN_URL:
        pytest.skip("BRIDGE_TEST_POSTGRES_URL is not set (`.ci/run` starts a PostgreSQL server and sets it)")
    with postgres_database(ADMIN_URL) as url:
        monkeypatch.setenv("BRIDGE_TEST_DATABASE_URL", url)
        live = start_live(tmp_path, page_size=20, members=600)
        try:
            live.lti.register()
            assert live.lti.launch("instructor-1", "rl-quiz").status_code == 303
            yield live, url
        finally:
            stop_live(live)


def _admin(database_url: str, sql: str) -> list[Any]:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute(sql, (make_url(database_url).database,)).fetchall()


def sync_transaction_open(database_url: str) -> bool:
    """True while the sync holds an open transaction with roster pages in it (waiting for the next page)."""
    return bool(_admin(database_url, "SELECT 1 FROM pg_stat_activity WHERE datname = %s "
                                     "AND state = 'idle in transaction' AND pid <> pg_backend_pid() "
                                     "AND (query ILIKE '%%INTO memberships%%' OR query ILIKE 'UPDATE course_syncs%%')"))


def terminate_sessions(database_url: str) -> int:
    """Close every server session of the tool's database, as a restarting server does."""
    rows = _admin(database_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = %s AND pid <> pg_backend_pid()")
    return sum(1 for (ok,) in rows if ok)


def test_a_sync_cut_off_by_the_database_resumes_without_duplicates(live_pg: tuple[Live, str]) -> None:
    live, url = live_pg
    item = next(i for i in live.platform.line_items.values() if i.resource_link_id == "rl-quiz")
    for n in range(1, 3):
        live.platform.record_score(item, "platform", {
            "userId": f"learner-{n}", "scoreGiven": 50 + n, "scoreMaximum": 100, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": "2026-01-01T10:00:00+00:00"})
    live.platform.set_faults(latency_ms=150)  # 31 roster pages: the sync runs for a few seconds
    ctx = JobContext.from_app(live.app, retry=FAST_RETRY)
    with live.session() as session:
        course_pk = live.course(session).id
    outcomes: list[Outcome] = []
    job = threading.Thread(target=lambda: outcomes.append(
        run_course(ctx, course_pk, runner="embedded", final_attempt=False)))
    job.start()

    # Pages of the roster are being stored (not yet committed) while the next one is fetched: cut the sessions
    # then. The sync commits whenever the next page is late, so a cut can land just after a commit — the pool's
    # pre-ping then reconnects and the sync goes on — hence cut again at each open transaction until the run ends.
    deadline = time.monotonic() + 60
    cuts = 0
    while job.is_alive():
        assert time.monotonic() < deadline, "the sync neither ended nor failed"
        if sync_transaction_open(url):
            cuts += terminate_sessions(url)
        time.sleep(0.02)
    job.join(timeout=60)
    assert cuts >= 1, "the sync never held an open transaction"
    assert outcomes and outcomes[0].status == "retrying", outcomes
    assert "OperationalError" in outcomes[0].error  # the database connection was lost, not the LMS

    live.platform.set_faults()
    again = run_course(ctx, course_pk, runner="embedded")
    assert again.status == "done", again.error
    with live.session() as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 603
        assert session.scalar(select(func.count()).select_from(LmsUser)) == 603
        assert session.scalar(select(func.count()).select_from(ProgressFact)) == 2
        assert [s.status for s in session.scalars(select(CourseSync))] == ["done"]  # the cut-off run was continued
        assert sorted(session.scalars(select(JobRun.status))) == ["done", "retrying"]
