"""Migrations build the schema from empty and match the models exactly."""
import json
import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forums.database import EXPRESSION_INDEXES, include_object
from forums.extensions import db as _db


def test_migrations_match_the_models(app):
    with app.app_context(), _db.engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes are left out of the comparison (include_object): SQLite cannot read them back.
        warnings.filterwarnings("ignore", ".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, _db.metadata) == []


def test_the_expression_indexes_left_out_of_the_comparison_are_built(app):
    with app.app_context(), _db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            rows = connection.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'questions'")
        assert set(EXPRESSION_INDEXES) <= {name for name, in rows}


def test_migrations_downgrade_to_empty_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        remaining = set(sa.inspect(_db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        tables = set(sa.inspect(_db.engine).get_table_names())
        assert {"regions", "departments", "cantons", "communes", "agents", "audit_events"} <= tables


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    with app.app_context(), _db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas: this run is on PostgreSQL")
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_sections_migration_keeps_what_agents_wrote_and_what_was_transmitted(app):
    """Before the syntheses kept the engine's text apart, each part was one Markdown column: the agents'
    words move to the part's own section, footnotes removed; a transmitted synthesis' minutes stay locked."""
    with app.app_context():
        downgrade(revision="bf7d32a31eb3")
        with _db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO regions (code, name, is_metropolitan) VALUES ('93', 'PACA', :yes)"), {"yes": True})
            connection.execute(sa.text(
                "INSERT INTO departments (code, name, full_name, region_code, is_metropolitan, capital_code, "
                "capital_name) VALUES ('13', 'Bouches-du-Rhône', '', '93', :yes, '13055', 'Marseille')"),
                {"yes": True})
            connection.execute(sa.text(
                "INSERT INTO consultations (id, slug, name, description, meetings_start_on, meetings_end_on, "
                "synthesis_due_on, is_current, created_at) VALUES (1, '2009', 'Consultation', '', '2009-03-16', "
                "'2009-05-18', '2009-05-22', :yes, '2009-01-01 00:00:00+00:00')"), {"yes": True})
            connection.execute(sa.text(
                "INSERT INTO department_syntheses (id, consultation_id, department_code, status, is_late, "
                "reopen_reason, local_insight, diagnosis, proposals, figures, created_at, updated_at, submitted_at) "
                "VALUES (1, 1, '13', 'submitted', :no, '', :insight, '', 'Nos propositions.', '{}', "
                "'2009-05-01 00:00:00+00:00', '2009-05-01 00:00:00+00:00', '2009-05-20 00:00:00+00:00')"),
                {"no": False, "insight": "Texte de la préfecture.[^e1]\n\n[^e1]: [Forum 1]"})
        upgrade()
        with _db.engine.connect() as connection:
            texts = connection.execute(sa.text("SELECT texts FROM department_syntheses")).scalar()
        texts = texts if isinstance(texts, dict) else json.loads(texts)
        assert {key: entry["text"] for key, entry in texts["sections"].items()} == {
            "insight.analysis": "Texte de la préfecture.", "proposals.own": "Nos propositions."}
        downgrade(revision="bf7d32a31eb3")
        with _db.engine.connect() as connection:
            restored = connection.execute(sa.text("SELECT local_insight, proposals FROM department_syntheses")).one()
        assert tuple(restored) == ("Texte de la préfecture.", "Nos propositions.")
        upgrade()
