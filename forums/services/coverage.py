"""Feeds the pure coverage computation (synthesis.coverage) from the database."""
from collections import defaultdict

from synthesis.coverage import COUNTING_STATUSES, ForumCover, Unit, compute_coverage

from ..extensions import db
from ..models import Canton, CantonKind, Commune, Forum
from ..models.forums import forum_cantons, forum_communes
from ..models.territories import canton_arrondissements


def department_coverage(department_code, consultation):
    """Return the coverage of one department by the consultation's forums."""
    return national_coverage(consultation, [department_code])[department_code]


def national_coverage(consultation, department_codes=None):
    """Return {department code: Coverage} for every department (or those given), in four queries.

    Departments with cantons are covered canton by canton; the others (972, 973) commune by commune.
    """
    cantons = _canton_units(department_codes)
    departments_with_cantons = set(cantons)
    communes = _commune_units(department_codes, exclude=departments_with_cantons)
    covers = _forum_covers(consultation, department_codes)
    result = {}
    for code in sorted(departments_with_cantons | set(communes) | set(department_codes or ())):
        if code in departments_with_cantons:
            result[code] = compute_coverage(cantons[code], covers["canton"].get(code, []), "canton")
        else:
            result[code] = compute_coverage(communes.get(code, []), covers["commune"].get(code, []), "commune")
    return result


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
        units[department].append(Unit(code, row["name"], tuple(sorted(row["arrondissements"]))))
    return units


def _commune_units(department_codes, exclude):
    query = db.select(Commune.department_code, Commune.code, Commune.name, Commune.arrondissement_code)
    if department_codes is not None:
        query = query.where(Commune.department_code.in_(department_codes))
    # Only departments without cantons are covered commune by commune.
    query = query.where(Commune.department_code.not_in(exclude)) if exclude else query
    query = query.where(
        ~db.exists().where(Canton.department_code == Commune.department_code, Canton.kind == CantonKind.CANTON)
    )
    units = defaultdict(list)
    for department, code, name, arrondissement in db.session.execute(query):
        units[department].append(Unit(code, name, (arrondissement,) if arrondissement else ()))
    return units


def _forum_covers(consultation, department_codes):
    covers = {"canton": defaultdict(list), "commune": defaultdict(list)}
    for kind, table, column in (("canton", forum_cantons, "canton_code"), ("commune", forum_communes, "commune_code")):
        query = (
            db.select(Forum.department_code, Forum.id, Forum.status, table.c[column])
            .join(table, table.c.forum_id == Forum.id)
            .where(Forum.consultation_id == consultation.id, Forum.status.in_(COUNTING_STATUSES))
        )
        if department_codes is not None:
            query = query.where(Forum.department_code.in_(department_codes))
        by_forum = defaultdict(list)
        for department, forum_id, status, code in db.session.execute(query):
            by_forum[(department, forum_id, status.value)].append(code)
        for (department, forum_id, status), codes in by_forum.items():
            covers[kind][department].append(ForumCover(forum_id, status, tuple(codes)))
    return covers
