"""Per-template delivery settings: whether an OpenID4VCI offer of the template's awards needs a transaction code.

A template without a row requires one (the safe default: a leaked offer link alone does not hand out the
credential).  Instructors switch it off for templates whose learners use wallets that cannot send a code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow


class TemplateDeliverySettings(Base):
    __tablename__ = "template_delivery_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("credential_templates.id", ondelete="CASCADE"), unique=True)
    tx_code_required: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
