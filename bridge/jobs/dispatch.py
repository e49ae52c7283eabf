"""What a scheduled entry means in work: a course job runs once per course of its tenants, a global job once."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.jobs import credential_work, outbox_work, work
from bridge.jobs.context import JobContext
from bridge.jobs.registry import JOBS, Entry, course_scope
from bridge.jobs.runner import Outcome, run_job
from bridge.models import Registration

GLOBAL_WORK: dict[str, Callable[[JobContext], work.Counts]] = {
    "delivery": work.deliver_grades,
    "outbox": outbox_work.deliver_credentials,
    "platform_keys": work.refresh_platform_keys,
    "cleanup": work.cleanup_expired,
    "status_lists": credential_work.publish_status_lists,
}
# Course jobs: what runs for one course, and which of a tenant's courses the job fans out to.
COURSE_WORK: dict[str, Callable[[JobContext, int], work.Counts]] = {
    "sync": lambda ctx, course_pk: work.sync_course(ctx, course_pk),
    "issuance": credential_work.issue_pending,
}
COURSE_LISTS: dict[str, Callable[[Session, int], list[int]]] = {
    "sync": work.courses_to_sync,
    "issuance": credential_work.courses_with_pending,
}


def courses_for(ctx: JobContext, entry: Entry) -> list[int]:
    """Every course an entry of a course job covers (the fan-out list)."""
    with ctx.db.session() as session:
        registrations = list(session.scalars(select(Registration.id).order_by(Registration.id)))
        lister = COURSE_LISTS[entry.job]
        return [pk for reg in course_scope(entry, registrations) for pk in lister(session, reg)]


# Course jobs whose work splits into shards (k, n), so several workers share one course (Celery fan-out).
SHARDED_WORK: dict[str, Callable[[JobContext, int, tuple[int, int]], work.Counts]] = {
    "issuance": credential_work.issue_pending,
}


def shard_count(ctx: JobContext, job: str) -> int:
    """How many shards the Celery fan-out cuts one course's ``job`` into (1: not sharded)."""
    if job not in SHARDED_WORK:
        return 1
    return max(1, int(ctx.config.get(f"JOB_{job.upper()}_SHARDS") or 1))


def run_course(ctx: JobContext, course_pk: int, *, runner: str, job: str = "sync", attempt: int = 1,
               final_attempt: bool = True, shard: tuple[int, int] = (0, 1)) -> Outcome:
    """Run ``job`` for the course, or for its shard ``(k, n)`` under the lease ``job:course:<id>:shard:k/n``.

    The whole course (n = 1) and every cut of it exclude each other (see ``runner.run_job``), so an award is
    never issued by two runs at once whatever mix of embedded runs and Celery shards is about.
    """
    scope = f"course:{course_pk}"
    if shard[1] <= 1:
        whole = scope if job in SHARDED_WORK else ""
        return run_job(ctx, job, scope, lambda: COURSE_WORK[job](ctx, course_pk), runner=runner, attempt=attempt,
                       final_attempt=final_attempt, whole_scope=whole)
    return run_job(ctx, job, f"{scope}:shard:{shard[0]}/{shard[1]}",
                   lambda: SHARDED_WORK[job](ctx, course_pk, shard), runner=runner, attempt=attempt,
                   final_attempt=final_attempt, whole_scope=scope)


def run_global(ctx: JobContext, job: str, *, runner: str, attempt: int = 1, final_attempt: bool = True) -> Outcome:
    return run_job(ctx, job, "", lambda: GLOBAL_WORK[job](ctx), runner=runner, attempt=attempt,
                   final_attempt=final_attempt)


def run_entry(ctx: JobContext, entry: Entry, *, runner: str) -> list[Outcome]:
    """Run an entry in this process, course after course (the embedded scheduler's way)."""
    if JOBS[entry.job][1] == "course":
        return [run_course(ctx, pk, runner=runner, job=entry.job) for pk in courses_for(ctx, entry)]
    return [run_global(ctx, entry.job, runner=runner)]
