"""The tool's own signing keys (RSA, RS256). Private keys are stored encrypted (see services/keys.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow


class ToolKey(Base):
    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    alg: Mapped[str] = mapped_column(String(16), default="RS256")
    public_pem: Mapped[str] = mapped_column(Text)
    private_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a newer key took over; the key stays in the JWKS until ``expires_at``.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
