"""Wallet delivery: OpenID4VCI credential offers, their one-time codes, nonces and the delivery outbox.

Secrets are never stored in the clear: the offer token (the ``credential_offer_uri`` path), the
pre-authorized code, the transaction code and the access token are kept as SHA-256 / HMAC digests.
An offer points at what it offers (an award, or the sample template) by plain ids rather than foreign
keys: the awards and issued-credential tables come from sibling migrations (0002, 0005) whose order
relative to this one (0006, down_revision 0001) Alembic does not fix.

A :class:`Delivery` is the outbox record of one delivery (one per offer and channel, never two): a job
signs and hands over the credential, retrying with backoff; ``last_error`` says in plain words what failed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.models.base import Base, utcnow

OFFER_STATES = ("offered", "token_issued", "pending", "issued", "accepted", "failed", "deleted", "expired", "locked")
DELIVERY_STATES = ("pending", "done", "failed")


class WalletOffer(Base):
    __tablename__ = "wallet_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    tx_code_length: Mapped[int | None] = mapped_column(Integer, default=None)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                        default=None, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), default=None,
                                                index=True)
    # "award" (award_id set) or "sample" (the sample template, for integrators).
    source: Mapped[str] = mapped_column(String(16), default="award")
    award_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    # Sample offers only: who the sample is made out to (an e-mail address or a DID; test data).
    recipient: Mapped[str] = mapped_column(String(320), default="")
    configuration_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="offered")
    code_expires_at: Mapped[datetime] = mapped_column()
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    access_token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    holder_did: Mapped[str | None] = mapped_column(String(2048), default=None)
    notification_id: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="offer", cascade="all, delete-orphan",
                                                      order_by="Delivery.id")


class WalletNonce(Base):
    """A ``c_nonce`` handed out by the nonce endpoint: valid until ``expires_at``, usable once."""

    __tablename__ = "wallet_nonces"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class Delivery(Base):
    """Outbox record: deliver one credential of one offer through one channel (``oid4vci``…)."""

    __tablename__ = "wallet_deliveries"
    # Named as migration 0006 created it (the naming convention would say ..._offer_id_channel).
    __table_args__ = (UniqueConstraint("offer_id", "channel", name="uq_wallet_deliveries_offer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("wallet_offers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="oid4vci")
    # What to sign: {"configuration_id": …, "holder_did": …}.
    request: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The deferred-issuance handle (its SHA-256); the wallet polls with it.
    transaction_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    issued_credential_id: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    offer: Mapped[WalletOffer] = relationship(back_populates="deliveries")
