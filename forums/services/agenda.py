"""What the public agenda shows: national counters, forums by region and department, forum facts.

"Upcoming" and "past" are decided by the day in Paris, not the minute: public pages are cached
for the day (forums.public_cache), so a forum stays "upcoming" until the evening of its day ends.
"""
import html
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlencode

import nh3
from sqlalchemy.orm import joinedload, load_only, selectinload

from synthesis.coverage import Coverage

from ..extensions import db
from ..models import Canton, Commune, Department, Forum, ForumDateChange, ForumStatus, Region
from ..templating import render_markdown
from ..text import fold
from ..timeutils import PARIS, utcnow
from .coverage import department_coverage, national_coverage
from .public import PUBLIC_STATUSES

#: Statuses of forums still to come: announced, or moved to a new date.
SCHEDULED_STATUSES = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED)
#: Public statuses of forums that take place or took place (a cancelled one does not count).
COUNTED_STATUSES = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD)

SCHEMA = "https://schema.org/"
EVENT_STATUSES = {
    ForumStatus.PUBLISHED: "EventScheduled",
    ForumStatus.HELD: "EventScheduled",
    ForumStatus.POSTPONED: "EventRescheduled",
    ForumStatus.CANCELLED: "EventCancelled",
}


@dataclass(frozen=True)
class NationalCounters:
    """The home page figures of a consultation."""

    #: Forums announced to the public and still to take place (published or postponed).
    published: int
    held: int
    departments_covered: int
    departments_total: int


@dataclass(frozen=True)
class NextForum:
    """The next forum of a department, as the national agenda lists it."""

    id: int
    title: str
    starts_at: datetime
    commune_name: str


@dataclass(frozen=True)
class DepartmentSummary:
    """One department of the national agenda."""

    department: Department
    #: Public forums that take place or took place (cancelled ones excluded).
    forum_count: int
    next_forum: NextForum | None
    coverage: Coverage | None


@dataclass(frozen=True)
class RegionAgenda:
    """One region of the national agenda with its departments, in code order."""

    region: Region
    departments: tuple[DepartmentSummary, ...]


@dataclass(frozen=True)
class DepartmentAgenda:
    """A department's public forums, split around today, and its coverage."""

    upcoming: tuple[Forum, ...]
    past: tuple[Forum, ...]
    coverage: Coverage


def paris_today(now=None):
    """Return today's date in Paris, ``now`` (aware) standing for the current time when given."""
    return (now or utcnow()).astimezone(PARIS).date()


def national_counters(consultation):
    """Return the consultation's published and held forums and its fully covered departments."""
    counts = dict(db.session.execute(
        db.select(Forum.status, db.func.count())
        .where(Forum.consultation_id == consultation.id, Forum.status.in_(COUNTED_STATUSES))
        .group_by(Forum.status)
    ).all())
    coverage = national_coverage(consultation)
    return NationalCounters(
        published=counts.get(ForumStatus.PUBLISHED, 0) + counts.get(ForumStatus.POSTPONED, 0),
        held=counts.get(ForumStatus.HELD, 0),
        departments_covered=sum(1 for item in coverage.values() if item.is_complete),
        departments_total=len(coverage),
    )


def agenda_overview(consultation, now=None):
    """Return every region with every department: its forum count, next forum and coverage."""
    regions = db.session.scalars(
        db.select(Region).order_by(Region.code).options(selectinload(Region.departments))
    ).all()
    counts = dict(db.session.execute(
        db.select(Forum.department_code, db.func.count())
        .where(Forum.consultation_id == consultation.id, Forum.status.in_(COUNTED_STATUSES))
        .group_by(Forum.department_code)
    ).all())
    next_forums = _next_forums(consultation, paris_today(now))
    coverage = national_coverage(consultation)
    return [
        RegionAgenda(region, tuple(
            DepartmentSummary(department, counts.get(department.code, 0), next_forums.get(department.code),
                              coverage.get(department.code))
            for department in sorted(region.departments, key=_department_order)
        ))
        for region in sorted(regions, key=lambda region: (not region.is_metropolitan, fold(region.name)))
    ]


def _department_order(department):
    # "2A" and "2B" sit between "19" and "21", and overseas codes after "95".
    return (len(department.code), department.code.replace("2A", "20A").replace("2B", "20B"))


def _next_forums(consultation, today):
    """Return {department code: NextForum} for the first forum of each department from today on."""
    rank = db.func.row_number().over(
        partition_by=Forum.department_code, order_by=(Forum.starts_at, Forum.id)
    ).label("rank")
    upcoming = (
        db.select(Forum.department_code, Forum.id, Forum.title, Forum.starts_at, Commune.name.label("commune_name"),
                  rank)
        .outerjoin(Commune, Commune.code == Forum.commune_code)
        .where(Forum.consultation_id == consultation.id, Forum.status.in_(SCHEDULED_STATUSES),
               Forum.starts_at >= _start_of(today))
        .subquery()
    )
    rows = db.session.execute(db.select(upcoming).where(upcoming.c.rank == 1))
    return {
        row.department_code: NextForum(row.id, row.title, row.starts_at, row.commune_name or "")
        for row in rows
    }


