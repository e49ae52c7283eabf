"""credential templates (versioned), awarding bodies, award rules and criteria, awards with status history,
API tokens (issue 5; written from the models and checked against them)

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-29 19:38:49.472693
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bridge.models.base

revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', bridge.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', bridge.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_api_tokens_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_registration_id'), ['registration_id'], unique=False)

    op.create_table('awarding_bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=255), nullable=True),
    sa.Column('url', sa.String(length=1024), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('logo_url', sa.String(length=1024), nullable=True),
    sa.Column('eidas_id', sa.String(length=255), nullable=True),
    sa.Column('vat_id', sa.String(length=64), nullable=True),
    sa.Column('erasmus_code', sa.String(length=64), nullable=True),
    sa.Column('created_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_awarding_bodies_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awarding_bodies'))
    )
    with op.batch_alter_table('awarding_bodies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awarding_bodies_registration_id'), ['registration_id'], unique=False)

    op.create_table('credential_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_credential_templates_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_credential_templates_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_templates'))
    )
    with op.batch_alter_table('credential_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_templates_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_templates_registration_id'), ['registration_id'], unique=False)

    op.create_table('award_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('combination', sa.String(length=16), nullable=False),
    sa.Column('required', sa.Integer(), nullable=True),
    sa.Column('valid_days', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_award_rules_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['credential_templates.id'], name=op.f('fk_award_rules_template_id_credential_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_rules')),
    sa.UniqueConstraint('template_id', 'course_id', name=op.f('uq_award_rules_template_id_course_id'))
    )
    with op.batch_alter_table('award_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_rules_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_rules_template_id'), ['template_id'], unique=False)

    op.create_table('credential_template_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=512), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['lms_users.id'], name=op.f('fk_credential_template_versions_created_by_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['credential_templates.id'], name=op.f('fk_credential_template_versions_template_id_credential_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_template_versions')),
    sa.UniqueConstraint('template_id', 'version', name=op.f('uq_credential_template_versions_template_id_version'))
    )
    with op.batch_alter_table('credential_template_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_template_versions_template_id'), ['template_id'], unique=False)

    op.create_table('award_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=1024), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('min_score', sa.Double(), nullable=True),
    sa.Column('label', sa.String(length=512), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['award_rules.id'], name=op.f('fk_award_criteria_rule_id_award_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_criteria'))
    )
    with op.batch_alter_table('award_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_criteria_rule_id'), ['rule_id'], unique=False)

    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('template_version_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('awarded_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', bridge.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_awards_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['credential_templates.id'], name=op.f('fk_awards_template_id_credential_templates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_version_id'], ['credential_template_versions.id'], name=op.f('fk_awards_template_version_id_credential_template_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_awards_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('user_id', 'template_version_id', name=op.f('uq_awards_user_id_template_version_id'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_template_id'), ['template_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_template_version_id'), ['template_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_user_id'), ['user_id'], unique=False)

    op.create_table('award_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', bridge.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_status_changes_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by'], ['lms_users.id'], name=op.f('fk_award_status_changes_changed_by_lms_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_status_changes'))
    )
    with op.batch_alter_table('award_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_status_changes_award_id'), ['award_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('award_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_status_changes_award_id'))

    op.drop_table('award_status_changes')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_user_id'))
        batch_op.drop_index(batch_op.f('ix_awards_template_version_id'))
        batch_op.drop_index(batch_op.f('ix_awards_template_id'))

    op.drop_table('awards')
    with op.batch_alter_table('award_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_criteria_rule_id'))

    op.drop_table('award_criteria')
    with op.batch_alter_table('credential_template_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_template_versions_template_id'))

    op.drop_table('credential_template_versions')
    with op.batch_alter_table('award_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_rules_template_id'))
        batch_op.drop_index(batch_op.f('ix_award_rules_course_id'))

    op.drop_table('award_rules')
    with op.batch_alter_table('credential_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_templates_registration_id'))
        batch_op.drop_index(batch_op.f('ix_credential_templates_course_id'))

    op.drop_table('credential_templates')
    with op.batch_alter_table('awarding_bodies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awarding_bodies_registration_id'))

    op.drop_table('awarding_bodies')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_registration_id'))

    op.drop_table('api_tokens')
