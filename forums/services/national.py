"""Query builders of the ministry's national view: every forum of the country, progress per department."""
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy.orm import joinedload, selectinload

from synthesis.coverage import Coverage

from ..extensions import db
from ..models import Department, Forum, ForumStatus
from ..spreadsheets import spreadsheet_csv
from ..timeutils import PARIS
from .coverage import national_coverage
from .forums import paris_datetime

#: What the ministry lists: every forum from its publication on. Drafts stay inside the prefecture.
LISTED_STATUSES = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD, ForumStatus.CANCELLED)
#: Sort orders of the national list: by forum date (the default) or newest publication first.
FORUM_ORDERS = ("date", "publication")
#: Sort orders of the progress table: by department code (the default), lowest coverage first,
#: fewest published forums first.
PROGRESS_ORDERS = ("departement", "couverture", "publies")
PAGE_SIZE = 50

FORUM_CSV_COLUMNS = (
    "identifiant", "département (code)", "département (nom)", "région", "titre", "état",
    "date (JJ/MM/AAAA)", "début (HH:MM, heure de Paris)", "fin (HH:MM, heure de Paris)", "lieu", "adresse",
    "commune (code INSEE)", "commune (nom)", "cantons (codes)", "cantons (noms)", "accessibilité", "capacité", "animateur", "motif d'annulation", "mis à jour le",
)
PROGRESS_CSV_COLUMNS = (
    "région", "département (code)", "département (nom)", "brouillons", "publiés (dont reportés)",
    "reportés", "tenus", "annulés", "unité de couverture", "unités à couvrir", "unités couvertes",
    "couverture (%)", "entièrement couvert",
)


@dataclass(frozen=True)
class ForumFilters:
    """What the national list is narrowed to; None means no restriction."""

    region_code: str | None = None
    department_code: str | None = None
    status: ForumStatus | None = None
    #: First and last day of the period, inclusive, in Europe/Paris.
    starts_on: date | None = None
    ends_on: date | None = None
    order: str = "date"


@dataclass(frozen=True)
class DepartmentProgress:
    """Where one department stands: its forums by state and its coverage."""

    department: Department
    drafts: int
    #: Published forums, postponed ones included: both are announced to the public.
    published: int
    postponed: int
    held: int
    cancelled: int
    coverage: Coverage

    @property
    def percentage_label(self):
        """Return the coverage in French notation: "66,7 %"."""
        return french_percentage(self.coverage.percentage)


@dataclass(frozen=True)
class ProgressTotals:
    """The sums of a progress table: the country, or the region it is filtered to."""

    departments: int
    drafts: int
    published: int
    postponed: int
    held: int
    cancelled: int
    units: int
    covered_units: int
    complete_departments: int

    @property
    def percentage(self):
        """Return the share of all cantons (or communes) covered, with one decimal."""
        return round(100 * self.covered_units / self.units, 1) if self.units else 0.0

    @property
    def percentage_label(self):
        """Return the share covered in French notation."""
        return french_percentage(self.percentage)


def national_forums_query(consultation, filters):
    """Return the select of the consultation's listed forums matching ``filters``, ready to show."""
    query = (
        db.select(Forum)
        .where(Forum.consultation_id == consultation.id, Forum.status.in_(LISTED_STATUSES))
        .options(
            joinedload(Forum.department).joinedload(Department.region),
            joinedload(Forum.commune),
            selectinload(Forum.cantons),
            selectinload(Forum.communes),
        )
    )
    if filters.region_code:
        query = query.where(Forum.department.has(Department.region_code == filters.region_code))
    if filters.department_code:
        query = query.where(Forum.department_code == filters.department_code)
    if filters.status:
        query = query.where(Forum.status == filters.status)
    if filters.starts_on:
        query = query.where(Forum.starts_at >= paris_datetime(filters.starts_on, time()))
    if filters.ends_on:
        query = query.where(Forum.starts_at < paris_datetime(filters.ends_on + timedelta(days=1), time()))
    if filters.order == "publication":
        return query.order_by(Forum.published_at.desc().nulls_last(), Forum.id.desc())
    return query.order_by(Forum.starts_at, Forum.department_code, Forum.id)


def paginate_national_forums(consultation, filters, page, per_page=PAGE_SIZE):
    """Return one page of the national list (a Flask-SQLAlchemy Pagination), in a fixed number of queries."""
    return db.paginate(national_forums_query(consultation, filters), page=page, per_page=per_page,
                       error_out=False)


