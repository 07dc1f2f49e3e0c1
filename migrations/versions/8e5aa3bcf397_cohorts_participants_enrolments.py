"""Cohorts with seat allocations, sessions and attendance; participants; enrolments and certificates.

Revision ID: 8e5aa3bcf397
Revises: 8f0c9c80fd5f
Create Date: 2026-11-21 11:31:45.223067

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8e5aa3bcf397'
down_revision = '8f0c9c80fd5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participants',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('external_ref', sa.String(length=100), nullable=True),
    sa.Column('given_name', sa.String(length=100), nullable=True),
    sa.Column('family_name', sa.String(length=100), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'other', 'undisclosed', name='gender', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('staff_category', sa.Enum('psychologist', 'pve_inspector', 'security_officer', 'probation_officer', 'media_officer', 'instructor', 'manager', 'other', name='staff_category', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('region', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('is_trainer', sa.Boolean(), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('erased_at IS NOT NULL OR (given_name IS NOT NULL AND family_name IS NOT NULL)', name=op.f('ck_participants_named_unless_erased')),
    sa.CheckConstraint('erased_at IS NULL OR (external_ref IS NULL AND given_name IS NULL AND family_name IS NULL AND email IS NULL AND position IS NULL AND search_text IS NULL)', name=op.f('ck_participants_erased_has_no_identity')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_participants_institution_id_institutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('id', 'institution_id', name=op.f('uq_participants_id_institution_id')),
    sa.UniqueConstraint('institution_id', 'external_ref', name=op.f('uq_participants_institution_id_external_ref'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participants_updated_at'), ['updated_at'], unique=False)

    op.create_table('cohorts',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('kind', sa.Enum('course', 'webinar', 'tot', 'e_learning', 'exchange_visit', 'study_visit', 'seminar', name='cohort_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('status', sa.Enum('planned', 'open', 'in_progress', 'completed', 'cancelled', name='cohort_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('curriculum_id', sa.Integer(), nullable=False),
    sa.Column('host_institution_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('delivery_mode', sa.Enum('in_person', 'online', 'blended', 'e_learning', name='delivery_mode', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_cohorts_capacity_positive')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_cohorts_ends_after_start')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_cohorts_within_capacity')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_cohorts_agreement_id_agreements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['country'], ['countries.code'], name=op.f('fk_cohorts_country_countries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['curriculum_id'], ['curricula.id'], name=op.f('fk_cohorts_curriculum_id_curricula'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['host_institution_id'], ['institutions.id'], name=op.f('fk_cohorts_host_institution_id_institutions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_cohorts_programme_id_programmes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    sa.UniqueConstraint('code', name=op.f('uq_cohorts_code'))
    )
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohorts_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_curriculum_id'), ['curriculum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_host_institution_id'), ['host_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_starts_on'), ['starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_updated_at'), ['updated_at'], unique=False)

    op.create_table('cohort_seat_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_cohort_seat_allocations_seats_positive')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= seats', name=op.f('ck_cohort_seat_allocations_within_seats')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_seat_allocations_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_cohort_seat_allocations_institution_id_institutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_seat_allocations')),
    sa.UniqueConstraint('cohort_id', 'institution_id', name=op.f('uq_cohort_seat_allocations_cohort_id_institution_id'))
    )
    with op.batch_alter_table('cohort_seat_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_seat_allocations_institution_id'), ['institution_id'], unique=False)

    op.create_table('cohort_sessions',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'online', 'blended', 'e_learning', name='delivery_mode', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_cohort_sessions_ends_after_start')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_sessions_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_sessions'))
    )
    with op.batch_alter_table('cohort_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_sessions_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_sessions_updated_at'), ['updated_at'], unique=False)

    op.create_table('enrolments',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('nominated', 'enrolled', 'completed', 'failed', 'withdrawn', 'no_show', name='enrolment_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pre_score', sa.Integer(), nullable=True),
    sa.Column('post_score', sa.Integer(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('post_score IS NULL OR (post_score >= 0 AND post_score <= 100)', name=op.f('ck_enrolments_post_score_range')),
    sa.CheckConstraint('pre_score IS NULL OR (pre_score >= 0 AND pre_score <= 100)', name=op.f('ck_enrolments_pre_score_range')),
    sa.CheckConstraint('satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)', name=op.f('ck_enrolments_satisfaction_range')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_enrolments_cohort_id_cohorts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_enrolments_institution_id_institutions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['participant_id', 'institution_id'], ['participants.id', 'participants.institution_id'], name='fk_enrolments_participant_institution', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('cohort_id', 'participant_id', name=op.f('uq_enrolments_cohort_id_participant_id'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_updated_at'), ['updated_at'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.CheckConstraint('minutes IS NULL OR (minutes >= 0 AND minutes <= 1440)', name=op.f('ck_attendance_minutes_in_day')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_attendance_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['cohort_sessions.id'], name=op.f('fk_attendance_session_id_cohort_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'enrolment_id', name=op.f('uq_attendance_session_id_enrolment_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('certificates',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_certificates_enrolment_id_enrolments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_certificates_enrolment_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_updated_at'), ['updated_at'], unique=False)

    op.create_table('cohort_session_trainers',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_cohort_session_trainers_participant_id_participants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['session_id'], ['cohort_sessions.id'], name=op.f('fk_cohort_session_trainers_session_id_cohort_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'participant_id', name=op.f('pk_cohort_session_trainers'))
    )


def downgrade():
    op.drop_table('cohort_session_trainers')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_updated_at'))

    op.drop_table('certificates')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_enrolment_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_updated_at'))
        batch_op.drop_index(batch_op.f('ix_enrolments_status'))
        batch_op.drop_index(batch_op.f('ix_enrolments_participant_id'))
        batch_op.drop_index(batch_op.f('ix_enrolments_institution_id'))
        batch_op.drop_index(batch_op.f('ix_enrolments_cohort_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('cohort_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_sessions_updated_at'))
        batch_op.drop_index(batch_op.f('ix_cohort_sessions_cohort_id'))

    op.drop_table('cohort_sessions')
    with op.batch_alter_table('cohort_seat_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_seat_allocations_institution_id'))

    op.drop_table('cohort_seat_allocations')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohorts_updated_at'))
        batch_op.drop_index(batch_op.f('ix_cohorts_status'))
        batch_op.drop_index(batch_op.f('ix_cohorts_starts_on'))
        batch_op.drop_index(batch_op.f('ix_cohorts_programme_id'))
        batch_op.drop_index(batch_op.f('ix_cohorts_kind'))
        batch_op.drop_index(batch_op.f('ix_cohorts_host_institution_id'))
        batch_op.drop_index(batch_op.f('ix_cohorts_curriculum_id'))
        batch_op.drop_index(batch_op.f('ix_cohorts_country'))
        batch_op.drop_index(batch_op.f('ix_cohorts_agreement_id'))

    op.drop_table('cohorts')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_updated_at'))
        batch_op.drop_index(batch_op.f('ix_participants_institution_id'))

    op.drop_table('participants')
