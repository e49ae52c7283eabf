"""scorm attempts: instructors' no-credit previews (SCORM 1.2 RTE 3.4.4 cmi.core.credit / lesson_mode;
SCORM 2004 RTE 4.2.5 cmi.credit, 4.2.16 cmi.mode)

Revision ID: 0012
Revises: 0004
Create Date: 2026-11-29 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0004"  # the scorm tables; was depends_on 0004 (see 0010b)
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scorm_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preview", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("scorm_attempts", schema=None) as batch_op:
        batch_op.drop_column("preview")
