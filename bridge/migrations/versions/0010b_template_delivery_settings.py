"""per-template delivery settings: OpenID4VCI transaction code required or not

Revision ID: 0010b
Revises: 0010, 0005
Create Date: 2026-11-29 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0010b"
# credential_templates comes from the awards branch (0005). Once a depends_on, now a second parent: a depends_on
# target stays a "head" to ScriptDirectory but not in alembic_version, and a merge over it fails (KeyError).
down_revision = ("0010", "0005")
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "template_delivery_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("tx_code_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["credential_templates.id"],
                                name=op.f("fk_template_delivery_settings_template_id_credential_templates"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_delivery_settings")),
        sa.UniqueConstraint("template_id", name=op.f("uq_template_delivery_settings_template_id")),
    )


def downgrade() -> None:
    op.drop_table("template_delivery_settings")
