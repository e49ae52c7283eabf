"""What a scheduled entry means in work: a course job runs once per course of its tenants, a global job once."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bridge.jobs import outbox_work, work
from bridge.jobs.context import JobContext
from bridge.jobs.registry import JOBS, Entry, course_scope
from bridge.jobs.runner import Outcome, run_job
from bridge.models import Registration

GLOBAL_WORK: dict[str, Callable[[JobContext], work.Counts]] = {
    "delivery": work.deliver_grades,
    "outbox": outbox_work.deliver_credentials,
    "platform_keys": work.refresh_platform_keys,
    "cleanup": work.cleanup_expired,
}


def courses_for(ctx: JobContext, entry: Entry) -> list[int]:
    """Every course an entry of a course job covers (the fan-out list)."""
    with ctx.db.session() as session:
        registrations = list(session.scalars(select(Registration.id).order_by(Registration.id)))
        return [pk for reg in course_scope(entry, registrations) for pk in work.courses_to_sync(session, reg)]


def run_course(ctx: JobContext, course_pk: int, *, runner: str, attempt: int = 1,
               final_attempt: bool = True) -> Outcome:
    return run_job(ctx, "sync", f"course:{course_pk}", lambda: work.sync_course(ctx, course_pk), runner=runner,
                   attempt=attempt, final_attempt=final_attempt)


def run_global(ctx: JobContext, job: str, *, runner: str, attempt: int = 1, final_attempt: bool = True) -> Outcome:
    return run_job(ctx, job, "", lambda: GLOBAL_WORK[job](ctx), runner=runner, attempt=attempt,
                   final_attempt=final_attempt)


def run_entry(ctx: JobContext, entry: Entry, *, runner: str) -> list[Outcome]:
    """Run an entry in this process, course after course (the embedded scheduler's way)."""
    if JOBS[entry.job][1] == "course":
        return [run_course(ctx, pk, runner=runner) for pk in courses_for(ctx, entry)]
    return [run_global(ctx, entry.job, runner=runner)]
