"""The open data API: public forums and coverage as JSON and CSV, described by an OpenAPI document."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
