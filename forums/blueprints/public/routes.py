"""Routes of the public blueprint."""
from flask import render_template

from . import bp


@bp.get("/")
def home():
    """Show the home page of the current consultation."""
    return render_template("public/home.html")
