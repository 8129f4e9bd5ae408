"""Syntheses keep the engine's generated content apart from the agents' own text; transmitted annexes and addenda.

The three Markdown columns held the engine's pre-filled text and the agents' edits together, so
that recomputed figures could never reach the sentences. They become the agents' text of each
part's last section (« Éclairage de la préfecture », « Appréciation de la préfecture »,
« Propositions de la préfecture »), footnote markers removed: nothing an agent wrote is lost, and
the engine writes its blocks afresh beside it. The stored figures go: they are recomputed.

Revision ID: 5b1e7c2d9a40
Revises: bf7d32a31eb3
Create Date: 2026-12-07 18:40:00.000000

"""
import re
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c2d9a40'
down_revision = 'bf7d32a31eb3'
branch_labels = None
depends_on = None

#: The old Markdown columns → the section whose agent's text receives them.
PART_SECTIONS = {"local_insight": "insight.analysis", "diagnosis": "diagnosis.analysis", "proposals": "proposals.own"}
#: Downgrading puts every section's text of a part back into the part's column.
PART_PREFIXES = {"local_insight": "insight", "diagnosis": "diagnosis", "proposals": "proposals"}
_DEFINITION = re.compile(r"^\[\^[^\]\s]+\]:[^\n]*\n?", re.MULTILINE)
_MARKER = re.compile(r"\[\^[^\]\s]+\]")


def _texts(row):
    now = datetime.now(UTC).isoformat()
    sections = {}
    for column, key in PART_SECTIONS.items():
        text = _MARKER.sub("", _DEFINITION.sub("", row[column] or "")).strip()
        if text:
            sections[key] = {"text": text, "version": 1, "cited": [], "by": None, "at": now}
    return {"schema_version": 1, "sections": sections}


def _move_texts(table_name):
    connection = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("local_insight", sa.Text),
                     sa.column("diagnosis", sa.Text), sa.column("proposals", sa.Text), sa.column("texts", sa.JSON))
    rows = connection.execute(sa.select(table.c.id, table.c.local_insight, table.c.diagnosis,
                                        table.c.proposals)).mappings().all()
    for row in rows:
        connection.execute(table.update().where(table.c.id == row["id"]).values(texts=_texts(row)))


def upgrade():
    for table_name in ("department_syntheses", "national_syntheses"):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('generated', sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('texts', sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column('text_version', sa.Integer(), nullable=False, server_default='0'))
        _move_texts(table_name)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column('texts', existing_type=sa.JSON(), nullable=False)
            batch_op.drop_column('local_insight')
            batch_op.drop_column('diagnosis')
            batch_op.drop_column('proposals')
            batch_op.drop_column('figures')
            batch_op.drop_column('figures_computed_at')

    with op.batch_alter_table('department_syntheses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_early', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('early_reason', sa.Text(), nullable=False, server_default=''))

    op.create_table('synthesis_annexes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('minutes_version', sa.Integer(), nullable=False),
    sa.Column('is_addendum', sa.Boolean(), nullable=False),
    sa.Column('transmitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transmitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_synthesis_annexes_forum_id_forums')),
    sa.ForeignKeyConstraint(['synthesis_id'], ['department_syntheses.id'], name=op.f('fk_synthesis_annexes_synthesis_id_department_syntheses')),
    sa.ForeignKeyConstraint(['transmitted_by_id'], ['agents.id'], name=op.f('fk_synthesis_annexes_transmitted_by_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_annexes')),
    sa.UniqueConstraint('synthesis_id', 'forum_id', name='uq_synthesis_annexes_forum')
    )
    with op.batch_alter_table('synthesis_annexes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesis_annexes_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_synthesis_annexes_synthesis_id'), ['synthesis_id'], unique=False)

    # What was transmitted before this revision: the minutes of every held forum of a submitted
    # synthesis, as the lock of the time applied to the whole department.
    connection = op.get_bind()
    connection.execute(sa.text(
        "INSERT INTO synthesis_annexes (synthesis_id, forum_id, minutes_version, is_addendum, transmitted_at) "
        "SELECT s.id, m.forum_id, m.version_number, :false, s.submitted_at "
        "FROM department_syntheses s JOIN forums f ON f.consultation_id = s.consultation_id "
        "AND f.department_code = s.department_code JOIN minutes m ON m.forum_id = f.id "
        "WHERE s.status = 'submitted' AND s.submitted_at IS NOT NULL"
    ).bindparams(false=False))


def _restore_texts(table_name):
    connection = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("local_insight", sa.Text),
                     sa.column("diagnosis", sa.Text), sa.column("proposals", sa.Text), sa.column("texts", sa.JSON))
    for row in connection.execute(sa.select(table.c.id, table.c.texts)).mappings().all():
        sections = (row["texts"] or {}).get("sections", {})
        values = {column: "\n\n".join(entry["text"] for key, entry in sorted(sections.items())
                                      if key.split(".")[0] == PART_PREFIXES[column])
                  for column in PART_SECTIONS}
        connection.execute(table.update().where(table.c.id == row["id"]).values(**values))


def downgrade():
    with op.batch_alter_table('synthesis_annexes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesis_annexes_synthesis_id'))
        batch_op.drop_index(batch_op.f('ix_synthesis_annexes_forum_id'))
    op.drop_table('synthesis_annexes')
    with op.batch_alter_table('department_syntheses', schema=None) as batch_op:
        batch_op.drop_column('early_reason')
        batch_op.drop_column('is_early')
    for table_name in ("department_syntheses", "national_syntheses"):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('local_insight', sa.Text(), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('diagnosis', sa.Text(), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('proposals', sa.Text(), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('figures', sa.JSON(), nullable=False, server_default='{}'))
            batch_op.add_column(sa.Column('figures_computed_at', sa.DateTime(timezone=True), nullable=True))
        _restore_texts(table_name)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('text_version')
            batch_op.drop_column('texts')
            batch_op.drop_column('generated_at')
            batch_op.drop_column('generated')
