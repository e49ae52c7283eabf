"""wallet delivery: OpenID4VCI offers, nonces, delivery outbox

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wallet_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_token_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_length", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("configuration_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("code_expires_at", UTC, nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("access_token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", UTC, nullable=True),
        sa.Column("holder_did", sa.String(length=2048), nullable=True),
        sa.Column("notification_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_wallet_offers_registration_id_registrations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"],
                                name=op.f("fk_wallet_offers_user_id_lms_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_offers")),
        sa.UniqueConstraint("offer_token_hash", name=op.f("uq_wallet_offers_offer_token_hash")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_wallet_offers_code_hash")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_wallet_offers_access_token_hash")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_wallet_offers_notification_id")),
    )
    with op.batch_alter_table("wallet_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_offers_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wallet_offers_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wallet_offers_award_id"), ["award_id"], unique=False)

    op.create_table(
        "wallet_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_nonces")),
        sa.UniqueConstraint("nonce_hash", name=op.f("uq_wallet_nonces_nonce_hash")),
    )
    with op.batch_alter_table("wallet_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_nonces_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "wallet_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("transaction_hash", sa.String(length=64), nullable=True),
        sa.Column("issued_credential_id", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["wallet_offers.id"],
                                name=op.f("fk_wallet_deliveries_offer_id_wallet_offers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_deliveries")),
        sa.UniqueConstraint("offer_id", "channel", name=op.f("uq_wallet_deliveries_offer_id")),
        sa.UniqueConstraint("transaction_hash", name=op.f("uq_wallet_deliveries_transaction_hash")),
    )
    with op.batch_alter_table("wallet_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_deliveries_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wallet_deliveries_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_wallet_deliveries_next_attempt_at"), ["next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_table("wallet_deliveries")
    op.drop_table("wallet_nonces")
    op.drop_table("wallet_offers")
