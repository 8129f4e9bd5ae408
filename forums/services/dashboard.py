"""The ministry's dashboard: every department's forums, coverage, moderation backlog, minutes and synthesis.

Counted in SQL, one grouped query per measure, so that the page costs the same number of
queries for four departments or a hundred and one.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Department, DepartmentSynthesis, Forum, ForumStatus, Minutes, SynthesisAnnex, SynthesisStatus
from ..text import fold
from .coverage import national_coverage
from .moderation_throughput import Pace, national_pace, paces
from .national import count_forums_by_department, department_sort_key
from .syntheses import DRAFT, LATE, NOT_STARTED, REOPENED, STATUS_LABELS, SUBMITTED, synthesis_state

#: Forums announced to the public: published, postponed or held (as the synthesis counts "planned").
ANNOUNCED = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD)
#: Synthesis statuses from the least to the most advanced, for sorting.
STATUS_ORDER = {NOT_STARTED: 0, DRAFT: 1, REOPENED: 2, LATE: 3, SUBMITTED: 4}


@dataclass(frozen=True)
class DashboardRow:
    """One department on the ministry's dashboard."""

    code: str
    name: str
    region_code: str
    region_name: str
    #: Every forum the prefecture scheduled, drafts included, cancelled ones left out.
    forums_planned: int
    #: Forums announced to the public: published, postponed or held.
    forums_published: int
    forums_held: int
    forums_cancelled: int
    #: "canton", "commune" or "mixte" (synthesis.coverage).
    coverage_unit: str
    units_total: int
    units_covered: int
    coverage_percentage: float
    questions_pending: int
    minutes_missing: int
    #: Key of the synthesis status (see forums.services.syntheses.STATUS_LABELS) and its French label.
    synthesis_status: str
    synthesis_label: str
    synthesis_submitted_at: datetime | None
    synthesis_is_late: bool
    #: Not transmitted although the deadline has passed.
    synthesis_overdue: bool
    #: Transmitted while forums were still to be held (its reason is on the synthesis page).
    synthesis_is_early: bool = False
    #: When the last addendum (minutes sent after the synthesis) was received, if any.
    synthesis_addendum_at: datetime | None = None
    #: The moderation queue: what waits, since when, how much is late, the last hour's decisions.
    moderation: Pace | None = None


@dataclass(frozen=True)
class DashboardTotals:
    """The sums of the dashboard: the country, or the region it is filtered to."""

    departments: int
    forums_planned: int
    forums_published: int
    forums_held: int
    units_total: int
    units_covered: int
    questions_pending: int
    minutes_missing: int
    #: Status key → number of departments, every key present.
    syntheses: dict
    #: The moderation queues of all these departments together.
    moderation: Pace | None = None

    @property
    def coverage_percentage(self):
        """Return the share of all cantons (or communes) covered, with one decimal."""
        return round(100 * self.units_covered / self.units_total, 1) if self.units_total else 0.0

    @property
    def syntheses_submitted(self):
        """Return how many departments have transmitted their synthesis, late or not."""
        return self.syntheses[SUBMITTED] + self.syntheses[LATE]


#: Sort keys the dashboard accepts, each a function of a row (ties broken by department code).
SORT_KEYS = {
    "department": lambda row: department_sort_key(row.code),
    # Accents folded: Île-de-France sorts under I, Côte-d'Or before Creuse.
    "name": lambda row: fold(row.name),
    "region": lambda row: fold(row.region_name),
    "planned": lambda row: row.forums_planned,
    "published": lambda row: row.forums_published,
    "held": lambda row: row.forums_held,
    "coverage": lambda row: row.coverage_percentage,
    "pending": lambda row: row.questions_pending,
    "minutes_missing": lambda row: row.minutes_missing,
    "status": lambda row: STATUS_ORDER[row.synthesis_status],
    # Not yet submitted sorts after every submission, ascending.
    "submitted_at": lambda row: (row.synthesis_submitted_at is None,
                                 row.synthesis_submitted_at.timestamp() if row.synthesis_submitted_at else 0),
}


