"""Scheduled jobs: leases that let only one process run a given job, and the history of job runs.

A :class:`JobLock` is a lease: whoever holds an unexpired row owns the job; a holder that dies (SIGKILL,
lost machine) simply stops renewing and the lease expires, so nothing needs cleaning up by hand.
A :class:`JobRun` records one run (start, end, counts, error). Course syncs keep their page-level detail in
``course_syncs`` (``bridge.models.lti_services.CourseSync``); a sync job run points at it.
Runs with ``status == "dead"`` failed every retry: they form the dead-letter list shown to admins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow

RUN_STATUSES = ("running", "done", "failed", "retrying", "dead", "skipped")


class JobLock(Base):
    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)  # e.g. "sync:course:12", "delivery"
    owner: Mapped[str] = mapped_column(String(128))  # "<host>:<pid>:<random>" of the holder
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class JobRun(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)  # registry name: "sync", "delivery", …
    scope: Mapped[str] = mapped_column(String(255), default="")  # "course:12", "tenant:3", "" (instance-wide)
    runner: Mapped[str] = mapped_column(String(16), default="embedded")  # embedded | celery | cli
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    attempt: Mapped[int] = mapped_column(default=1)
    # course_syncs.id, without a foreign key: this branch of migrations does not depend on that one's.
    course_sync_id: Mapped[int | None] = mapped_column(default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
