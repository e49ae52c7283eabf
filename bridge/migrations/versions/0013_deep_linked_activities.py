"""deep-linked activities: what each content item returned to the platform stands for

Revision ID: 0013
Revises: 0004
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = "0013"
down_revision = "0004"  # scorm_packages; was depends_on 0004 (see 0010b)
branch_labels = None
depends_on = None

UTC = bridge.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "deep_linked_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("score_maximum", sa.Double(), nullable=True),
        sa.Column("resource_link_pk", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_deep_linked_activities_registration_id_registrations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_deep_linked_activities_course_id_courses"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["package_id"], ["scorm_packages.id"],
                                name=op.f("fk_deep_linked_activities_package_id_scorm_packages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resource_link_pk"], ["resource_links.id"],
                                name=op.f("fk_deep_linked_activities_resource_link_pk_resource_links"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deep_linked_activities")),
        sa.UniqueConstraint("registration_id", "activity_id",
                            name=op.f("uq_deep_linked_activities_registration_id_activity_id")),
    )
    op.create_index(op.f("ix_deep_linked_activities_registration_id"), "deep_linked_activities", ["registration_id"])
    op.create_index(op.f("ix_deep_linked_activities_course_id"), "deep_linked_activities", ["course_id"])
    op.create_index(op.f("ix_deep_linked_activities_package_id"), "deep_linked_activities", ["package_id"])


def downgrade() -> None:
    op.drop_table("deep_linked_activities")
