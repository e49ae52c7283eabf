"""connectors beyond LTI: per-tenant Moodle/Canvas settings (token encrypted) and learner id mappings; an index on
issued_credentials.source (the issuance job looks credentials up by their award)

Revision ID: 0011
Revises: 0002
Create Date: 2026-11-29 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0011"
down_revision = "0002"  # issued_credentials; was depends_on 0002 (see 0010b)
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "connector_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("base_url", sa.String(length=1024), nullable=False),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_connector_settings_registration_id_registrations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_settings")),
        sa.UniqueConstraint("registration_id", "kind", name=op.f("uq_connector_settings_registration_id_kind")),
    )
    op.create_index(op.f("ix_connector_settings_registration_id"), "connector_settings", ["registration_id"])
    op.create_table(
        "connector_user_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_connector_user_ids_registration_id_registrations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_connector_user_ids_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_user_ids")),
        sa.UniqueConstraint("registration_id", "kind", "user_id",
                            name=op.f("uq_connector_user_ids_registration_id_kind_user_id")),
    )
    op.create_index(op.f("ix_connector_user_ids_registration_id"), "connector_user_ids", ["registration_id"])
    op.create_index(op.f("ix_connector_user_ids_user_id"), "connector_user_ids", ["user_id"])
    op.create_index(op.f("ix_issued_credentials_source"), "issued_credentials", ["source"])


def downgrade() -> None:
    op.drop_index(op.f("ix_issued_credentials_source"), table_name="issued_credentials")
    op.drop_table("connector_user_ids")
    op.drop_table("connector_settings")
