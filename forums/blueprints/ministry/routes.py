"""Routes of the ministry blueprint: the national view of territories, forums and progress."""
from flask import abort, render_template, request
from flask_login import current_user

from ... import permissions
from ...extensions import db, login_manager
from ...models import Consultation, ForumStatus
from ...models.territories import departments_overview
from ...services.national import (
    ForumFilters,
    department_progress,
    export_forums_csv,
    export_progress_csv,
    load_filter_choices,
    national_forums_query,
    paginate_national_forums,
)
from ...spreadsheets import csv_download
from ...timeutils import PARIS, utcnow
from . import bp
from .forms import ForumFiltersForm, ProgressFiltersForm


@bp.before_request
def require_national_agent():
    """Send anonymous visitors to the login page and refuse every agent without a national role."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    permissions.ensure_allowed(current_user, permissions.can_browse_country(current_user),
                               f"ministry:{request.endpoint}")
    return None


@bp.get("/")
def home():
    """List every region and department of the country."""
    regions, canton_counts = departments_overview()
    return render_template("ministry/home.html", regions=regions, canton_counts=canton_counts,
                           can_read_national=permissions.can_read_national_synthesis(current_user))


@bp.get("/forums")
def forums():
    """List the published forums of the whole country, filtered and paginated."""
    form, consultation, filters = _forum_filters()
    page = None
    if consultation is not None:
        page = paginate_national_forums(consultation, filters, form.page.data or 1)
        if page.page > max(page.pages, 1):
            abort(404)
    return render_template("ministry/forums.html", form=form, consultation=consultation, page=page,
                           args=form.query_args())


@bp.get("/forums.csv")
def forums_csv():
    """Export the filtered national list of forums as CSV: dates and venues."""
    form, consultation, filters = _forum_filters()
    if consultation is None:
        abort(404)
    forums = db.session.scalars(national_forums_query(consultation, filters)).all()
    return dated_csv(export_forums_csv(forums), f"forums-{consultation.slug}")


@bp.get("/departements")
def progress():
    """Show each department's forums and coverage, with national totals."""
    form, consultation = _progress_filters()
    rows = totals = None
    if consultation is not None:
        rows, totals = department_progress(consultation, form.region.data or None, form.tri.data)
    return render_template("ministry/progress.html", form=form, consultation=consultation, rows=rows,
                           totals=totals, args=form.query_args())


@bp.get("/departements.csv")
def progress_csv():
    """Export the per-department progress table as CSV."""
    form, consultation = _progress_filters()
    if consultation is None:
        abort(404)
    rows, totals = department_progress(consultation, form.region.data or None, form.tri.data)
    return dated_csv(export_progress_csv(rows, totals), f"avancement-{consultation.slug}")


def _forum_filters():
    form = ForumFiltersForm(formdata=request.args)
    regions, departments = load_filter_choices()
    consultations = all_consultations()
    form.set_choices(consultations, regions, departments)
    refuse_bad_filters(form)
    filters = ForumFilters(
        region_code=form.region.data or None,
        department_code=form.departement.data or None,
        status=ForumStatus(form.etat.data) if form.etat.data else None,
        starts_on=form.du.data,
        ends_on=form.au.data,
        order=form.tri.data,
    )
    return form, chosen_consultation(consultations, form), filters


def _progress_filters():
    form = ProgressFiltersForm(formdata=request.args)
    regions, _ = load_filter_choices()
    consultations = all_consultations()
    form.set_choices(consultations, regions)
    refuse_bad_filters(form)
    return form, chosen_consultation(consultations, form)


def all_consultations():
    """Return every consultation, the newest first: the choices of the ministry's filters."""
    return db.session.scalars(db.select(Consultation).order_by(Consultation.meetings_start_on.desc())).all()


def chosen_consultation(consultations, form):
    """Return the consultation the filter form names among ``consultations``, or None."""
    return next((c for c in consultations if c.slug == form.consultation.data), None)


def refuse_bad_filters(form):
    """Answer 400, saying which filter is wrong, when the query string does not validate."""
    if not form.validate():
        abort(400, description=f"Filtre incorrect. {form.problems()}")


def dated_csv(text, name):
    """Return ``text`` as a CSV download named after ``name`` and today's Paris date."""
    today = utcnow().astimezone(PARIS).date().isoformat()
    return csv_download(text, f"{name}-{today}.csv")