def _start_of(day):
    return datetime.combine(day, time(), tzinfo=PARIS)


def load_department(code):
    """Return the department with this code and its region, or None."""
    # Codes are 2 or 3 letters and digits; anything else (a NUL byte breaks PostgreSQL) matches nothing.
    if len(code) > 3 or not code.isalnum():
        return None
    return db.session.scalar(
        db.select(Department).where(Department.code == code).options(joinedload(Department.region))
    )


def forum_card_options():
    """Return the loader options of forum cards (templates/public/_forum_card.html): what a card shows, no more.

    Joined to the forums' own query (use ``.unique()``): a forum has a few cantons or communes and
    rarely a date change. A department lists a hundred forums; loaded one relation at a time, each
    query carried their hundred ids, and those queries were a third of the page's time.
    """
    place = (Commune.code, Commune.name, Commune.postal_codes, Commune.has_municipal_arrondissements)
    return (
        load_only(Forum.id, Forum.consultation_id, Forum.department_code, Forum.title, Forum.starts_at,
                  Forum.status, Forum.venue_name, Forum.commune_code),
        joinedload(Forum.commune).load_only(*place),
        joinedload(Forum.cantons).load_only(Canton.code, Canton.name),
        joinedload(Forum.communes).load_only(*place),
        joinedload(Forum.date_changes).load_only(ForumDateChange.previous_starts_at),
    )


def department_agenda(department, consultation, now=None):
    """Return the department's public forums from today on and before today, and its coverage."""
    forums = db.session.scalars(
        db.select(Forum)
        .where(Forum.consultation_id == consultation.id, Forum.department_code == department.code,
               Forum.status.in_(PUBLIC_STATUSES))
        .options(*forum_card_options())
    ).unique().all()
    upcoming, past = split_forums(forums, now)
    return DepartmentAgenda(upcoming, past, department_coverage(department.code, consultation))


def split_forums(forums, now=None):
    """Split forums into those of today or later (soonest first) and earlier or held ones (latest first)."""
    start = _start_of(paris_today(now))
    upcoming = [f for f in forums if f.status is not ForumStatus.HELD and f.starts_at >= start]
    past = [f for f in forums if f not in upcoming]
    upcoming.sort(key=lambda f: (f.starts_at, f.id))
    past.sort(key=lambda f: (f.starts_at, f.id), reverse=True)
    return tuple(upcoming), tuple(past)


def previous_start(forum):
    """Return when a postponed forum was due before its last postponement, or None."""
    if forum.status is not ForumStatus.POSTPONED or not forum.date_changes:
        return None
    return forum.date_changes[-1].previous_starts_at


def first_postal_code(commune):
    """Return the commune's first postal code, or an empty string."""
    codes = (commune.postal_codes or "").split() if commune is not None else []
    return codes[0] if codes else ""


def prefecture_name(department):
    """Return "Préfecture des Bouches-du-Rhône" from the department's full name."""
    if department.full_name.startswith("Département "):
        return "Préfecture " + department.full_name.removeprefix("Département ")
    return f"Préfecture de {department.name}"


def postal_address(forum):
    """Return the venue's address as one line with postal code and commune, without repeating them."""
    commune = forum.commune
    if commune is None:
        return forum.address
    if fold(commune.name) in fold(forum.address):
        return forum.address
    locality = " ".join(part for part in (first_postal_code(commune), commune.name) if part)
    return ", ".join(part for part in (forum.address, locality) if part)


def directions_url(forum):
    """Return an OpenStreetMap search for the venue's address."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": postal_address(forum)})


def plain_text(markdown_text):
    """Return Markdown as plain text: no tags, entities decoded, paragraphs kept."""
    bare = nh3.clean(str(render_markdown(markdown_text)), tags=set())
    lines = (" ".join(line.split()) for line in html.unescape(bare).splitlines())
    return "\n".join(line for line in lines if line)


def forum_json_ld(forum, url):
    """Return the schema.org Event describing a public forum, as a dict ready for JSON."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": forum.title,
        "startDate": forum.starts_at.astimezone(PARIS).isoformat(),
        "endDate": forum.ends_at.astimezone(PARIS).isoformat(),
        "eventStatus": SCHEMA + EVENT_STATUSES[forum.status],
        "eventAttendanceMode": SCHEMA + "OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": forum.venue_name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": forum.address,
                "addressLocality": forum.commune.name if forum.commune else "",
                "postalCode": first_postal_code(forum.commune),
                "addressCountry": "FR",
            },
        },
        "organizer": {"@type": "GovernmentOrganization", "name": prefecture_name(forum.department)},
        "description": plain_text(forum.description),
        "url": url,
        "isAccessibleForFree": True,
    }
    if forum.capacity:
        data["maximumAttendeeCapacity"] = forum.capacity
    previous = previous_start(forum)
    if previous is not None:
        data["previousStartDate"] = previous.astimezone(PARIS).isoformat()
    return data
