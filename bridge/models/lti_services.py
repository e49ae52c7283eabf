"""LTI Advantage service state: course line items seen in AGS, sync runs (resumable), the grade outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow


class CourseLineItem(Base):
    """A gradebook column of a course, as the platform's line item service last described it."""

    __tablename__ = "course_line_items"
    __table_args__ = (UniqueConstraint("course_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    label: Mapped[str] = mapped_column(String(512), default="")
    score_maximum: Mapped[float] = mapped_column()
    resource_id: Mapped[str | None] = mapped_column(String(255), default=None)
    resource_link_id: Mapped[str | None] = mapped_column(String(255), default=None)
    tag: Mapped[str | None] = mapped_column(String(255), default=None)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseSync(Base):
    """One course's sync run. ``resume`` remembers the last good page so a failed run continues there."""

    __tablename__ = "course_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | failed | done
    # {"phase": "roster"|"lineitems"|"results", "url": next page to fetch, "lineitem": index, ...}
    resume: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # NRPS rel="differences" of the last complete roster read: the next sync asks only for changes.
    differences_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class GradeOutbox(Base):
    """A result waiting to be posted to the LMS gradebook (AGS score), retried with backoff.

    ``status``: pending → sent, or superseded (a newer result exists), or failed (the LMS refused it).
    """

    __tablename__ = "grade_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    activity: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(512), default="")
    score_given: Mapped[float | None] = mapped_column(default=None)
    score_maximum: Mapped[float] = mapped_column()
    activity_progress: Mapped[str] = mapped_column(String(16))
    grading_progress: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    result_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    lineitem_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
