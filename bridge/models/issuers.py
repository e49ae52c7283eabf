"""Credential issuers: the issuer profile (per tenant registration, or the instance default) and its keys.

An issuer is identified by a DID: ``did:web`` (the default issuer at ``/.well-known/did.json``, others at
``/issuers/<slug>/did.json``) or ``did:key``.  Each issuer holds keys per algorithm — Ed25519 (Multikey, Data
Integrity), P-256 (ES256) and RSA (RS256) for JOSE — with private keys encrypted at rest by
:class:`bridge.services.secrets_box.SecretBox`.  A rotated key gets ``retired_at`` and signs nothing new, but
stays in the DID document so that credentials it signed still verify.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.models.base import Base, utcnow

DID_METHODS = ("web", "key")
KEY_TYPES = ("Ed25519", "P-256", "RSA")
DEFAULT_SLUG = "default"


class Issuer(Base):
    __tablename__ = "credential_issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "default" for the instance's own issuer; a URL path segment for the others.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(1024), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    did_method: Mapped[str] = mapped_column(String(8), default="web")
    did: Mapped[str] = mapped_column(String(512), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    keys: Mapped[list[IssuerKey]] = relationship(
        back_populates="issuer", cascade="all, delete-orphan", order_by="IssuerKey.id"
    )


class IssuerKey(Base):
    __tablename__ = "credential_issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("credential_issuers.id", ondelete="CASCADE"), index=True)
    key_type: Mapped[str] = mapped_column(String(16))
    # The DID URL of the verification method (``did:web:…#ed25519-3`` or ``did:key:z6Mk…#z6Mk…``).
    verification_method: Mapped[str] = mapped_column(String(1024), unique=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    private_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by rotation: the key signs nothing new but stays published for what it signed.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    issuer: Mapped[Issuer] = relationship(back_populates="keys")
