"""The minutes blueprint: comptes-rendus of held forums, their documents, follow-up lists and proposals."""
from flask import Blueprint

bp = Blueprint("minutes", __name__, url_prefix="/comptes-rendus")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
