"""What the page layout needs from Python: the agent's home link and DSFR alert types."""
from flask import url_for
from flask_login import current_user

from . import permissions

#: Blueprints that make up the agents' area, marked as the current section in the main menu.
AGENT_BLUEPRINTS = ("prefecture", "ministry", "admin")

#: DSFR alert type for each flash category; categories the DSFR lacks read as information.
ALERT_TYPES = {"success": "success", "error": "error", "warning": "warning", "info": "info"}


def agent_home_url():
    """Return the URL of the logged-in agent's own area."""
    return url_for(permissions.home_endpoint(current_user))


def alert_type(category):
    """Return the DSFR alert modifier for a flash ``category``."""
    return ALERT_TYPES.get(category, "info")


def init_app(app):
    """Expose the layout helpers to every template."""
    app.jinja_env.globals.update(
        agent_home_url=agent_home_url, alert_type=alert_type, agent_blueprints=AGENT_BLUEPRINTS
    )
