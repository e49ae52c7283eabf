"""Progress facts: what a learner did in an activity (completed, passed, score), whatever reported it.

One current row per (course, learner, activity) in ``progress_facts``; every change also moves the replaced version
to ``progress_history`` so award rules (a later issue) and audits can see how a fact evolved. ``activity`` is a
stable key inside the course: ``ags:<line item URL>`` for gradebook columns, ``scorm:<id>`` for SCORM
activities, ``connector:<name>:<id>`` for other systems. ``source`` says who reported the fact.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow

SOURCES = ("ags", "scorm", "connector")


class ProgressFact(Base):
    __tablename__ = "progress_facts"
    __table_args__ = (UniqueConstraint("course_id", "user_id", "activity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (course_id, user_id, activity) index starts with it (migration 0013b).
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    activity: Mapped[str] = mapped_column(String(1100))
    completed: Mapped[bool] = mapped_column(default=False)
    passed: Mapped[bool | None] = mapped_column(default=None)
    score: Mapped[float | None] = mapped_column(default=None)
    maximum: Mapped[float | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(16))
    # When the fact became true at its source (or when it was first observed, if the source does not say).
    observed_at: Mapped[datetime] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProgressHistory(Base):
    """Every replaced version of a fact (the current version is the ``progress_facts`` row itself)."""

    __tablename__ = "progress_history"
    __table_args__ = (UniqueConstraint("fact_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("progress_facts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    completed: Mapped[bool] = mapped_column()
    passed: Mapped[bool | None] = mapped_column(default=None)
    score: Mapped[float | None] = mapped_column(default=None)
    maximum: Mapped[float | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(16))
    observed_at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
