"""scorm: an append-only journal of interaction values (SCORM 1.2 RTE 3.4, SCORM 2004 RTE 4.2.9 cmi.interactions)

Revision ID: 0012b
Revises: 0012
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012b"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorm_interaction_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("sco", sa.String(length=255), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("element", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["scorm_attempts.id"],
                                name=op.f("fk_scorm_interaction_log_attempt_id_scorm_attempts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_interaction_log")),
    )
    op.create_index(op.f("ix_scorm_interaction_log_attempt_id"), "scorm_interaction_log", ["attempt_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scorm_interaction_log_attempt_id"), table_name="scorm_interaction_log")
    op.drop_table("scorm_interaction_log")
