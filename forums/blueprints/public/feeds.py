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
#: Forums loaded at a time into a feed: the national one has thousands, never all held as objects at once
#: (they took 90 MB of a worker's memory, which it kept).
FEED_BATCH = 200


@bp.get("/forums/<int:forum_id>.ics")
@cacheable
def forum_ics(forum_id):
    """Return one public forum as an iCalendar file, to add to one's calendar."""
    forum = public_forum(forum_id)
    if forum is None:
        abort(404)
    calendar = ical.forums_calendar([forum], _host(), _forum_url)
    return _calendar_response(calendar.to_ical(), f"forum-{forum.id}.ics")


@bp.get("/departements/<code>/calendrier.ics")
@cacheable
def department_ics(code):
    """Return the feed of a department's public forums, cancelled ones included."""
    department = load_department(code)
    if department is None:
        abort(404)
    consultation = current_consultation()
    body = ical.feed_ical(_streamed(consultation, department.code), _host(), _forum_url,
                          ical.department_calendar_name(department.name), consultation.name if consultation else None)
    return _calendar_response(body, f"forums-securite-{department.code}.ics")


@bp.get("/calendrier.ics")
@cacheable
def national_ics():
    """Return the feed of every public forum of the current consultation."""
    consultation = current_consultation()
    body = ical.feed_ical(_streamed(consultation), _host(), _forum_url, ical.national_calendar_name(),
                          consultation.name if consultation else None)
    return _calendar_response(body, "forums-securite.ics")


def _streamed(consultation, department_code=None):
    """Yield the consultation's public forums, loaded FEED_BATCH at a time, each batch released once rendered."""
    if consultation is None:
        return iter(())
    query = public_forums_query(consultation, department_code).execution_options(yield_per=FEED_BATCH)
    return db.session.scalars(query)


def _host():
    # UIDs must not change with the name a visitor used to reach the site.
    return urlsplit(current_app.config["PUBLIC_URL"] or request.host_url).hostname


def _forum_url(forum):
    return url_for("public.forum", forum_id=forum.id, _external=True)


def _calendar_response(body, filename):
    # Inline, not attachment: subscribing clients and browsers both handle text/calendar themselves.
    return current_app.response_class(
        body, mimetype=MIMETYPE, headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
