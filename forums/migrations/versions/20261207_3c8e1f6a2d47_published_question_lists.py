"""Indexes for the public question lists and search at national scale.

Partial B-tree indexes over published questions only, in the order the lists show them: by
consultation (and department), last published first or most supported first. Theme, sub-topic
and the two times the order is made of close each key, so that a filtered list, a count or the
skipped rows of a deep page read the index alone. On PostgreSQL the
full-text vector is stored in a generated column, indexed for published questions only: a
recheck or a filter reads it instead of parsing the text again for every row.

The questions' commune gets an index too: without it, deleting or reloading communes checks each
one against the whole questions table (minutes at national scale).

Revision ID: 3c8e1f6a2d47
Revises: 5b1e7c2d9a40
Create Date: 2026-12-07 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8e1f6a2d47'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None

PUBLISHED = sa.text("status = 'published'")
#: When a question was published: its moderation time, its submission time if not recorded.
PUBLISHED_AT = "coalesce(moderated_at, submitted_at)"
#: Name → leading columns; each key goes on with the publication time, the id, then CLOSING.
CLOSING = ["theme_id", "subtopic_id", "moderated_at", "submitted_at"]
INDEXES = {
    "ix_questions_published_recent": ["consultation_id"],
    "ix_questions_published_department_recent": ["consultation_id", "department_code"],
    "ix_questions_published_supported": ["consultation_id", "support_count"],
    "ix_questions_published_department_supported": ["consultation_id", "department_code", "support_count"],
}


def upgrade():
    op.create_index("ix_questions_commune_code", "questions", ["commune_code"])
    for name, leading in INDEXES.items():
        op.create_index(name, "questions", [*leading, sa.text(PUBLISHED_AT), "id", *CLOSING],
                        postgresql_where=PUBLISHED, sqlite_where=PUBLISHED)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE questions ADD COLUMN search_vector tsvector"
                   " GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        op.execute("DROP INDEX IF EXISTS ix_questions_search")
        op.execute("CREATE INDEX ix_questions_published_search ON questions USING gin (search_vector)"
                   " WHERE status = 'published'")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_questions_published_search")
        op.execute("ALTER TABLE questions DROP COLUMN search_vector")
        op.execute("CREATE INDEX ix_questions_search ON questions USING gin (to_tsvector('simple', search_text))")
    for name in INDEXES:
        op.drop_index(name, table_name="questions")
    op.drop_index("ix_questions_commune_code", table_name="questions")
