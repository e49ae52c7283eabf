"""Launch state: launch sessions, and the key-value cache that holds OIDC login state and nonces.

These live in the database rather than in process memory or cookies so that the OIDC login
and the launch can land on different workers, and so that launches work without third-party cookies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow


class LaunchSession(Base):
    """A validated launch; its random id is the bearer of the user's session inside the tool."""

    __tablename__ = "launch_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    course_pk: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), default=None)
    user_pk: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    message_type: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    resource_link_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # Non-personal claims needed later (custom, launch_presentation, deep-linking settings, locale).
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # False until the browser proved it holds the login state (cookie or platform storage).
    browser_verified: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class CacheEntry(Base):
    """Small key-value cache with expiry (access tokens, platform JWKS fetch marks) when Redis is absent."""

    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column()
