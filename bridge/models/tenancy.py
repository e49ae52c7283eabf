"""Tenants: platform registrations (issuer, client_id) and their deployments.

A registration is keyed by (issuer, client_id), never by issuer alone: hosted Canvas uses one issuer for
every customer and Blackboard one issuer and one client id with a deployment per institution
(shared/reference/lti.md, "Tenancy").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.models.base import Base, utcnow

DEPLOYMENT_POLICIES = ("accept", "reject")


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(512))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    # Brightspace wants https://api.brightspace.com/auth/token as the client-assertion audience.
    auth_token_audience: Mapped[str | None] = mapped_column(String(1024), default=None)
    key_set_url: Mapped[str] = mapped_column(String(1024))
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    key_set_fetched_at: Mapped[datetime | None] = mapped_column(default=None)
    deployment_policy: Mapped[str] = mapped_column(String(16), default="accept")
    product_family: Mapped[str] = mapped_column(String(64), default="")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_via: Mapped[str] = mapped_column(String(16), default="cli")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    # True when it was first seen in a launch and accepted by the registration's policy.
    auto_recorded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="deployments")


class DynamicRegistrationAttempt(Base):
    """One use of a platform's registration token (single use: a replayed token is refused)."""

    __tablename__ = "dynamic_registration_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    openid_configuration: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="started")
    detail: Mapped[str] = mapped_column(Text, default="")
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
