"""SCORM packages, activities (a resource link playing a package), attempts and their per-SCO run-time state.

A package belongs to a course (``course_id``) of a platform registration (the tenant); its files live in
content storage under ``storage_path`` (relative to the instance folder) and never move once imported.
``summary`` is the JSON of ``scorm.inspect.summarize_manifest`` (what instructors see; what the player
navigates). An attempt keeps, per SCO identifier, the persisted ``RuntimeSession.to_state()`` plus the
bookkeeping of the current session (see ``bridge.services.scorm_attempts``): the raw CMI trail is evidence.
Interaction values are not in that state (only their counts): they are appended to ``ScormInteractionLog``
(``bridge.services.scorm_interactions``). Instructors' previews are attempts flagged ``preview``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow

GRADING_POLICIES = ("best", "last")
SCO_SCORING = ("average", "weighted")
ATTEMPT_STATUSES = ("in_progress", "suspended", "completed", "abandoned")


class ScormPackage(Base):
    __tablename__ = "scorm_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True,
                                                  default=None)
    title: Mapped[str] = mapped_column(String(512), default="")
    version: Mapped[str] = mapped_column(String(16))
    storage_path: Mapped[str] = mapped_column(String(512), unique=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    files: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScormActivity(Base):
    """The SCORM activity behind one resource link, with its attempt rules."""

    __tablename__ = "scorm_activities"
    __table_args__ = (UniqueConstraint("resource_link_pk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_links.id", ondelete="CASCADE"))
    package_id: Mapped[int] = mapped_column(ForeignKey("scorm_packages.id", ondelete="CASCADE"), index=True)
    max_attempts: Mapped[int] = mapped_column(default=0)  # 0: unlimited
    grading_policy: Mapped[str] = mapped_column(String(8), default="last")  # best | last
    sco_scoring: Mapped[str] = mapped_column(String(16), default="average")  # average | weighted
    sco_weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # SCO identifier → weight
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScormAttempt(Base):
    __tablename__ = "scorm_attempts"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("scorm_activities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    # SCO identifier → {"runtime": RuntimeSession.to_state(), "running": bool, "status_set": bool,
    #                   "session": str, "seq": int}
    sco_states: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    current_sco: Mapped[str | None] = mapped_column(String(255), default=None)
    completed: Mapped[bool] = mapped_column(default=False)
    passed: Mapped[bool | None] = mapped_column(default=None)
    score_raw: Mapped[float | None] = mapped_column(default=None)
    score_scaled: Mapped[float | None] = mapped_column(default=None)
    total_seconds: Mapped[float] = mapped_column(default=0.0)
    # Row version (optimistic locking): a beacon racing a fetch for the same attempt cannot lose an update.
    commits: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # An instructor's preview (number 0, credit=no-credit, mode=browse): never counted, rolled up or graded.
    preview: Mapped[bool] = mapped_column(default=False, server_default=false())
    # SCORM 2004 only: {"tree": Sequencer.to_state(), "delivered": SCO id, "session": its run-time session id
    # at delivery} (``bridge.services.scorm_sequencing``); None before the first navigation request.
    sequencing: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    __mapper_args__ = {"version_id_col": commits}


class ScormInteractionLog(Base):
    """Append-only journal of the interaction values SCOs set (SCORM 1.2 RTE 3.4 / SCORM 2004 RTE 4.2.9
    ``cmi.interactions``): a commit appends its new values here in one statement instead of rewriting them
    all in the attempt's state JSON, which keeps only their counts. Later rows win; ``run`` is the run-time
    attempt inside the SCO state (a SCORM 2004 SCO that exits without suspending starts a new one)."""

    __tablename__ = "scorm_interaction_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("scorm_attempts.id", ondelete="CASCADE"), index=True)
    sco: Mapped[str] = mapped_column(String(255))
    run: Mapped[int] = mapped_column(default=1)
    element: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)
