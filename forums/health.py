"""The health check used by load balancers and monitoring."""
from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .applog import get_logger
from .extensions import db, limiter

log = get_logger("health")


def init_app(app):
    """Register ``GET /healthz``."""

    @app.get("/healthz")
    @limiter.exempt
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.error("health check: database unreachable: %s", type(exc).__name__)
            return jsonify(status="error", database="unreachable", reason=type(exc).__name__), 503
        return jsonify(status="ok", database="ok")
