"""Migrations build the schema from empty and match the models exactly."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forums.database import include_object
from forums.extensions import db as _db


def test_migrations_match_the_models(app):
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, _db.metadata) == []


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
