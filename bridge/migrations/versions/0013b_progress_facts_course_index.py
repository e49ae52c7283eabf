"""progress facts: drop the course_id index (the unique (course_id, user_id, activity) index starts with it)

A course sync writes 100,000 facts; every index costs a B-tree insert per fact, and this one answers nothing
the unique index does not (lookups and ON DELETE CASCADE by course use its leading column).

Revision ID: 0013b
Revises: 0003
Create Date: 2026-11-29 22:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0013b"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_progress_facts_course_id"), table_name="progress_facts")


def downgrade() -> None:
    op.create_index(op.f("ix_progress_facts_course_id"), "progress_facts", ["course_id"])
