"""The auth blueprint."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from . import proconnect, routes, second_factor  # noqa: E402,F401  (routes attach themselves to bp)
