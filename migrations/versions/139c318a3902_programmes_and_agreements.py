"""Programmes with donors, implementers and targets; agreements with parties, commitments, transitions, documents.

Revision ID: 139c318a3902
Revises: 3c1a87808d14
Create Date: 2026-11-21 08:57:04.974551

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '139c318a3902'
down_revision = '3c1a87808d14'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('programmes',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_programmes_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('code', name=op.f('uq_programmes_code'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_updated_at'), ['updated_at'], unique=False)

    op.create_table('agreements',
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('kind', sa.Enum('mou', 'cooperation_agreement', 'workplan', 'letter_of_intent', 'addendum', name='agreement_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('status', sa.Enum('draft', 'negotiation', 'signed', 'active', 'terminated', 'expired', 'superseded', name='agreement_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('areas', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('signed_place', sa.String(length=120), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('predecessor_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'negotiation', 'signed', 'active', 'terminated')", name=op.f('ck_agreements_stored_status')),
    sa.CheckConstraint("status NOT IN ('signed', 'active', 'terminated') OR signed_on IS NOT NULL", name=op.f('ck_agreements_signed_has_date')),
    sa.CheckConstraint('expires_on IS NULL OR effective_from IS NULL OR expires_on > effective_from', name=op.f('ck_agreements_expires_after_effective')),
    sa.CheckConstraint('predecessor_id IS NULL OR predecessor_id <> id', name=op.f('ck_agreements_not_own_predecessor')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['agreements.id'], name=op.f('fk_agreements_predecessor_id_agreements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_agreements_programme_id_programmes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('predecessor_id', name=op.f('uq_agreements_predecessor_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_agreements_reference'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_signed_on'), ['signed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_updated_at'), ['updated_at'], unique=False)

    op.create_table('programme_targets',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.Enum('participants_trained', 'women_trained', 'cohorts_completed', 'trainers_certified', name='programme_metric', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.CheckConstraint('target >= 0', name=op.f('ck_programme_targets_target_not_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_targets_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'metric', name=op.f('pk_programme_targets'))
    )
    op.create_table('agreement_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.Enum('participants_trained', 'women_trained', 'cohorts_completed', 'trainers_certified', name='commitment_metric', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('per', sa.Enum('year', 'total', name='commitment_period', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.CheckConstraint('target >= 0', name=op.f('ck_agreement_commitments_target_not_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_commitments_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_commitments')),
    sa.UniqueConstraint('agreement_id', 'metric', 'per', name=op.f('uq_agreement_commitments_agreement_id_metric_per'))
    )
    with op.batch_alter_table('agreement_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_commitments_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('agreement_documents',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_documents_agreement_id_agreements'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_documents'))
    )
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_documents_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_documents_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_documents_updated_at'), ['updated_at'], unique=False)

    op.create_table('agreement_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('party', 'supporting', 'witness', name='party_role', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=True),
    sa.Column('signatory_title', sa.String(length=200), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_parties_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_agreement_parties_institution_id_institutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_parties')),
    sa.UniqueConstraint('agreement_id', 'institution_id', name=op.f('uq_agreement_parties_agreement_id_institution_id'))
    )
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_parties_institution_id'), ['institution_id'], unique=False)

    op.create_table('agreement_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('draft', 'negotiation', 'signed', 'active', 'terminated', 'expired', 'superseded', name='transition_from', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('to_status', sa.Enum('draft', 'negotiation', 'signed', 'active', 'terminated', 'expired', 'superseded', name='transition_to', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_transitions_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_transitions'))
    )
    with op.batch_alter_table('agreement_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_transitions_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('programme_donors',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_programme_donors_institution_id_institutions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_donors_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'institution_id', name=op.f('pk_programme_donors'))
    )
    op.create_table('programme_implementers',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_programme_implementers_institution_id_institutions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_implementers_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'institution_id', name=op.f('pk_programme_implementers'))
    )



def downgrade():

    op.drop_table('programme_implementers')
    op.drop_table('programme_donors')
    with op.batch_alter_table('agreement_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_transitions_agreement_id'))

    op.drop_table('agreement_transitions')
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_parties_institution_id'))

    op.drop_table('agreement_parties')
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_documents_updated_at'))
        batch_op.drop_index(batch_op.f('ix_agreement_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_agreement_documents_agreement_id'))

    op.drop_table('agreement_documents')
    with op.batch_alter_table('agreement_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_commitments_agreement_id'))

    op.drop_table('agreement_commitments')
    op.drop_table('programme_targets')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_updated_at'))
        batch_op.drop_index(batch_op.f('ix_agreements_status'))
        batch_op.drop_index(batch_op.f('ix_agreements_signed_on'))
        batch_op.drop_index(batch_op.f('ix_agreements_programme_id'))
        batch_op.drop_index(batch_op.f('ix_agreements_expires_on'))

    op.drop_table('agreements')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_updated_at'))

    op.drop_table('programmes')

