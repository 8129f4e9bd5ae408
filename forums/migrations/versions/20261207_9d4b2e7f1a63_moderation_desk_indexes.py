"""Indexes of the moderation desk at national scale.

A department's pending questions oldest first (partial: pending questions only), the queue's
filters (theme, forum) closing the key: the queue, its counts, the pace of moderation and the
ministry's dashboard read the index alone. All a department's questions newest first, with the
status and the two times the list's filters read. When questions were decided, for the pace of
the last hour.

Revision ID: 9d4b2e7f1a63
Revises: 3f9a6c1d2b77
Create Date: 2026-12-07 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4b2e7f1a63'
down_revision = '3f9a6c1d2b77'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_index("ix_questions_pending", "questions",
                    ["consultation_id", "department_code", "submitted_at", "id", "theme_id", "forum_id"],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index("ix_questions_department_submitted", "questions",
                    ["consultation_id", "department_code", "submitted_at", "id", "status", "answered_at",
                     "addressed_at"])
    op.create_index("ix_questions_moderated", "questions", ["consultation_id", "moderated_at", "department_code"])


def downgrade():
    op.drop_index("ix_questions_moderated", table_name="questions")
    op.drop_index("ix_questions_department_submitted", table_name="questions")
    op.drop_index("ix_questions_pending", table_name="questions")
