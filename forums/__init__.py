"""Forums: the platform on which prefectures organise canton-level public security forums."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import load_config
from .cookie_session import CookieSessionInterface


def create_app(config=None, *, serving=False):
    """Create and configure the application; ``config`` overrides every other setting.

    ``serving`` (the WSGI entry point) leaves out the migration commands: Alembic would cost every
    web worker 11 MB it never uses.
    """
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    app.session_interface = CookieSessionInterface()
    os.makedirs(app.instance_path, exist_ok=True)

    from . import applog, bad_input, database, errors, health, layout, login_delays, proconnect, security, templating
    from .auth_session import init_login
    from .commands import register_commands
    from .extensions import babel, csrf, db, limiter

    applog.configure(app)
    if app.config["ENV"] == "production" and app.config["RATELIMIT_STORAGE_URL"].startswith("memory"):
        # Each gunicorn worker would count on its own: the login throttle would be multiplied.
        applog.get_logger("config").warning(
            "FORUMS_RATELIMIT_STORAGE_URL is memory://: set it to a Redis URL in production."
        )
    if app.config["ENV"] == "production" and app.config["MAIL_BACKEND"] == "log":
        # Citizens would get no acknowledgement nor answer: only a deliberate choice.
        applog.get_logger("config").warning(
            "FORUMS_MAIL_BACKEND is log: no e-mail is sent; set it to smtp in production."
        )
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"]
        )
    db.init_app(app)
    database.configure(app)
    if not serving:
        database.init_migrations(app)
    # First of the request hooks: input no database can store is refused before anything reads it.
    bad_input.init_app(app)
    csrf.init_app(app)
    login_delays.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=lambda: "fr", timezone_selector=lambda: "Europe/Paris")
    init_login(app)
    proconnect.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    layout.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_blueprints(app):
    """Attach one blueprint per audience."""
    from .blueprints.admin import bp as admin_bp
    from .blueprints.api import bp as api_bp
    from .blueprints.auth import bp as auth_bp
    from .blueprints.ministry import bp as ministry_bp
    from .blueprints.minutes import bp as minutes_bp
    from .blueprints.moderation import bp as moderation_bp
    from .blueprints.prefecture import bp as prefecture_bp
    from .blueprints.public import bp as public_bp

    for blueprint in (public_bp, auth_bp, prefecture_bp, moderation_bp, minutes_bp, ministry_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)
