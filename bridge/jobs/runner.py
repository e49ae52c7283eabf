"""Run one job under a database lease and record it as a :class:`~bridge.models.JobRun`.

The lease name is the job and its scope (``sync:course:12``), so the embedded scheduler in every gunicorn
worker, ``bridge sync`` and any number of Celery workers never run the same course at once. While the work
runs, a heartbeat thread renews the lease; if the process dies the lease expires and the next holder marks
the dead run ``abandoned`` and resumes (the sync service continues from its last committed page).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from bridge import metrics
from bridge.jobs.context import JobContext
from bridge.jobs.work import Counts, JobError, last_course_sync
from bridge.models import JobRun
from bridge.models.base import utcnow
from bridge.services import job_locks

log = logging.getLogger("bridge.jobs")


@dataclass
class Outcome:
    status: str  # done | failed | retrying | dead | skipped
    run_id: int | None = None
    counts: Counts = field(default_factory=dict)
    error: str = ""


class _Heartbeat:
    def __init__(self, ctx: JobContext, name: str, owner: str) -> None:
        self.ctx, self.name, self.owner = ctx, name, owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease {name}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(max(0.2, self.ctx.lock_ttl / 3)):
            try:
                if not job_locks.renew(self.ctx.db.sessionmaker, self.name, self.owner, ttl=self.ctx.lock_ttl):
                    log.warning("job lease lost", extra={"job_lock": self.name})
            except Exception:  # noqa: BLE001 - a database blip must not kill the heartbeat; the next beat retries
                log.warning("job lease renewal failed", extra={"job_lock": self.name})

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def lock_name(job: str, scope: str) -> str:
    return f"{job}:{scope}" if scope else job


def run_job(ctx: JobContext, job: str, scope: str, work: Callable[[], Counts], *, runner: str = "embedded",
            attempt: int = 1, final_attempt: bool = True, whole_scope: str = "") -> Outcome:
    """Run ``work`` if the lease ``job:scope`` is free; ``skipped`` when another process holds it.

    A shard of a job (``scope`` = ``whole_scope:shard:k/n``) is also ``skipped`` while the whole, or a shard
    of another cut, is leased (``job_locks.other_partition_held``).
    A :class:`JobError` fails the run for good; any other exception is worth retrying: the outcome is
    ``retrying``, or ``dead`` (the dead-letter list) when ``final_attempt``.
    """
    name, owner = lock_name(job, scope), job_locks.new_owner()
    if not job_locks.acquire(ctx.db.sessionmaker, name, owner, ttl=ctx.lock_ttl):
        metrics.job_finished(job, "skipped", 0.0)
        return Outcome("skipped")
    if whole_scope and job_locks.other_partition_held(ctx.db.sessionmaker, lock_name(job, whole_scope), name):
        job_locks.release(ctx.db.sessionmaker, name, owner)
        metrics.job_finished(job, "skipped", 0.0)
        return Outcome("skipped")
    try:
        with _Heartbeat(ctx, name, owner):
            return _run_locked(ctx, job, scope, work, runner=runner, attempt=attempt, final_attempt=final_attempt)
    finally:
        job_locks.release(ctx.db.sessionmaker, name, owner)


def _start(ctx: JobContext, job: str, scope: str, runner: str, attempt: int) -> int:
    with ctx.db.session() as session:
        # Runs still "running" under a lease we now hold were left by a process that died.
        session.execute(update(JobRun).where(JobRun.job == job, JobRun.scope == scope, JobRun.status == "running")
                        .values(status="abandoned", error="the process running it stopped (lease expired)",
                                finished_at=utcnow()).execution_options(synchronize_session=False))
        run = JobRun(job=job, scope=scope, runner=runner, status="running", attempt=attempt, counts={})
        session.add(run)
        session.commit()
        return run.id


def _run_locked(ctx: JobContext, job: str, scope: str, work: Callable[[], Counts], *, runner: str, attempt: int,
                final_attempt: bool) -> Outcome:
    run_id = _start(ctx, job, scope, runner, attempt)
    started = time.monotonic()
    outcome = Outcome("done", run_id)
    try:
        outcome.counts = work()
    except JobError as err:
        outcome.status, outcome.error = "failed", str(err)
    except Exception as err:  # noqa: BLE001 - LMS, network or database trouble: retry later
        outcome.status, outcome.error = ("dead" if final_attempt else "retrying"), f"{type(err).__name__}: {err}"
    elapsed = time.monotonic() - started
    _finish(ctx, run_id, scope if job == "sync" else "", outcome)  # only a sync run links its course sync
    metrics.job_finished(job, outcome.status, elapsed, outcome.counts)
    log.info("job finished", extra={"job": job, "scope": scope, "status": outcome.status, "run_id": run_id,
                                    "seconds": round(elapsed, 3)})
    return outcome


def _finish(ctx: JobContext, run_id: int, sync_scope: str, outcome: Outcome) -> None:
    counts: dict[str, Any] = dict(outcome.counts)
    with ctx.db.session() as session:
        run = session.get_one(JobRun, run_id)
        run.course_sync_id = counts.pop("course_sync_id", None)
        if run.course_sync_id is None and sync_scope.startswith("course:"):
            run.course_sync_id = last_course_sync(session, int(sync_scope.split(":", 1)[1]))
        run.status, run.counts, run.error, run.finished_at = outcome.status, counts, outcome.error[:4000], utcnow()
        session.commit()
