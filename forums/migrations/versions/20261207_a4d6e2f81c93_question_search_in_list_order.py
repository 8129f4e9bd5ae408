"""Full-text vector beside the list order, for searches of common words on PostgreSQL.

A word found in more questions than a search pages through (a thousand) is searched by walking
the list's order and checking each question's vector until the page is full. Read from the
table, that check cost a row fetch each: the deep pages of a word in one question of a hundred
read 50,000 rows (0.5 s at 1,000,000 questions). These partial indexes carry the vector, and
what filters and the order read, after the order's key: the walk reads the index alone (15 ms).
SQLite searches through its FTS5 table and has no such column.

Revision ID: a4d6e2f81c93
Revises: 9d4b2e7f1a63
Create Date: 2026-12-07 23:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4d6e2f81c93'
down_revision = '9d4b2e7f1a63'
branch_labels = None
depends_on = None

#: Name → leading columns; each key goes on with the publication time and the id, then INCLUDED.
INDEXES = {
    "ix_questions_published_search_recent": "consultation_id",
    "ix_questions_published_search_department_recent": "consultation_id, department_code",
}
INCLUDED = "theme_id, subtopic_id, moderated_at, submitted_at, search_vector"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, leading in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON questions ({leading}, coalesce(moderated_at, submitted_at), id)"
                   f" INCLUDE ({INCLUDED}) WHERE status = 'published'")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
