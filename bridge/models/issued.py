"""Issued credentials, stored exactly as signed, and the Bitstring Status Lists they point to.

A :class:`StatusList` is one list per issuer and purpose (revocation, suspension); each credential holds a
:class:`StatusEntry` (a randomly chosen index, unique per list by constraint, so two workers can never take
the same index).  Whether a bit is set lives on the entry row, so revoking is one row update; the list's
``bits`` and its signed credential are derived from the entries and cached with a ``version``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.models.base import Base, utcnow

CREDENTIAL_FORMATS = ("ob3-rdfc", "ob3-jcs", "ob3-jwt", "vc-jose", "edc")


class IssuedCredential(Base):
    __tablename__ = "issued_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable: the public link is /credentials/<public_id>.
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    credential_id: Mapped[str] = mapped_column(String(1024))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("credential_issuers.id", ondelete="RESTRICT"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(64))
    # The credential exactly as signed (JSON text or compact JWS); never re-serialised.
    content: Mapped[str] = mapped_column(Text)
    # Which template / award it came from (free text; the awards domain links it later). No personal data.
    # Indexed: the issuance job asks "has award N a credential?" for every pending award.
    source: Mapped[str] = mapped_column(String(255), default="", index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    suspended_at: Mapped[datetime | None] = mapped_column(default=None)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # The learner's switch for the public page /credentials/<public_id> (on unless they turn it off).
    public_page: Mapped[bool] = mapped_column(default=True, server_default=true())

    status_entries: Mapped[list[StatusEntry]] = relationship(back_populates="credential", order_by="StatusEntry.id")


class StatusList(Base):
    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("credential_issuers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    # Raw bitstring (size / 8 bytes), derived from the entries; index 0 is the left-most bit.
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The signed BitstringStatusListCredential for ``signed_version`` (re-signed when the list changes).
    signed: Mapped[str | None] = mapped_column(Text, default=None)
    signed_version: Mapped[int] = mapped_column(Integer, default=0)
    full: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusEntry(Base):
    __tablename__ = "status_list_entries"
    __table_args__ = (UniqueConstraint("status_list_id", "list_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id", ondelete="CASCADE"), index=True)
    list_index: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_credentials.id", ondelete="CASCADE"), default=None, index=True
    )
    is_set: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    credential: Mapped[IssuedCredential | None] = relationship(back_populates="status_entries")
    status_list: Mapped[StatusList] = relationship()
