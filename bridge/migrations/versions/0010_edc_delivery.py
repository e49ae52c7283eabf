"""EDC delivery: per-tenant EDC wallet/issuer settings (secrets encrypted) and the EDC deposit outbox

Revision ID: 0010
Revises: 0001
Create Date: 2026-11-29 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "edc_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("wallet_url", sa.String(length=2048), nullable=False),
        sa.Column("issuer_url", sa.String(length=2048), nullable=False),
        sa.Column("auth", sa.String(length=8), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("certificate_password_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_edc_settings_registration_id_registrations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edc_settings")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_edc_settings_registration_id")),
    )
    op.create_table(
        "edc_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=8), nullable=False),
        sa.Column("target_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("target_hash", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("issued_credential_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=255), nullable=False),
        sa.Column("viewer_url", sa.String(length=2048), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_edc_deliveries_registration_id_registrations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"],
                                name=op.f("fk_edc_deliveries_user_id_lms_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edc_deliveries")),
        sa.UniqueConstraint("award_id", "target_hash", name=op.f("uq_edc_deliveries_award_id_target_hash")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_edc_deliveries_idempotency_key")),
    )
    with op.batch_alter_table("edc_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_edc_deliveries_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_edc_deliveries_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_edc_deliveries_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_edc_deliveries_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_edc_deliveries_next_attempt_at"), ["next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_table("edc_deliveries")
    op.drop_table("edc_settings")
