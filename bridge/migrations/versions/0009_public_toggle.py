"""issued credentials: the learner's switch for the public credential page

Revision ID: 0009
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing credentials keep their public page (server default true), as before this switch existed.
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_page", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.drop_column("public_page")
