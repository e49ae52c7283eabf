"""scheduled jobs: job leases and job run history

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("acquired_at", UTC(timezone=True), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_locks")),
    )
    op.create_index(op.f("ix_job_locks_expires_at"), "job_locks", ["expires_at"])
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("runner", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("course_sync_id", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.Column("finished_at", UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index(op.f("ix_job_runs_job"), "job_runs", ["job"])
    op.create_index(op.f("ix_job_runs_status"), "job_runs", ["status"])
    op.create_index(op.f("ix_job_runs_started_at"), "job_runs", ["started_at"])


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("job_locks")
