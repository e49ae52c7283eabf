"""What the admin jobs screen shows: recent job runs with their course sync detail, dead letters, held leases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import CourseSync, JobLock, JobRun
from bridge.models.base import utcnow


@dataclass(frozen=True, slots=True)
class RunRow:
    run: JobRun
    course_sync: CourseSync | None

    @property
    def seconds(self) -> float | None:
        if self.run.finished_at is None:
            return None
        return round((self.run.finished_at - self.run.started_at).total_seconds(), 2)


def recent_runs(session: Session, *, limit: int = 50, status: str | None = None) -> list[RunRow]:
    query = select(JobRun, CourseSync).outerjoin(CourseSync, CourseSync.id == JobRun.course_sync_id)
    if status is not None:
        query = query.where(JobRun.status == status)
    rows = session.execute(query.order_by(JobRun.id.desc()).limit(limit))
    return [RunRow(run, sync) for run, sync in rows]


def dead_letters(session: Session, *, limit: int = 100) -> list[RunRow]:
    """Runs that failed every retry: an administrator should look at the error (LMS down, grant revoked…)."""
    return recent_runs(session, limit=limit, status="dead")


def held_locks(session: Session, *, now: datetime | None = None) -> list[JobLock]:
    return list(session.scalars(select(JobLock).where(JobLock.expires_at > (now or utcnow()))
                                .order_by(JobLock.name)))
