"""scorm attempts: the SCORM 2004 sequencing state of the attempt (SN 4.2 tracking model, JSON of
``scorm.sequencing.Sequencer.to_state()`` plus the player's delivery bookkeeping)

Revision ID: 0015
Revises: 0004
Create Date: 2026-11-29 22:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0004"  # the scorm tables; was depends_on 0004 (see 0010b)
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scorm_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequencing", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scorm_attempts", schema=None) as batch_op:
        batch_op.drop_column("sequencing")
