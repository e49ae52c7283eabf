"""Connectors beyond LTI (Moodle Web Services, Canvas REST): per-tenant settings and learner id mappings.

A tenant (platform registration) may add one connector of each kind for facts the LTI grants do not reach.
The access token is stored encrypted (``bridge.services.secrets_box``, AES-GCM bound to the setting's id and
kind); it never appears in a column in clear text, a log line or an error message. ``connector_user_ids``
remembers the outside system's id of a learner found by their LTI ``sub`` (Canvas: ``lti_1_3_id:<sub>``), so
the lookup happens once per learner, not once per sync.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow

CONNECTOR_KINDS = ("moodle", "canvas")


class ConnectorSetting(Base):
    __tablename__ = "connector_settings"
    __table_args__ = (UniqueConstraint("registration_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(String(1024))
    token_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConnectorUserId(Base):
    __tablename__ = "connector_user_ids"
    __table_args__ = (UniqueConstraint("registration_id", "kind", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
