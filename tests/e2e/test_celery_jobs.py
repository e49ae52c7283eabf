"""Celery workers (real subprocesses, ``bridge worker --pool solo``) against a real Redis: the same course sync
as the embedded scheduler, end to end against the sandbox over HTTP; and a worker SIGKILLed mid-sync whose
job is redelivered, resumed from the last committed page by another worker, with nothing duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bridge.jobs.celery_app import make_celery
from bridge.models import CourseSync, IssuedCredential, JobRun, LmsUser, Membership, StatusEntry
from bridge.models.base import utcnow
from bridge.services import awards
from bridge.services import credential_templates as templates
from tests.conftest import TEST_SECRET
from tests.support.awards_data import make_tenant, sample_template
from tests.support.live_services import Live, start_live, stop_live

pytestmark = pytest.mark.e2e
REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "")
if not REDIS_URL:
    pytest.skip("BRIDGE_TEST_REDIS_URL is not set (`.ci/run` starts a Redis server and sets it)",
                allow_module_level=True)


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _live(tmp_path: Path, members: int, page_size: int = 2) -> Live:
    live = start_live(tmp_path, members=members, page_size=page_size)
    live.lti.register()
    assert live.lti.launch("instructor-1", "rl-quiz").status_code == 303
    live.app.config["REDIS_URL"] = REDIS_URL
    return live


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []
    logs: list[Any] = []

    def start(live: Live, **env: str) -> subprocess.Popen[bytes]:
        environment = {**os.environ, "BRIDGE_DATABASE_URL": live.app.config["DATABASE_URL"],
                       "BRIDGE_SECRET_KEY": TEST_SECRET, "BRIDGE_BASE_URL": live.app.config["BASE_URL"],
                       "BRIDGE_INSTANCE_DIR": live.app.config["INSTANCE_DIR"], "BRIDGE_REDIS_URL": REDIS_URL,
                       "BRIDGE_LOG_LEVEL": "WARNING", "BRIDGE_KEY_SIZE": "2048", **env}
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - closed in teardown
        logs.append(log)
        process = subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--pool", "solo",
                                    "--loglevel", "WARNING"], env=environment, stdout=log, stderr=log)
        started.append(process)
        return process

    _flush_redis()
    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    for log in logs:
        log.close()
    _flush_redis()


def _wait_for(check: Any, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def _finished_runs(live: Live) -> list[JobRun]:
    with live.session() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == "sync", JobRun.status == "done")))


def test_a_celery_worker_runs_the_same_end_to_end_sync(tmp_path: Path, workers: Any) -> None:
    live = _live(tmp_path, members=0)
    try:
        workers(live)
        make_celery(live.app).send_task("bridge.fanout", args=("sync",))
        runs = _wait_for(lambda: _finished_runs(live))
        assert len(runs) == 1 and runs[0].runner == "celery" and runs[0].counts["members"] == 3
        with live.session() as session:
            assert session.scalar(select(func.count()).select_from(Membership)) == 3
    finally:
        stop_live(live)


def test_a_worker_killed_mid_sync_is_resumed_by_another_and_nothing_is_duplicated(tmp_path: Path,
                                                                                workers: Any) -> None:
    # 3,003 members, 100 per page: 31 roster pages; the sync commits about every 5,000 rows (2,500 members).
    live = _live(tmp_path, members=3000, page_size=100)
    fast_takeover = {"BRIDGE_JOB_LOCK_TTL_SECONDS": "2", "BRIDGE_CELERY_VISIBILITY_TIMEOUT": "3",
                     "BRIDGE_JOB_RETRY_BACKOFF_SECONDS": "1"}
    try:
        live.platform.set_faults(latency_ms=400)
        first = workers(live, **fast_takeover)
        make_celery(live.app).send_task("bridge.fanout", args=("sync",))

        def some_pages_committed() -> bool:
            with live.session() as session:
                return (session.scalar(select(func.count()).select_from(Membership)) or 0) >= 2000

        _wait_for(some_pages_committed)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with live.session() as session:
            partial = session.scalar(select(func.count()).select_from(Membership)) or 0
            assert partial < 3003  # killed mid-sync
        live.platform.set_faults()
        workers(live, **fast_takeover)
        runs = _wait_for(lambda: _finished_runs(live), timeout=120)
        assert runs[0].counts["resumed"] is True
        with live.session() as session:
            statuses = sorted(session.scalars(select(JobRun.status).where(JobRun.job == "sync")))
            assert "abandoned" in statuses and statuses.count("done") == 1
            assert session.scalar(select(func.count()).select_from(Membership)) == 3003
            assert session.scalar(select(func.count()).select_from(LmsUser)) == 3003
            syncs = list(session.scalars(select(CourseSync)))
            assert len(syncs) == 1 and syncs[0].status == "done"  # the killed run itself was continued
    finally:
        stop_live(live)


def _awarded_course(live: Any, learners: int) -> Any:
    """A course whose learners (each with an e-mail) all hold a pending award: issuance work for the shards."""
    with live.session() as session:
        tenant = make_tenant(session, learners=learners)
        for n, user in enumerate(tenant.learners):
            user.email = f"learner-{n}@example.edu"
        template = templates.save_template(session, registration_pk=tenant.registration.id,
                                           course_pk=tenant.course.id, template=sample_template())
        for user in tenant.learners:
            awards.award_manually(session, template, user.id, tenant.course.id, reason="done", by=None,
                                  now=utcnow())
        session.commit()
        return tenant


def test_two_workers_share_one_course_s_issuance_in_shards_and_issue_each_award_once(tmp_path: Path,
                                                                                     workers: Any) -> None:
    live = _live(tmp_path, members=0)
    try:
        tenant = _awarded_course(live, learners=24)
        workers(live, BRIDGE_JOB_ISSUANCE_SHARDS="3")
        workers(live, BRIDGE_JOB_ISSUANCE_SHARDS="3")
        make_celery(live.app).send_task("bridge.fanout", args=("issuance",))

        def shards_done() -> list[JobRun]:
            with live.session() as session:
                runs = list(session.scalars(select(JobRun).where(JobRun.job == "issuance", JobRun.status == "done")))
            return runs if len(runs) == 3 else []

        runs = _wait_for(shards_done, timeout=120)
        course = tenant.course.id
        assert {r.scope for r in runs} == {f"course:{course}:shard:{k}/3" for k in range(3)}
        assert sum(r.counts["issued"] for r in runs) == 24 and all(r.counts["issued"] == 8 for r in runs)
        with live.session() as session:
            sources = list(session.scalars(select(IssuedCredential.source)))
            assert len(sources) == len(set(sources)) == 24
            assert session.scalar(select(func.count()).select_from(StatusEntry)
                                  .where(StatusEntry.credential_id.is_(None))) == 0  # no reserved index left over
    finally:
        stop_live(live)


def test_a_worker_killed_mid_shard_is_taken_over_and_no_award_is_issued_twice(tmp_path: Path,
                                                                              workers: Any) -> None:
    live = _live(tmp_path, members=0)
    takeover = {"BRIDGE_JOB_LOCK_TTL_SECONDS": "2", "BRIDGE_CELERY_VISIBILITY_TIMEOUT": "3",
                "BRIDGE_JOB_RETRY_BACKOFF_SECONDS": "1", "BRIDGE_JOB_ISSUANCE_SHARDS": "2"}
    try:
        tenant = _awarded_course(live, learners=400)
        first = workers(live, **takeover)
        make_celery(live.app).send_task("bridge.fanout", args=("issuance",))

        def credentials() -> int:
            with live.session() as session:
                return session.scalar(select(func.count()).select_from(IssuedCredential)) or 0

        _wait_for(lambda: credentials() >= 30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert credentials() < 400  # killed mid-shard
        workers(live, **takeover)

        def shards_done() -> list[JobRun]:
            with live.session() as session:
                runs = list(session.scalars(select(JobRun).where(JobRun.job == "issuance", JobRun.status == "done")))
            return runs if {r.scope for r in runs} == {f"course:{tenant.course.id}:shard:{k}/2" for k in (0, 1)} \
                else []

        _wait_for(shards_done, timeout=120)
        with live.session() as session:
            sources = list(session.scalars(select(IssuedCredential.source)))
            assert len(sources) == len(set(sources)) == 400  # every award once, none twice
            assert "abandoned" in set(session.scalars(select(JobRun.status).where(JobRun.job == "issuance")))
            unused = session.scalar(select(func.count()).select_from(StatusEntry)
                                    .where(StatusEntry.credential_id.is_(None))) or 0
            assert unused <= 50  # at most the killed run's reserved block stays unused
    finally:
        stop_live(live)
