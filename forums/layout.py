"""What the page layout needs from Python: the agent's home link, the moderation entry, the national calendar
links and DSFR alert types."""
from typing import NamedTuple

from flask import url_for
from flask_login import current_user

from . import permissions
from .ical import webcal_url
from .services import moderation

#: Blueprints that make up the agents' area, marked as the current section in the main menu.
AGENT_BLUEPRINTS = ("prefecture", "moderation", "minutes", "ministry", "admin")

#: DSFR alert type for each flash category; categories the DSFR lacks read as information.
ALERT_TYPES = {"success": "success", "error": "error", "warning": "warning", "info": "info"}


def agent_home_url():
    """Return the URL of the logged-in agent's own area."""
    return url_for(permissions.home_endpoint(current_user))


class ModerationEntry(NamedTuple):
    """The « Modération » menu entry: the queue's URL and how many questions wait there."""

    url: str
    pending: int


def moderation_entry():
    """Return the agent's ModerationEntry, or None when they do not moderate (one query)."""
    department_code = getattr(current_user, "department_code", None)
    if department_code is None or not permissions.can_moderate_questions(current_user, department_code):
        return None
    return ModerationEntry(url_for("moderation.queue", code=department_code),
                           moderation.pending_summary(department_code).count)


class CalendarLinks(NamedTuple):
    """A calendar feed's download URL and its subscription (webcal://) form."""

    download: str
    subscribe: str


def national_calendar():
    """Return the links of the calendar of every public forum (/calendrier.ics)."""
    url = url_for("public.national_ics", _external=True)
    return CalendarLinks(url, webcal_url(url))


def alert_type(category):
    """Return the DSFR alert modifier for a flash ``category``."""
    return ALERT_TYPES.get(category, "info")


def init_app(app):
    """Expose the layout helpers to every template."""
    app.jinja_env.globals.update(
        agent_home_url=agent_home_url, alert_type=alert_type, agent_blueprints=AGENT_BLUEPRINTS,
        moderation_entry=moderation_entry, national_calendar=national_calendar,
    )
