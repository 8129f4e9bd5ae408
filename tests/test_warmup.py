"""Warming a new worker (forums.warmup, gunicorn.conf.py's post_worker_init): what it leaves done, not how fast."""
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

from flask import Flask

from forums.extensions import db as _db
from forums.warmup import is_public_template, warm_up

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def cached_templates(app):
    """Return the names of the templates compiled in ``app``'s Jinja environment."""
    return {name for _, name in app.jinja_env.cache.keys()}


def test_public_templates_are_the_visitor_pages_and_the_shared_ones():
    assert is_public_template("base.html") and is_public_template("_forms.html")
    assert is_public_template("public/home.html") and is_public_template("errors/error.html")
    assert not is_public_template("admin/agents.html") and not is_public_template("moderation/queue.html")


def test_warm_up_compiles_the_public_templates_and_configures_the_mappers(other_app):
    app = other_app()
    assert "public/home.html" not in cached_templates(app)
    warm_up(app)
    compiled = cached_templates(app)
    assert {"base.html", "public/home.html", "public/question_form.html", "errors/error.html"} <= compiled
    # Agents' pages are compiled when first asked: they would only weigh on every worker's memory.
    assert "admin/agents.html" not in compiled
    assert all(mapper.configured for mapper in _db.Model.registry.mappers)
    with app.app_context():
        # The pooled connection is open, checked in, for the first request.
        assert _db.engine.pool.checkedin() == 1


def post_worker_init():
    return runpy.run_path(str(GUNICORN_CONF))["post_worker_init"]


def fake_worker(wsgi):
    return SimpleNamespace(wsgi=wsgi, pid=1234, log=logging.getLogger("test.gunicorn"))


def test_the_gunicorn_hook_warms_the_forums_app(other_app):
    app = other_app()
    post_worker_init()(fake_worker(app))
    assert "public/home.html" in cached_templates(app)


def test_the_gunicorn_hook_leaves_other_apps_alone():
    # The harness's bare-stack baseline runs with the same settings.
    baseline = Flask("baseline")
    post_worker_init()(fake_worker(baseline))
    assert not baseline.jinja_env.cache


def test_a_failed_warm_up_is_logged_and_the_worker_starts_cold(other_app, caplog):
    app = other_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with caplog.at_level(logging.ERROR, logger="test.gunicorn"):
        post_worker_init()(fake_worker(app))
    assert "Warm-up of worker 1234 failed" in caplog.text
