"""European Digital Credentials delivery: a tenant's EDC endpoints and the outbox of EDC deposits.

:class:`EdcSettings` holds one tenant's (registration's) EDC wallet and EDC Issuer base URLs; the secrets (the
basic-auth password or bearer token, the issuer's e-seal certificate password) are AES-GCM encrypted with the
instance's secret box.  :class:`EdcDelivery` is the outbox record of one deposit of one award to one address:
the address itself is personal data and kept encrypted, its digest makes "this award to this address" unique,
and ``idempotency_key`` is sent along so one award is never deposited twice.  Awards come from a sibling
migration (0005) whose order relative to this one (0010, down_revision 0001) Alembic does not fix, so
``award_id`` and ``issued_credential_id`` are plain ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow

EDC_ROUTES = ("wallet", "issuer")  # wallet: we seal and deposit; issuer: the tenant's EDC Issuer seals and sends
EDC_DELIVERY_STATES = ("pending", "done", "failed")


class EdcSettings(Base):
    __tablename__ = "edc_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    route: Mapped[str] = mapped_column(String(16), default="wallet")
    wallet_url: Mapped[str] = mapped_column(String(2048), default="")
    issuer_url: Mapped[str] = mapped_column(String(2048), default="")
    auth: Mapped[str] = mapped_column(String(8), default="none")  # none | basic | bearer
    username: Mapped[str] = mapped_column(String(255), default="")
    secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    certificate_password_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EdcDelivery(Base):
    """Outbox record: deposit the EDC of one award into one EDC wallet (by wallet address or e-mail)."""

    __tablename__ = "edc_deliveries"
    __table_args__ = (UniqueConstraint("award_id", "target_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    award_id: Mapped[int] = mapped_column(Integer, index=True)
    target_kind: Mapped[str] = mapped_column(String(8))  # wallet | email
    target_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    target_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    route: Mapped[str] = mapped_column(String(16), default="wallet")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    issued_credential_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # "deposited" (the wallet took it now) or "duplicate" (it held it already: a 409); "" until done.
    outcome: Mapped[str] = mapped_column(String(16), default="")
    remote_id: Mapped[str] = mapped_column(String(255), default="")
    viewer_url: Mapped[str] = mapped_column(String(2048), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
