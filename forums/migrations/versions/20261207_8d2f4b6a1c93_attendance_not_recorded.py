"""Minutes attendance: a category left blank is stored as unknown (NULL), not as 0.

Revision ID: 8d2f4b6a1c93
Revises: a4d6e2f81c93
Create Date: 2026-12-07 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d2f4b6a1c93'
down_revision = 'a4d6e2f81c93'
branch_labels = None
depends_on = None

COLUMNS = ('attendance_public', 'attendance_elected', 'attendance_police', 'attendance_gendarmerie',
           'attendance_municipal_police', 'attendance_other')


def upgrade():
    # Counts saved before cannot tell a blank from a 0: they stay as they are.
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute(sa.text("UPDATE minutes SET " + ", ".join(f"{column} = COALESCE({column}, 0)" for column in COLUMNS)))
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