def export_forums_csv(forums):
    """Return forums as CSV text for a French spreadsheet: BOM, ``;``, dates and times in Paris."""
    rows = []
    for forum in forums:
        starts_at = forum.starts_at.astimezone(PARIS) if forum.starts_at else None
        ends_at = forum.ends_at.astimezone(PARIS) if forum.ends_at else None
        animator = ", ".join(part for part in (forum.animator_name, forum.animator_function) if part)
        rows.append([
            forum.id,
            forum.department_code,
            forum.department.name,
            forum.department.region.name,
            forum.title,
            forum.status.label,
            starts_at.strftime("%d/%m/%Y") if starts_at else "",
            starts_at.strftime("%H:%M") if starts_at else "",
            ends_at.strftime("%H:%M") if ends_at else "",
            forum.venue_name,
            forum.address,
            forum.commune_code or "",
            forum.commune.name if forum.commune else "",
            ", ".join(canton.code for canton in forum.cantons),
            ", ".join(canton.name for canton in forum.cantons),
            forum.accessibility,
            "" if forum.capacity is None else forum.capacity,
            animator,
            forum.cancellation_reason,
            forum.updated_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
        ])
    return spreadsheet_csv(FORUM_CSV_COLUMNS, rows)


def count_forums_by_department(consultation, department_codes=None):
    """Return {department code: {status: number of forums}} in one GROUP BY query."""
    query = (
        db.select(Forum.department_code, Forum.status, db.func.count(Forum.id))
        .where(Forum.consultation_id == consultation.id)
        .group_by(Forum.department_code, Forum.status)
    )
    if department_codes is not None:
        query = query.where(Forum.department_code.in_(department_codes))
    counts = {}
    for department_code, status, number in db.session.execute(query):
        counts.setdefault(department_code, {})[status] = number
    return counts


def department_progress(consultation, region_code=None, order="departement"):
    """Return (rows, totals): every department's (or one region's) forums and coverage, in six queries."""
    query = db.select(Department).options(joinedload(Department.region))
    if region_code:
        query = query.where(Department.region_code == region_code)
    departments = db.session.scalars(query).all()
    codes = [department.code for department in departments]
    counts = count_forums_by_department(consultation, codes)
    coverages = national_coverage(consultation, codes)
    rows = []
    for department in departments:
        by_status = counts.get(department.code, {})
        rows.append(DepartmentProgress(
            department=department,
            drafts=by_status.get(ForumStatus.DRAFT, 0),
            published=by_status.get(ForumStatus.PUBLISHED, 0) + by_status.get(ForumStatus.POSTPONED, 0),
            postponed=by_status.get(ForumStatus.POSTPONED, 0),
            held=by_status.get(ForumStatus.HELD, 0),
            cancelled=by_status.get(ForumStatus.CANCELLED, 0),
            coverage=coverages[department.code],
        ))
    rows.sort(key=_PROGRESS_KEYS[order])
    return rows, _totals(rows)


def export_progress_csv(rows, totals):
    """Return the progress table as CSV text for a French spreadsheet, with a totals line."""
    lines = []
    for row in rows:
        coverage = row.coverage
        lines.append([
            row.department.region.name, row.department.code, row.department.name, row.drafts,
            row.published, row.postponed, row.held, row.cancelled, coverage.unit_kind, coverage.total,
            coverage.covered_count, french_decimal(coverage.percentage), "oui" if coverage.is_complete else "non",
        ])
    lines.append([
        "Total", "", f"{totals.departments} départements", totals.drafts, totals.published,
        totals.postponed, totals.held, totals.cancelled, "", totals.units, totals.covered_units,
        french_decimal(totals.percentage), f"{totals.complete_departments} sur {totals.departments}",
    ])
    return spreadsheet_csv(PROGRESS_CSV_COLUMNS, lines)


def load_filter_choices():
    """Return (regions, departments) for the filter selects, each in code order, in one query."""
    departments = db.session.scalars(db.select(Department).options(joinedload(Department.region))).all()
    departments.sort(key=lambda department: department_sort_key(department.code))
    regions = sorted({department.region.code: department.region for department in departments}.values(),
                     key=lambda region: region.code)
    return regions, departments


def department_sort_key(code):
    """Return a key that puts Corsica's 2A and 2B where INSEE lists them, between 19 and 21."""
    return "20" + code[1] if code in ("2A", "2B") else code


def french_percentage(value):
    """Return a percentage in French notation: "66,7 %"."""
    return f"{french_decimal(value)}\u202f%"


def french_decimal(value):
    """Return a number with one decimal in French notation: "66,7"."""
    return f"{value:.1f}".replace(".", ",")


def _totals(rows):
    return ProgressTotals(
        departments=len(rows),
        drafts=sum(row.drafts for row in rows),
        published=sum(row.published for row in rows),
        postponed=sum(row.postponed for row in rows),
        held=sum(row.held for row in rows),
        cancelled=sum(row.cancelled for row in rows),
        units=sum(row.coverage.total for row in rows),
        covered_units=sum(row.coverage.covered_count for row in rows),
        complete_departments=sum(1 for row in rows if row.coverage.is_complete),
    )


_PROGRESS_KEYS = {
    "departement": lambda row: department_sort_key(row.department.code),
    "couverture": lambda row: (row.coverage.percentage, department_sort_key(row.department.code)),
    "publies": lambda row: (row.published, department_sort_key(row.department.code)),
}

