"""The public blueprint."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix=None)

from . import agenda, feeds, open_data, question_pages, questions, routes, search  # noqa: E402,F401  (routes attach themselves to bp)
