"""iCalendar downloads and feeds: one forum, a department's forums, every forum of the consultation."""
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for

from ... import ical
from ...extensions import db
from ...public_cache import cacheable
from ...services.agenda import load_department
from ...services.public import current_consultation, public_forum, public_forums_query
from . import bp

MIMETYPE = "text/calendar"


@bp.get("/forums/<int:forum_id>.ics")
@cacheable
def forum_ics(forum_id):
    """Return one public forum as an iCalendar file, to add to one's calendar."""
    forum = public_forum(forum_id)
    if forum is None:
        abort(404)
    calendar = ical.forums_calendar([forum], _host(), _forum_url)
    return _calendar_response(calendar, f"forum-{forum.id}.ics")


@bp.get("/departements/<code>/calendrier.ics")
@cacheable
def department_ics(code):
    """Return the feed of a department's public forums, cancelled ones included."""
    department = load_department(code)
    if department is None:
        abort(404)
    consultation = current_consultation()
    forums = db.session.scalars(public_forums_query(consultation, department.code)).all() if consultation else []
    calendar = ical.forums_calendar(forums, _host(), _forum_url, name=ical.department_calendar_name(department.name),
                                    description=consultation.name if consultation else None)
    return _calendar_response(calendar, f"forums-securite-{department.code}.ics")


@bp.get("/calendrier.ics")
@cacheable
def national_ics():
    """Return the feed of every public forum of the current consultation."""
    consultation = current_consultation()
    forums = db.session.scalars(public_forums_query(consultation)).all() if consultation else []
    calendar = ical.forums_calendar(forums, _host(), _forum_url, name=ical.national_calendar_name(),
                                    description=consultation.name if consultation else None)
    return _calendar_response(calendar, "forums-securite.ics")


def _host():
    # UIDs must not change with the name a visitor used to reach the site.
    return urlsplit(current_app.config["PUBLIC_URL"] or request.host_url).hostname


def _forum_url(forum):
    return url_for("public.forum", forum_id=forum.id, _external=True)


def _calendar_response(calendar, filename):
    # Inline, not attachment: subscribing clients and browsers both handle text/calendar themselves.
    return current_app.response_class(
        calendar.to_ical(), mimetype=MIMETYPE, headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
