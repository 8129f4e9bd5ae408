"""Routes of the ministry blueprint: the national view."""
from flask import render_template
from flask_login import current_user, login_required

from ... import permissions
from ...models.territories import departments_overview
from . import bp


@bp.get("/")
@login_required
def home():
    """List every region and department of the country."""
    permissions.ensure_allowed(current_user, permissions.can_browse_country(current_user), "ministry.home")
    regions, canton_counts = departments_overview()
    return render_template("ministry/home.html", regions=regions, canton_counts=canton_counts)
