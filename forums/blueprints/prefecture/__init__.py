"""The prefecture blueprint."""
from flask import Blueprint

bp = Blueprint("prefecture", __name__, url_prefix="/prefecture")

from . import forum_routes, invitees, routes, synthesis  # noqa: E402,F401  (routes attach themselves to bp)
