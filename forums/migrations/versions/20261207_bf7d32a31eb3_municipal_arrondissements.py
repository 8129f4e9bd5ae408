"""Municipal arrondissements of Paris, Lyon and Marseille among communes: their kind and parent commune.

Revision ID: bf7d32a31eb3
Revises: aac6896dc0a2
Create Date: 2026-12-07 17:37:25.868639

The arrondissements themselves are data: ``flask territories load`` adds them. Columns are added
in place, never by rebuilding ``communes``: on SQLite a rebuild would drop a table that forums,
questions and links refer to.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bf7d32a31eb3'
down_revision = 'aac6896dc0a2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communes', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('COM', 'ARM', name='communekind', native_enum=False, length=3),
                                      server_default='COM', nullable=False))
        batch_op.add_column(sa.Column('has_municipal_arrondissements', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    if op.get_context().dialect.name == 'sqlite':
        # SQLite adds a foreign key only with its column, in the column's own definition.
        op.execute('ALTER TABLE communes ADD COLUMN parent_code VARCHAR(5) '
                   'CONSTRAINT fk_communes_parent_code_communes REFERENCES communes (code)')
    else:
        op.add_column('communes', sa.Column('parent_code', sa.String(length=5), nullable=True))
        op.create_foreign_key(op.f('fk_communes_parent_code_communes'), 'communes', 'communes',
                              ['parent_code'], ['code'])
    op.create_index(op.f('ix_communes_parent_code'), 'communes', ['parent_code'], unique=False)


def downgrade():
    # Municipal arrondissements cannot stay without their kind: remove them and what refers to them.
    arrondissements = "SELECT code FROM communes WHERE kind = 'ARM'"
    for table, column in (("forum_communes", "commune_code"), ("commune_cantons", "commune_code"),
                          ("commune_postal_codes", "commune_code")):
        op.execute(f"DELETE FROM {table} WHERE {column} IN ({arrondissements})")
    for table, column in (("forums", "commune_code"), ("questions", "commune_code")):
        op.execute(f"UPDATE {table} SET {column} = (SELECT parent_code FROM communes WHERE code = {table}.{column}) "
                   f"WHERE {column} IN ({arrondissements})")
    op.execute("DELETE FROM communes WHERE kind = 'ARM'")
    op.drop_index(op.f('ix_communes_parent_code'), table_name='communes')
    if op.get_context().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_communes_parent_code_communes'), 'communes', type_='foreignkey')
    # SQLite drops the column's own foreign key with it.
    with op.batch_alter_table('communes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('parent_code')
        batch_op.drop_column('has_municipal_arrondissements')
        batch_op.drop_column('kind')
