"""Open data: public forums and coverage as plain dicts and CSV rows, never anything unpublished."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import url_for

from ..extensions import db
from ..models import Forum, ForumStatus
from ..templating import render_markdown
from ..timeutils import PARIS
from .public import public_forums_query

#: Columns of the forums CSV export, named like the fields of the JSON forum object.
FORUM_CSV_HEADER = (
    "id", "url", "ical_url", "title", "status", "status_label", "starts_at", "ends_at",
    "department_code", "department_name", "region_code", "region_name",
    "venue_name", "address", "postal_code", "commune_code", "commune_name",
    "canton_codes", "canton_names", "covered_commune_codes", "covered_commune_names",
    "accessibility", "capacity", "animator_name", "animator_function", "speakers",
    "cancellation_reason", "sequence", "published_at", "updated_at",
)

#: Columns of the national coverage CSV export, one row per department.
COVERAGE_CSV_HEADER = (
    "department_code", "department_name", "region_code", "region_name", "unit",
    "total", "covered", "uncovered", "percentage", "complete",
)

_POSTAL_CODE = re.compile(r"\b\d{5}\b")


@dataclass(frozen=True)
class ForumFilters:
    """What a reuser asked for: a department, a status, a range of Paris days (inclusive)."""

    department_code: str | None = None
    status: ForumStatus | None = None
    from_date: date | None = None
    to_date: date | None = None


def filtered_forums_query(consultation, filters):
    """Return a select of the consultation's public forums matching ``filters``, in date order."""
    query = public_forums_query(consultation, filters.department_code)
    if filters.status is not None:
        query = query.where(Forum.status == filters.status)
    if filters.from_date is not None:
        query = query.where(Forum.starts_at >= _paris_midnight(filters.from_date))
    if filters.to_date is not None:
        query = query.where(Forum.starts_at < _paris_midnight(filters.to_date + timedelta(days=1)))
    return query


def count_rows(query):
    """Return how many rows ``query`` selects."""
    return db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery()))


def iso(value):
    """Return an aware datetime in ISO 8601 with the Paris offset, or None."""
    return value.astimezone(PARIS).isoformat() if value is not None else None


def forum_postal_code(forum):
    """Return the venue's postal code: the one the address gives, or the commune's only one, or None."""
    if forum.commune is None:
        return None
    codes = forum.commune.postal_codes.split()
    in_address = [code for code in _POSTAL_CODE.findall(forum.address) if code in codes]
    if in_address:
        return in_address[0]
    return codes[0] if len(codes) == 1 else None


def forum_to_dict(forum):
    """Return the public fields of a forum as JSON-ready data (never its author, invitees or history)."""
    department = forum.department
    return {
        "id": forum.id,
        "url": url_for("public.forum", forum_id=forum.id, _external=True),
        "ical_url": url_for("public.forum_ics", forum_id=forum.id, _external=True),
        "title": forum.title,
        "status": forum.status.value,
        "status_label": forum.status.label,
        "starts_at": iso(forum.starts_at),
        "ends_at": iso(forum.ends_at),
        "timezone": "Europe/Paris",
        "venue": {
            "name": forum.venue_name,
            "address": forum.address,
            "postal_code": forum_postal_code(forum),
            "commune": _code_name(forum.commune) if forum.commune else None,
        },
        "accessibility": forum.accessibility,
        "capacity": forum.capacity,
        "department": _code_name(department),
        "region": _code_name(department.region),
        "cantons": [_code_name(canton) for canton in forum.cantons],
        "communes": [_code_name(commune) for commune in forum.communes],
        "animator": {"name": forum.animator_name, "function": forum.animator_function},
        "speakers": [
            {"kind": speaker.kind.value, "kind_label": speaker.kind.label, "name": speaker.name,
             "function": speaker.function}
            for speaker in forum.speakers
        ],
        "description": forum.description,
        "description_html": str(render_markdown(forum.description)),
        "cancellation_reason": forum.cancellation_reason if forum.status is ForumStatus.CANCELLED else None,
        "previous_dates": [
            {"starts_at": iso(change.previous_starts_at), "ends_at": iso(change.previous_ends_at)}
            for change in forum.date_changes
        ],
        "sequence": forum.sequence,
        "published_at": iso(forum.published_at),
        "updated_at": iso(forum.updated_at),
    }


def forum_csv_row(forum):
    """Return one row of the forums CSV export, in the order of FORUM_CSV_HEADER."""
    data = forum_to_dict(forum)
    venue_commune = data["venue"]["commune"] or {"code": "", "name": ""}
    return (
        data["id"], data["url"], data["ical_url"], data["title"], data["status"], data["status_label"],
        data["starts_at"] or "", data["ends_at"] or "",
        data["department"]["code"], data["department"]["name"], data["region"]["code"], data["region"]["name"],
        data["venue"]["name"], data["venue"]["address"], data["venue"]["postal_code"] or "",
        venue_commune["code"], venue_commune["name"],
        ", ".join(c["code"] for c in data["cantons"]), ", ".join(c["name"] for c in data["cantons"]),
        ", ".join(c["code"] for c in data["communes"]), ", ".join(c["name"] for c in data["communes"]),
        data["accessibility"], "" if data["capacity"] is None else data["capacity"],
        data["animator"]["name"], data["animator"]["function"],
        " | ".join(_speaker_text(speaker) for speaker in forum.speakers),
        data["cancellation_reason"] or "", data["sequence"], data["published_at"] or "", data["updated_at"],
    )


def coverage_to_dict(department, coverage):
    """Return a department's coverage as JSON-ready data."""
    return {
        "department": _code_name(department),
        "unit": coverage.unit_kind,
        "total": coverage.total,
        "covered": coverage.covered_count,
        "percentage": coverage.percentage,
        "complete": coverage.is_complete,
        "covered_units": [_unit(unit) for unit in coverage.covered],
        "uncovered": [
            {"arrondissement": arrondissement, "units": [_unit(unit) for unit in units]}
            for arrondissement, units in coverage.uncovered_by_arrondissement
        ],
    }


def coverage_csv_row(department, coverage):
    """Return one row of the national coverage CSV export, in the order of COVERAGE_CSV_HEADER."""
    return (
        department.code, department.name, department.region.code, department.region.name,
        coverage.unit_kind, coverage.total, coverage.covered_count, coverage.uncovered_count,
        coverage.percentage, "oui" if coverage.is_complete else "non",
    )


def _code_name(item):
    return {"code": item.code, "name": item.name}


def _unit(unit):
    # A department may mix cantons and communes (the Rhône): each unit says which it is.
    return {"code": unit.code, "name": unit.name, "kind": unit.kind}


def _speaker_text(speaker):
    details = ", ".join(part for part in (speaker.function, speaker.kind.label) if part)
    return f"{speaker.name} ({details})"


def _paris_midnight(day):
    return datetime.combine(day, time(), tzinfo=PARIS)
