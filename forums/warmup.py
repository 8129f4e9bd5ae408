"""Warming a new worker before it takes traffic (gunicorn's ``post_worker_init`` hook).

Without it, a worker's first requests pay for what every process does once: compiling the
templates, loading Babel's French locale data, configuring the SQLAlchemy mappers, opening the first
connections. Workers are recycled every 10,000 requests or so: visitors would meet that cost each time.
"""
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import configure_mappers

from .extensions import db, limiter
from .templating import french_date, french_datetime, render_markdown

#: Template folders of the anonymous visitor's pages; templates at the top (base, shared macros) too.
PUBLIC_TEMPLATE_FOLDERS = ("public/", "errors/")


def is_public_template(name):
    """Return whether an anonymous visitor's page uses the template ``name``."""
    return "/" not in name or name.startswith(PUBLIC_TEMPLATE_FOLDERS)


def warm_up(app):
    """Do in ``app``'s process, before any request, what its first requests would otherwise pay for."""
    configure_mappers()
    with app.app_context():
        environment = app.jinja_env
        for name in environment.list_templates(filter_func=is_public_template):
            # get_template compiles once and keeps the template in the environment's cache.
            environment.get_template(name)
        # A worker forked from a preloading master must not share the master's connections, if it has any.
        db.engine.dispose(close=False)
        # One connection in the pool: the first visitor does not wait for PostgreSQL's authentication.
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    with app.test_request_context("/"):
        # Babel reads its French locale data (a pickle) and the time zone on first use.
        now = datetime.now(timezone.utc)
        french_date(now)
        french_datetime(now)
        # Imports Python-Markdown's extensions, once per process.
        render_markdown("*a*")
        if limiter.enabled:
            # Connects to the rate limits' storage (Redis in production).
            limiter.storage.check()
