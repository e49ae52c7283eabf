"""The credential jobs: "issuance" signs one credential per pending award (exactly once, also with two workers
racing for the course), learners without an e-mail are left to the wallet; "status_lists" re-signs exactly the
lists that changed, and /status/<id> serves what it signed."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from bridge.jobs.context import JobContext
from bridge.jobs.dispatch import courses_for, run_course, run_global
from bridge.jobs.registry import Entry
from bridge.models import Award, IssuedCredential, JobLock, JobRun, StatusEntry, StatusList
from bridge.models.base import utcnow
from bridge.services import awards, job_locks, status_lists
from bridge.services import credential_templates as templates
from tests.support.awards_data import make_tenant, sample_template


@pytest.fixture
def course(app: Flask) -> int:
    """A course with three learners holding an active award; two of them have an e-mail address."""
    with app.extensions["bridge"].db.session() as session:
        tenant = make_tenant(session, learners=3)
        tenant.learners[0].email, tenant.learners[1].email = "ada@example.edu", "alan@example.edu"
        tpl = templates.save_template(session, registration_pk=tenant.registration.id, course_pk=tenant.course.id,
                                      template=sample_template())
        for user in tenant.learners:
            awards.award_manually(session, tpl, user.id, tenant.course.id, reason="finished the project", by=None,
                                  now=utcnow())
        session.commit()
        return tenant.course.id


def issued(app: Flask) -> list[IssuedCredential]:
    with app.extensions["bridge"].db.session() as session:
        return list(session.scalars(select(IssuedCredential).order_by(IssuedCredential.id)))


def test_pending_awards_are_issued_once(app: Flask, course: int) -> None:
    ctx = JobContext.from_app(app)
    assert courses_for(ctx, Entry(key="issuance", job="issuance", cron="* * * * *")) == [course]
    first = run_course(ctx, course, runner="embedded", job="issuance")
    assert first.status == "done" and first.counts == {"issued": 2, "waiting_for_wallet": 1, "failed": 0}
    credentials = issued(app)
    with app.extensions["bridge"].db.session() as session:
        awarded = {f"award:{a.id}" for a in session.scalars(select(Award)) if a.user_id in (1, 2)}
    assert {c.source for c in credentials} == awarded and {c.format for c in credentials} == {"ob3-rdfc"}
    body = json.loads(credentials[0].content)
    assert body["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "ada@example.edu" not in credentials[0].content  # the e-mail is only there hashed
    assert body["credentialSubject"]["identifier"][0]["hashed"] is True
    again = run_course(ctx, course, runner="embedded", job="issuance")
    assert again.counts == {"issued": 0, "waiting_for_wallet": 1, "failed": 0} and len(issued(app)) == 2
    assert courses_for(ctx, Entry(key="issuance", job="issuance", cron="* * * * *")) == [course]  # the wallet one


def test_a_revoked_award_is_not_issued(app: Flask, course: int) -> None:
    with app.extensions["bridge"].db.session() as session:
        award = session.scalars(select(Award).where(Award.user_id == 1)).one()
        awards.change_status(session, award, "revoked", reason="plagiarism", by=None, now=utcnow())
        session.commit()
    outcome = run_course(JobContext.from_app(app), course, runner="embedded", job="issuance")
    assert outcome.counts["issued"] == 1 and [c.source for c in issued(app)] == ["award:2"]


def test_two_workers_racing_for_a_course_issue_each_award_once(app: Flask, course: int) -> None:
    barrier, outcomes = threading.Barrier(2), []

    def worker() -> None:
        ctx = JobContext.from_app(app)
        barrier.wait()
        outcomes.append(run_course(ctx, course, runner="celery", job="issuance").status)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whichever order they ran in, each award has exactly one credential.
    assert set(outcomes) <= {"done", "skipped"} and "done" in outcomes
    sources = [c.source for c in issued(app)]
    assert len(sources) == len(set(sources)) == 2


def test_status_lists_are_published_when_they_change(app: Flask, course: int) -> None:
    ctx = JobContext.from_app(app)
    run_course(ctx, course, runner="embedded", job="issuance")
    assert run_global(ctx, "status_lists", runner="embedded").counts == {"published": 1, "current": 0}
    assert run_global(ctx, "status_lists", runner="embedded").counts == {"published": 0, "current": 1}
    with app.extensions["bridge"].db.session() as session:
        credential = session.scalars(select(IssuedCredential)).first()
        assert credential is not None and status_lists.revoke(session, credential, reason="test")
        list_id = session.scalars(select(StatusList.id)).one()
    assert run_global(ctx, "status_lists", runner="embedded").counts == {"published": 1, "current": 0}
    with app.extensions["bridge"].db.session() as session:
        stored = session.get_one(StatusList, list_id)
        assert stored.signed_version == stored.version and stored.signed is not None
        response = app.test_client().get(f"/status/{list_id}")
        served: Any = json.loads(response.get_data(as_text=True))
        assert served == json.loads(stored.signed)
        assert session.scalar(select(func.count()).select_from(StatusList)) == 1


def test_shards_of_a_course_issue_each_award_once(app: Flask, course: int) -> None:
    ctx = JobContext.from_app(app)
    outcomes = [run_course(ctx, course, runner="celery", job="issuance", shard=(k, 2)) for k in range(2)]
    assert [o.status for o in outcomes] == ["done", "done"]
    assert sum(o.counts["issued"] for o in outcomes) == 2 and {o.counts["shard"] for o in outcomes} == {"0/2", "1/2"}
    assert sum(o.counts["waiting_for_wallet"] for o in outcomes) == 1
    again = [run_course(ctx, course, runner="celery", job="issuance", shard=(k, 2)) for k in range(2)]
    assert sum(o.counts["issued"] for o in again) == 0 and len({c.source for c in issued(app)}) == len(issued(app)) == 2
    with app.extensions["bridge"].db.session() as session:
        scopes = set(session.scalars(select(JobRun.scope).where(JobRun.job == "issuance")))
    assert scopes == {f"course:{course}:shard:0/2", f"course:{course}:shard:1/2"}  # each shard visible in the history


def test_a_whole_course_run_and_a_shard_never_overlap(app: Flask, course: int) -> None:
    ctx = JobContext.from_app(app)
    sessions = app.extensions["bridge"].db.sessionmaker
    assert job_locks.acquire(sessions, f"issuance:course:{course}:shard:1/4", "other-worker", ttl=60)
    assert run_course(ctx, course, runner="embedded", job="issuance").status == "skipped"
    assert run_course(ctx, course, runner="celery", job="issuance", shard=(0, 2)).status == "skipped"  # other cut
    assert run_course(ctx, course, runner="celery", job="issuance", shard=(0, 4)).status == "done"  # same cut
    job_locks.release(sessions, f"issuance:course:{course}:shard:1/4", "other-worker")
    assert job_locks.acquire(sessions, f"issuance:course:{course}", "embedded-elsewhere", ttl=60)
    assert run_course(ctx, course, runner="celery", job="issuance", shard=(1, 4)).status == "skipped"
    with sessions() as session:  # the skipped shard gave its lease back
        assert list(session.scalars(select(JobLock.name))) == [f"issuance:course:{course}"]


def test_revocation_indices_reserved_in_blocks_are_all_used_or_given_back(app: Flask, course: int) -> None:
    ctx = JobContext.from_app(app)
    with app.extensions["bridge"].db.session() as session:
        award = session.scalars(select(Award).where(Award.user_id == 2)).one()
        awards.change_status(session, award, "revoked", reason="plagiarism", by=None, now=utcnow())
        session.commit()
    assert run_course(ctx, course, runner="embedded", job="issuance").counts["issued"] == 1
    with app.extensions["bridge"].db.session() as session:
        entries = list(session.scalars(select(StatusEntry)))
        assert len(entries) == 1 and entries[0].credential_id == issued(app)[0].id
        assert session.scalars(select(StatusList.used)).one() == 1
