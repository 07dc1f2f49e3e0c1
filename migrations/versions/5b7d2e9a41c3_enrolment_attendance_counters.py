"""Attendance counters on enrolments, so that statistics never scan the roll calls.

Revision ID: 5b7d2e9a41c3
Revises: 8e5aa3bcf397
Create Date: 2026-12-03 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5b7d2e9a41c3'
down_revision = '8e5aa3bcf397'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_marks', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('attendance_present', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE enrolments SET "
        "attendance_marks = (SELECT count(*) FROM attendance WHERE attendance.enrolment_id = enrolments.id), "
        "attendance_present = (SELECT count(*) FROM attendance "
        "WHERE attendance.enrolment_id = enrolments.id AND attendance.present)"
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_enrolments_attendance_marks'),
            'attendance_present >= 0 AND attendance_present <= attendance_marks',
        )


def downgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint('ck_enrolments_attendance_marks', type_='check')
        batch_op.drop_column('attendance_present')
        batch_op.drop_column('attendance_marks')
