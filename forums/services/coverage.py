"""Feeds the pure coverage computation (synthesis.coverage) from the database."""
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy.orm import aliased

from synthesis.coverage import CANTON, COMMUNE, COUNTING_STATUSES, ForumCover, Unit, compute_coverage

from ..extensions import db
from ..models import Canton, CantonKind, Commune, Forum, ForumStatus
from ..models.forums import forum_cantons, forum_communes
from ..models.territories import canton_arrondissements


def department_coverage(department_code, consultation):
    """Return the coverage of one department by the consultation's forums."""
    return national_coverage(consultation, [department_code])[department_code]


def national_coverage(consultation, department_codes=None):
    """Return {department code: Coverage} for every department (or those given), in four queries.

    A department is covered canton by canton, plus commune by commune where no canton covers a
    commune (Commune.is_coverage_unit): all of Martinique and Guyane, Paris by its 20 municipal
    arrondissements, and in the Rhône the Métropole de Lyon's communes and Lyon's 9 arrondissements.
    """
    units = _canton_units(department_codes)
    for department, communes in _commune_units(department_codes).items():
        units[department].extend(communes)
    covers = _forum_covers(consultation, department_codes)
    return {
        code: compute_coverage(units.get(code, []), covers.get(code, []), None if units.get(code) else CANTON)
        for code in sorted(set(units) | set(department_codes or ()))
    }


class CantonForum(NamedTuple):
    """A forum planned for a canton, as the prefecture's canton table lists it."""

    id: int
    title: str
    status: ForumStatus
    #: Whether it counts for the canton's coverage (published, postponed or held).
    covers: bool


def forums_by_canton(department_code, consultation):
    """Return {canton code: [CantonForum]} of the department's forums, drafts included, by date, in one query."""
    rows = db.session.execute(
        db.select(forum_cantons.c.canton_code, Forum.id, Forum.title, Forum.status)
        .join(Forum, Forum.id == forum_cantons.c.forum_id)
        .where(Forum.consultation_id == consultation.id, Forum.department_code == department_code,
               Forum.status != ForumStatus.CANCELLED)
        .order_by(Forum.starts_at.is_(None), Forum.starts_at, Forum.id)
    )
    forums = defaultdict(list)
    for canton_code, forum_id, title, status in rows:
        forums[canton_code].append(CantonForum(forum_id, title, status, status.value in COUNTING_STATUSES))
    return forums


def _canton_units(department_codes):
    query = (
        db.select(Canton.department_code, Canton.code, Canton.name, canton_arrondissements.c.arrondissement_code)
        .outerjoin(canton_arrondissements, canton_arrondissements.c.canton_code == Canton.code)
        .where(Canton.kind == CantonKind.CANTON)
    )
    if department_codes is not None:
        query = query.where(Canton.department_code.in_(department_codes))
    rows = defaultdict(lambda: {"name": "", "arrondissements": []})
    for department, code, name, arrondissement in db.session.execute(query):
        rows[(department, code)]["name"] = name
        if arrondissement:
            rows[(department, code)]["arrondissements"].append(arrondissement)
    units = defaultdict(list)
    for (department, code), row in rows.items():
        units[department].append(Unit(code, row["name"], tuple(sorted(row["arrondissements"])), CANTON))
    return units


def _commune_units(department_codes):
    query = db.select(
        Commune.department_code, Commune.code, Commune.name, Commune.arrondissement_code, Commune.postal_codes
    ).where(Commune.is_coverage_unit)
    if department_codes is not None:
        query = query.where(Commune.department_code.in_(department_codes))
    units = defaultdict(list)
    for department, code, name, arrondissement, postal_codes in db.session.execute(query):
        postal = postal_codes.split()[:1]
        units[department].append(
            Unit(code, name, (arrondissement,) if arrondissement else (), COMMUNE, postal[0] if postal else "")
        )
    return units


def _forum_covers(consultation, department_codes):
    """Return {department code: [ForumCover]}, a forum's cantons and communes together.

    A forum linked to a commune divided into municipal arrondissements (as Paris was covered before
    its arrondissements were loaded) covers each of them.
    """
    arrondissement = aliased(Commune)
    codes = defaultdict(list)
    for table, code_column in (
        (forum_cantons, forum_cantons.c.canton_code),
        (forum_communes, db.func.coalesce(arrondissement.code, forum_communes.c.commune_code)),
    ):
        query = (
            db.select(Forum.department_code, Forum.id, Forum.status, code_column)
            .join(table, table.c.forum_id == Forum.id)
            .where(Forum.consultation_id == consultation.id, Forum.status.in_(COUNTING_STATUSES))
        )
        if table is forum_communes:
            query = query.outerjoin(arrondissement, arrondissement.parent_code == forum_communes.c.commune_code)
        if department_codes is not None:
            query = query.where(Forum.department_code.in_(department_codes))
        for department, forum_id, status, code in db.session.execute(query):
            codes[(department, forum_id, status.value)].append(code)
    covers = defaultdict(list)
    for (department, forum_id, status), unit_codes in codes.items():
        covers[department].append(ForumCover(forum_id, status, tuple(unit_codes)))
    return covers
