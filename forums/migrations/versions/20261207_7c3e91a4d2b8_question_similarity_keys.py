"""The similarity index of questions: a few keys per question, to find repeats without loading a department.

Revision ID: 7c3e91a4d2b8
Revises: 3c8e1f6a2d47
Create Date: 2026-12-07 20:30:00.000000

Existing questions are indexed here, in batches, with the keys the application computes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e91a4d2b8'
down_revision = '3c8e1f6a2d47'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    op.create_table(
        'question_similarity_keys',
        sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'],
                                name=op.f('fk_question_similarity_keys_question_id_questions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', 'question_id', name=op.f('pk_question_similarity_keys')),
    )
    op.create_index(op.f('ix_question_similarity_keys_question_id'), 'question_similarity_keys', ['question_id'],
                    unique=False)
    _index_existing_questions()


def _index_existing_questions():
    from forums.services.similarity_index import index_rows

    connection = op.get_bind()
    keys = sa.table('question_similarity_keys', sa.column('key', sa.BigInteger), sa.column('question_id'))
    last_id = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, consultation_id, department_code, search_text, fingerprint FROM questions "
            "WHERE id > :last ORDER BY id LIMIT :batch"), {"last": last_id, "batch": BATCH}).all()
        if not rows:
            return
        connection.execute(keys.insert(), index_rows(rows))
        last_id = rows[-1].id


def downgrade():
    op.drop_index(op.f('ix_question_similarity_keys_question_id'), table_name='question_similarity_keys')
    op.drop_table('question_similarity_keys')
