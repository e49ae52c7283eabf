"""Activities an instructor added to a course through Deep Linking 2.0 (the tool's side of the content items).

Each content item the tool returned carries ``custom.activity_id``; the platform sends it back with every launch of
the resource link it created, which is how a launch finds what was picked: a SCORM package to play, or a
credential-tracked activity (with or without a gradebook column).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow

DEEP_LINK_KINDS = ("scorm", "credential-tracked")


class DeepLinkedActivity(Base):
    __tablename__ = "deep_linked_activities"
    __table_args__ = (UniqueConstraint("registration_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True,
                                                  default=None)
    activity_id: Mapped[str] = mapped_column(String(64))  # the content item's custom.activity_id
    kind: Mapped[str] = mapped_column(String(32))  # one of DEEP_LINK_KINDS
    title: Mapped[str] = mapped_column(String(255))
    package_id: Mapped[int | None] = mapped_column(ForeignKey("scorm_packages.id", ondelete="CASCADE"), index=True,
                                                   default=None)
    score_maximum: Mapped[float | None] = mapped_column(default=None)
    # The first resource link launched with this activity id (a course copy may add more links later).
    resource_link_pk: Mapped[int | None] = mapped_column(ForeignKey("resource_links.id", ondelete="SET NULL"),
                                                         default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
