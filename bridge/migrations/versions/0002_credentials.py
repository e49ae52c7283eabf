"""credential issuers and keys, issued credentials, status lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credential_issuers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("did_method", sa.String(length=8), nullable=False),
        sa.Column("did", sa.String(length=512), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_credential_issuers_registration_id_registrations"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_issuers")),
        sa.UniqueConstraint("did", name=op.f("uq_credential_issuers_did")),
        sa.UniqueConstraint("slug", name=op.f("uq_credential_issuers_slug")),
    )
    with op.batch_alter_table("credential_issuers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_issuers_registration_id"), ["registration_id"], unique=False)

    op.create_table(
        "credential_issuer_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("key_type", sa.String(length=16), nullable=False),
        sa.Column("verification_method", sa.String(length=1024), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("retired_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["issuer_id"], ["credential_issuers.id"],
                                name=op.f("fk_credential_issuer_keys_issuer_id_credential_issuers"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_issuer_keys")),
        sa.UniqueConstraint("verification_method", name=op.f("uq_credential_issuer_keys_verification_method")),
    )
    with op.batch_alter_table("credential_issuer_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_issuer_keys_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "issued_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=1024), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("suspended_at", UTC, nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["credential_issuers.id"],
                                name=op.f("fk_issued_credentials_issuer_id_credential_issuers"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint("public_id", name=op.f("uq_issued_credentials_public_id")),
    )
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_credentials_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed", sa.Text(), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["credential_issuers.id"],
                                name=op.f("fk_status_lists_issuer_id_credential_issuers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_lists_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "status_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("list_index", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("is_set", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["issued_credentials.id"],
                                name=op.f("fk_status_list_entries_credential_id_issued_credentials"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["status_list_id"], ["status_lists.id"],
                                name=op.f("fk_status_list_entries_status_list_id_status_lists"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_list_entries")),
        sa.UniqueConstraint("status_list_id", "list_index",
                            name=op.f("uq_status_list_entries_status_list_id_list_index")),
    )
    with op.batch_alter_table("status_list_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_list_entries_status_list_id"), ["status_list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_list_entries_credential_id"), ["credential_id"], unique=False)


def downgrade() -> None:
    op.drop_table("status_list_entries")
    op.drop_table("status_lists")
    op.drop_table("issued_credentials")
    op.drop_table("credential_issuer_keys")
    op.drop_table("credential_issuers")
