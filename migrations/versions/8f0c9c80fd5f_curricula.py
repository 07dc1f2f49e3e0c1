"""Curricula: versions with modules, derivation lineage and adoptions by institutions.

Revision ID: 8f0c9c80fd5f
Revises: 139c318a3902
Create Date: 2026-11-21 09:34:29.597561

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8f0c9c80fd5f'
down_revision = '139c318a3902'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('curricula',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('owner_institution_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'retired', name='curriculum_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('delivery_modes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('audiences', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('standards', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('derived_from_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status = 'draft' OR published_at IS NOT NULL", name=op.f('ck_curricula_published_has_date')),
    sa.CheckConstraint('derived_from_id IS NULL OR derived_from_id <> id', name=op.f('ck_curricula_not_own_source')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_curricula_number_positive')),
    sa.ForeignKeyConstraint(['derived_from_id'], ['curricula.id'], name=op.f('fk_curricula_derived_from_id_curricula'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_institution_id'], ['institutions.id'], name=op.f('fk_curricula_owner_institution_id_institutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curricula')),
    sa.UniqueConstraint('code', 'number', name=op.f('uq_curricula_code_number'))
    )
    with op.batch_alter_table('curricula', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curricula_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_curricula_derived_from_id'), ['derived_from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_curricula_owner_institution_id'), ['owner_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_curricula_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_curricula_updated_at'), ['updated_at'], unique=False)

    op.create_table('curriculum_adoptions',
    sa.Column('curriculum_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('adopted_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('local_title', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_curriculum_adoptions_agreement_id_agreements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['curriculum_id'], ['curricula.id'], name=op.f('fk_curriculum_adoptions_curriculum_id_curricula'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_curriculum_adoptions_institution_id_institutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_adoptions')),
    sa.UniqueConstraint('curriculum_id', 'institution_id', name=op.f('uq_curriculum_adoptions_curriculum_id_institution_id'))
    )
    with op.batch_alter_table('curriculum_adoptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curriculum_adoptions_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_curriculum_adoptions_curriculum_id'), ['curriculum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_curriculum_adoptions_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_curriculum_adoptions_updated_at'), ['updated_at'], unique=False)

    op.create_table('curriculum_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('curriculum_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('learning_outcomes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_curriculum_modules_hours_positive')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_curriculum_modules_position_positive')),
    sa.ForeignKeyConstraint(['curriculum_id'], ['curricula.id'], name=op.f('fk_curriculum_modules_curriculum_id_curricula'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_modules')),
    sa.UniqueConstraint('curriculum_id', 'position', name=op.f('uq_curriculum_modules_curriculum_id_position'))
    )



def downgrade():

    op.drop_table('curriculum_modules')
    with op.batch_alter_table('curriculum_adoptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_curriculum_adoptions_updated_at'))
        batch_op.drop_index(batch_op.f('ix_curriculum_adoptions_institution_id'))
        batch_op.drop_index(batch_op.f('ix_curriculum_adoptions_curriculum_id'))
        batch_op.drop_index(batch_op.f('ix_curriculum_adoptions_agreement_id'))

    op.drop_table('curriculum_adoptions')
    with op.batch_alter_table('curricula', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_curricula_updated_at'))
        batch_op.drop_index(batch_op.f('ix_curricula_status'))
        batch_op.drop_index(batch_op.f('ix_curricula_owner_institution_id'))
        batch_op.drop_index(batch_op.f('ix_curricula_derived_from_id'))
        batch_op.drop_index(batch_op.f('ix_curricula_code'))

    op.drop_table('curricula')

