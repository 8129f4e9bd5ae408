"""The prefecture blueprint."""
from flask import Blueprint

bp = Blueprint("prefecture", __name__, url_prefix="/prefecture")

from . import invitees, routes  # noqa: E402,F401  (routes attach themselves to bp)
