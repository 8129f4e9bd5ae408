"""The ministry blueprint."""
from flask import Blueprint

bp = Blueprint("ministry", __name__, url_prefix="/ministry")

from . import dashboard, national, routes, syntheses  # noqa: E402,F401  (routes attach themselves to bp)
