"""The moderation blueprint: the queue, the question files, decisions and answers."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
from . import groups  # noqa: E402,F401
