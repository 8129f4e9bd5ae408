"""The public agenda: forums by region and department, department pages and forum pages."""
import json

from flask import abort, render_template, url_for
from flask_babel import format_time
from markupsafe import Markup

from ...errors import render_error
from ...ical import webcal_url
from ...public_cache import cacheable
from ...services.agenda import (
    agenda_overview, department_agenda, directions_url, forum_json_ld, load_department, postal_address,
    prefecture_name, previous_start,
)
from ...services.public import current_consultation, public_forum
from ...services.question_search import search_published
from ...services.questions import forum_accepts_questions
from ...templating import french_date, french_datetime
from ...timeutils import PARIS
from . import bp

#: A time of day as the French write it: "18 h 30".
TIME = "H 'h' mm"
#: The latest published questions shown on a department's or a forum's page.
QUESTIONS_PREVIEW = 3


@bp.get("/agenda")
@cacheable
def agenda():
    """List every department by region with its forums, next forum and coverage."""
    consultation = current_consultation()
    regions = agenda_overview(consultation) if consultation else []
    return render_template("public/agenda.html", consultation=consultation, regions=regions)


@bp.get("/departements/<code>")
@cacheable
def department(code):
    """Show a department's upcoming and past forums, its coverage and its calendar links."""
    department = load_department(code)
    if department is None:
        return render_error(404, "Aucun département ne correspond à cette adresse. "
                                 "Retrouvez la liste des départements dans l'agenda des forums.")
    consultation = current_consultation()
    agenda = department_agenda(department, consultation) if consultation else None
    questions = search_published(department_code=department.code, consultation=consultation,
                                 per_page=QUESTIONS_PREVIEW) if consultation else None
    feed_url = url_for("public.department_ics", code=department.code, _external=True)
    return render_template(
        "public/department.html", department=department, consultation=consultation, agenda=agenda,
        prefecture=prefecture_name(department), questions=questions,
        feed_url=feed_url, webcal_url=webcal_url(feed_url),
    )


@bp.get("/forums/<int:forum_id>")
@cacheable
def forum(forum_id):
    """Show a public forum: when, where, who, its state, and its schema.org description."""
    forum = public_forum(forum_id)
    if forum is None:
        abort(404)
    url = url_for("public.forum", forum_id=forum.id, _external=True)
    questions = search_published(forum_id=forum.id, consultation=forum.consultation, per_page=QUESTIONS_PREVIEW)
    return render_template(
        "public/forum.html", forum=forum, when=forum_when(forum), address=postal_address(forum),
        directions_url=directions_url(forum), previous_start=previous_start(forum),
        json_ld=json_ld_script(forum_json_ld(forum, url)),
        questions=questions, accepts_questions=forum_accepts_questions(forum),
    )


def forum_when(forum):
    """Return "mardi 17 mars 2009, de 18 h 30 à 20 h 30", or both dates when it spans midnight."""
    starts, ends = forum.starts_at.astimezone(PARIS), forum.ends_at.astimezone(PARIS)
    if starts.date() != ends.date():
        return f"du {french_datetime(starts)} au {french_datetime(ends)}"
    return f"{french_date(starts)}, de {format_time(starts, TIME)} à {format_time(ends, TIME)}"


def json_ld_script(data):
    """Return JSON for a ``<script type="application/ld+json">`` block that no text can close."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # "<", ">" and "&" as JSON escapes: "</script>" or "<!--" in a title cannot end the block.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
