"""progress facts and history, course line items, sync runs, grade outbox

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "progress_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=1100), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("maximum", sa.Double(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("observed_at", UTC(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_progress_facts_course_id_courses"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_progress_facts_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_facts")),
        sa.UniqueConstraint("course_id", "user_id", "activity",
                            name=op.f("uq_progress_facts_course_id_user_id_activity")),
    )
    op.create_index(op.f("ix_progress_facts_course_id"), "progress_facts", ["course_id"])
    op.create_index(op.f("ix_progress_facts_user_id"), "progress_facts", ["user_id"])
    op.create_table(
        "progress_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("maximum", sa.Double(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("observed_at", UTC(timezone=True), nullable=False),
        sa.Column("recorded_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["fact_id"], ["progress_facts.id"],
                                name=op.f("fk_progress_history_fact_id_progress_facts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_history")),
        sa.UniqueConstraint("fact_id", "version", name=op.f("uq_progress_history_fact_id_version")),
    )
    op.create_index(op.f("ix_progress_history_fact_id"), "progress_history", ["fact_id"])
    op.create_table(
        "course_line_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("label", sa.String(length=512), nullable=False),
        sa.Column("score_maximum", sa.Double(), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=True),
        sa.Column("resource_link_id", sa.String(length=255), nullable=True),
        sa.Column("tag", sa.String(length=255), nullable=True),
        sa.Column("synced_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_course_line_items_course_id_courses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_line_items")),
        sa.UniqueConstraint("course_id", "url", name=op.f("uq_course_line_items_course_id_url")),
    )
    op.create_index(op.f("ix_course_line_items_course_id"), "course_line_items", ["course_id"])
    op.create_table(
        "course_syncs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resume", sa.JSON(), nullable=False),
        sa.Column("differences_url", sa.String(length=1024), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.Column("finished_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_course_syncs_course_id_courses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_syncs")),
    )
    op.create_index(op.f("ix_course_syncs_course_id"), "course_syncs", ["course_id"])
    op.create_table(
        "grade_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("activity", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=512), nullable=False),
        sa.Column("score_given", sa.Double(), nullable=True),
        sa.Column("score_maximum", sa.Double(), nullable=False),
        sa.Column("activity_progress", sa.String(length=16), nullable=False),
        sa.Column("grading_progress", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("result_at", UTC(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("lineitem_url", sa.String(length=1024), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("sent_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_grade_outbox_course_id_courses"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_grade_outbox_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_outbox")),
    )
    op.create_index(op.f("ix_grade_outbox_course_id"), "grade_outbox", ["course_id"])
    op.create_index(op.f("ix_grade_outbox_user_id"), "grade_outbox", ["user_id"])
    op.create_index(op.f("ix_grade_outbox_result_at"), "grade_outbox", ["result_at"])
    op.create_index(op.f("ix_grade_outbox_status"), "grade_outbox", ["status"])


def downgrade() -> None:
    for table in ("grade_outbox", "course_syncs", "course_line_items", "progress_history", "progress_facts"):
        op.drop_table(table)