def dashboard_rows(consultation, region_code=None, sort="department", descending=False, now=None):
    """Return a DashboardRow per department (of one region, if given), sorted; ValueError on an unknown sort."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}: expected one of {', '.join(SORT_KEYS)}")
    query = db.select(Department).options(joinedload(Department.region))
    if region_code:
        query = query.where(Department.region_code == region_code)
    departments = db.session.scalars(query).all()
    codes = [department.code for department in departments]
    forums = count_forums_by_department(consultation, codes)
    coverages = national_coverage(consultation, codes)
    queues = paces(consultation.id, codes, now)
    missing = _held_without_minutes(consultation, codes)
    syntheses = _syntheses(consultation, codes)
    rows = []
    for department in departments:
        by_status = forums.get(department.code, {})
        coverage = coverages[department.code]
        synthesis = syntheses.get(department.code)
        state = synthesis_state(synthesis, consultation, now)
        rows.append(DashboardRow(
            code=department.code,
            name=department.name,
            region_code=department.region_code,
            region_name=department.region.name,
            forums_planned=sum(number for status, number in by_status.items() if status is not ForumStatus.CANCELLED),
            forums_published=sum(by_status.get(status, 0) for status in ANNOUNCED),
            forums_held=by_status.get(ForumStatus.HELD, 0),
            forums_cancelled=by_status.get(ForumStatus.CANCELLED, 0),
            coverage_unit=coverage.unit_kind,
            units_total=coverage.total,
            units_covered=coverage.covered_count,
            coverage_percentage=coverage.percentage,
            questions_pending=queues[department.code].pending,
            minutes_missing=missing.get(department.code, 0),
            synthesis_status=state.key,
            synthesis_label=state.label,
            synthesis_submitted_at=synthesis.submitted_at if synthesis is not None else None,
            synthesis_is_late=state.key == LATE,
            synthesis_overdue=state.is_overdue,
            synthesis_is_early=synthesis is not None and synthesis.is_early and synthesis.submitted_at is not None,
            synthesis_addendum_at=synthesis.addendum_at if synthesis is not None else None,
            moderation=queues[department.code],
        ))
    key = SORT_KEYS[sort]
    # Two stable sorts: the department order breaks ties, in the same direction whatever the key.
    rows.sort(key=lambda row: department_sort_key(row.code))
    rows.sort(key=key, reverse=descending)
    return rows


def dashboard_totals(rows):
    """Return the DashboardTotals of dashboard rows."""
    syntheses = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        syntheses[row.synthesis_status] += 1
    return DashboardTotals(
        departments=len(rows),
        forums_planned=sum(row.forums_planned for row in rows),
        forums_published=sum(row.forums_published for row in rows),
        forums_held=sum(row.forums_held for row in rows),
        units_total=sum(row.units_total for row in rows),
        units_covered=sum(row.units_covered for row in rows),
        questions_pending=sum(row.questions_pending for row in rows),
        minutes_missing=sum(row.minutes_missing for row in rows),
        syntheses=syntheses,
        moderation=national_pace({row.code: row.moderation for row in rows if row.moderation is not None}),
    )


def _held_without_minutes(consultation, codes):
    """Return {department code: held forums without minutes} in one grouped query."""
    return dict(db.session.execute(
        db.select(Forum.department_code, db.func.count(Forum.id))
        .outerjoin(Minutes, Minutes.forum_id == Forum.id)
        .where(Forum.consultation_id == consultation.id, Forum.department_code.in_(codes),
               Forum.status == ForumStatus.HELD, Minutes.id.is_(None))
        .group_by(Forum.department_code)
    ).all())


class _SynthesisSummary:
    """The few columns of a synthesis the dashboard shows: its figures and stored result stay in the database."""

    __slots__ = ("status", "is_late", "submitted_at", "is_early", "addendum_at")

    def __init__(self, status, is_late, submitted_at, is_early, addendum_at):
        self.status, self.is_late, self.submitted_at = status, is_late, submitted_at
        self.is_early, self.addendum_at = is_early, addendum_at


def _syntheses(consultation, codes):
    """Return {department code: status, lateness, transmission, anticipation and last addendum} in one query."""
    addendum = (
        db.select(db.func.max(SynthesisAnnex.transmitted_at))
        .where(SynthesisAnnex.synthesis_id == DepartmentSynthesis.id, SynthesisAnnex.is_addendum.is_(True))
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(DepartmentSynthesis.department_code, DepartmentSynthesis.status, DepartmentSynthesis.is_late,
                  DepartmentSynthesis.submitted_at, DepartmentSynthesis.is_early, addendum)
        .where(DepartmentSynthesis.consultation_id == consultation.id,
               DepartmentSynthesis.department_code.in_(codes))
    )
    return {code: _SynthesisSummary(SynthesisStatus(status), bool(is_late), submitted_at, bool(is_early), addendum_at)
            for code, status, is_late, submitted_at, is_early, addendum_at in rows}
