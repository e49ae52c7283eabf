"""Credential templates (versioned), awarding-body profiles, award rules, awards and their status history.

A template belongs to a tenant (``registration_id``) and either to one course or, with ``course_id`` NULL, to
the tenant's library, reusable by every course of that tenant. Editing a template appends a
:class:`TemplateVersion` holding the full template as ``credentials.microcredential.to_json``; an award points
at the version it was given for, so later edits never change what a learner holds.

A rule says which work in one course earns a template: ``(template_id, course_id)`` is unique, so a library
template can be earned differently in each course. An award is unique per ``(user_id, template_version_id)``:
the database refuses a second one even when two workers race. Status changes (revoke, suspend, reinstate) are
appended to ``award_status_changes`` with a reason and a time; nothing changes an award silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.models.base import Base, utcnow

AWARD_STATUSES = ("active", "revoked", "suspended")
CRITERION_KINDS = ("ags_line_item", "scorm_activity", "connector", "credential")
CONDITIONS = ("completed", "passed", "min_score")
COMBINATIONS = ("all_of", "at_least_n")


class AwardingBody(Base):
    """An issuer / awarding-body profile of a tenant (Annex I: name, country, region, identifiers)."""

    __tablename__ = "awarding_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    name: Mapped[dict[str, Any]] = mapped_column(JSON)  # language map
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(255), default=None)
    url: Mapped[str | None] = mapped_column(String(1024), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    logo_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    eidas_id: Mapped[str | None] = mapped_column(String(255), default=None)
    vat_id: Mapped[str | None] = mapped_column(String(64), default=None)
    erasmus_code: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CredentialTemplate(Base):
    __tablename__ = "credential_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    # NULL: a library template of the tenant, usable in all of its courses.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), default=None,
                                                  index=True)
    current_version: Mapped[int] = mapped_column(default=1)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="TemplateVersion.version"
    )


class TemplateVersion(Base):
    __tablename__ = "credential_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("credential_templates.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(512))  # default-language title, for lists
    body: Mapped[str] = mapped_column(Text)  # credentials.microcredential.to_json(...)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[CredentialTemplate] = relationship(back_populates="versions")


class AwardRule(Base):
    """How learners of one course earn a template: criteria combined all-of or at-least-N-of."""

    __tablename__ = "award_rules"
    __table_args__ = (UniqueConstraint("template_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("credential_templates.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    combination: Mapped[str] = mapped_column(String(16), default="all_of")
    required: Mapped[int | None] = mapped_column(default=None)  # N of at_least_n
    valid_days: Mapped[int | None] = mapped_column(default=None)  # validity period of an award, None = no end
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    criteria: Mapped[list[AwardCriterion]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="AwardCriterion.position"
    )


class AwardCriterion(Base):
    __tablename__ = "award_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("award_rules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    # Line item URL, SCORM activity id, or the id of another credential template (as text).
    target: Mapped[str] = mapped_column(String(1024))
    condition: Mapped[str] = mapped_column(String(16), default="completed")
    min_score: Mapped[float | None] = mapped_column(default=None)  # percent, for min_score
    label: Mapped[str] = mapped_column(String(512), default="")

    rule: Mapped[AwardRule] = relationship(back_populates="criteria")


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("user_id", "template_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("credential_templates.id", ondelete="CASCADE"), index=True)
    template_version_id: Mapped[int] = mapped_column(
        ForeignKey("credential_template_versions.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"), default=None)
    # {"rule": {...}, "criteria": [{"criterion": {...}, "satisfied": true, "facts": [...]}]} or the manual reason.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    method: Mapped[str] = mapped_column(String(16), default="rule")  # rule | manual | import
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(default=None)

    history: Mapped[list[AwardStatusChange]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="AwardStatusChange.id"
    )


class AwardStatusChange(Base):
    """One status change of an award (the first row records the award itself)."""

    __tablename__ = "award_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16), default=None)
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"), default=None)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    award: Mapped[Award] = relationship(back_populates="history")


class ApiToken(Base):
    """A per-tenant REST API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
