"""Database engine set-up shared by SQLite and PostgreSQL."""
import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Engine


def configure(app):
    """Apply per-connection settings that the schema relies on."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A web server reads while a command writes: WAL lets them overlap, and SQLite only
        # enforces foreign keys when asked on each connection.
        event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_migrations(app):
    """Give the app its migrations (Flask-Migrate: `flask db …`, ``flask_migrate.upgrade``)."""
    from flask_migrate import Migrate

    from .extensions import db

    Migrate(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"), render_as_batch=True,
            render_item=render_migration_type, include_object=include_object)


def render_migration_type(type_, obj, autogen_context):
    """Write custom column types into migrations as their plain SQLAlchemy type.

    Migrations must not import application code, which changes after they are written.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


#: Full-text search structures created by hand in the migrations, outside the models.
SEARCH_INDEX_TABLES = ("questions_fts",)
SEARCH_INDEXES = ("ix_questions_search", "ix_questions_published_search", "ix_questions_published_search_recent",
                  "ix_questions_published_search_department_recent")
SEARCH_COLUMNS = ("search_vector",)
#: Indexes on expressions, declared on the models, that SQLite's reflection cannot read back to compare.
EXPRESSION_INDEXES = (
    "ix_questions_published_recent", "ix_questions_published_department_recent",
    "ix_questions_published_supported", "ix_questions_published_department_supported",
)


def include_object(obj, name, type_, reflected, compare_to):
    """Keep autogenerate away from the full-text structures the models do not describe."""
    if type_ == "table":
        return not (name or "").startswith(SEARCH_INDEX_TABLES)
    if type_ == "index":
        return name not in SEARCH_INDEXES + EXPRESSION_INDEXES
    if type_ == "column":
        return name not in SEARCH_COLUMNS
    return True
