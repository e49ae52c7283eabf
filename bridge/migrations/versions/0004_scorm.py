"""SCORM packages, activities and attempts

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "scorm_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("storage_path", sa.String(length=512), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_scorm_packages_registration_id_registrations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_scorm_packages_course_id_courses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_packages")),
        sa.UniqueConstraint("storage_path", name=op.f("uq_scorm_packages_storage_path")),
    )
    op.create_index(op.f("ix_scorm_packages_registration_id"), "scorm_packages", ["registration_id"])
    op.create_index(op.f("ix_scorm_packages_course_id"), "scorm_packages", ["course_id"])
    op.create_table(
        "scorm_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("grading_policy", sa.String(length=8), nullable=False),
        sa.Column("sco_scoring", sa.String(length=16), nullable=False),
        sa.Column("sco_weights", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resource_link_pk"], ["resource_links.id"],
                                name=op.f("fk_scorm_activities_resource_link_pk_resource_links"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["package_id"], ["scorm_packages.id"],
                                name=op.f("fk_scorm_activities_package_id_scorm_packages"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_activities")),
        sa.UniqueConstraint("resource_link_pk", name=op.f("uq_scorm_activities_resource_link_pk")),
    )
    op.create_index(op.f("ix_scorm_activities_package_id"), "scorm_activities", ["package_id"])
    op.create_table(
        "scorm_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sco_states", sa.JSON(), nullable=False),
        sa.Column("current_sco", sa.String(length=255), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("score_raw", sa.Double(), nullable=True),
        sa.Column("score_scaled", sa.Double(), nullable=True),
        sa.Column("total_seconds", sa.Double(), nullable=False),
        sa.Column("commits", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.Column("finished_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["scorm_activities.id"],
                                name=op.f("fk_scorm_attempts_activity_id_scorm_activities"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_scorm_attempts_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_attempts")),
        sa.UniqueConstraint("activity_id", "user_id", "number",
                            name=op.f("uq_scorm_attempts_activity_id_user_id_number")),
    )
    op.create_index(op.f("ix_scorm_attempts_activity_id"), "scorm_attempts", ["activity_id"])
    op.create_index(op.f("ix_scorm_attempts_user_id"), "scorm_attempts", ["user_id"])


def downgrade() -> None:
    op.drop_table("scorm_attempts")
    op.drop_table("scorm_activities")
    op.drop_table("scorm_packages")
