"""The ministry's dashboard: per-department counts in SQL, sorting, region filter, totals, query count."""
import pytest

from forums.models import ForumStatus, Role
from forums.services.dashboard import SORT_KEYS, dashboard_rows, dashboard_totals

from .synthesis_data import AFTER_DEADLINE, BEFORE_DEADLINE, build_country


@pytest.fixture
def prefect(create_agent):
    return create_agent(Role.PREFECTURE, department="13")


@pytest.fixture
def country(db, consultation, create_forum, create_question, subtopics, prefect, create_agent):
    """13: the fixture department, draft synthesis; 75: submitted late; 972: reopened; 2A: nothing."""
    return build_country(consultation, create_forum, create_question, subtopics, prefect,
                         create_agent(Role.MINISTRY))


def by_code(rows):
    return {row.code: row for row in rows}


def test_rows_per_department(db, consultation, country):
    rows = by_code(dashboard_rows(consultation, now=AFTER_DEADLINE))
    assert list(rows) == ["13", "2A", "75", "972"]
    bouches = rows["13"]
    assert (bouches.name, bouches.region_code, bouches.region_name) == ("Bouches-du-Rhône", "93",
                                                                       "Provence-Alpes-Côte d'Azur")
    # Planned: drafts included, the cancelled forum left out; published: announced to the public.
    assert (bouches.forums_planned, bouches.forums_published, bouches.forums_held, bouches.forums_cancelled) == (
        5, 4, 3, 1)
    assert (bouches.coverage_unit, bouches.units_covered, bouches.units_total, bouches.coverage_percentage) == (
        "canton", 2, 3, 66.7)
    assert (bouches.questions_pending, bouches.minutes_missing) == (3, 1)
    assert (bouches.synthesis_status, bouches.synthesis_label, bouches.synthesis_overdue) == ("draft", "Projet", True)
    paris = rows["75"]
    assert (paris.questions_pending, paris.minutes_missing, paris.coverage_percentage) == (1, 0, 100.0)
    assert (paris.synthesis_label, paris.synthesis_submitted_at, paris.synthesis_is_late) == (
        "Transmise en retard", AFTER_DEADLINE, True)
    assert (rows["972"].synthesis_label, rows["972"].coverage_unit, rows["972"].units_covered) == (
        "Rouverte", "commune", 1)
    corsica = rows["2A"]
    assert (corsica.synthesis_status, corsica.synthesis_label, corsica.forums_planned) == (
        "not_started", "Non commencée", 0)


def test_overdue_only_after_the_deadline(db, consultation, country):
    rows = by_code(dashboard_rows(consultation, now=BEFORE_DEADLINE))
    assert not any(row.synthesis_overdue for row in rows.values())


def test_region_filter(db, consultation, country):
    assert [row.code for row in dashboard_rows(consultation, region_code="93")] == ["13"]
    assert dashboard_rows(consultation, region_code="99") == []


@pytest.mark.parametrize("sort, descending, expected", [
    ("department", True, ["972", "75", "2A", "13"]),
    ("pending", True, ["13", "75", "2A", "972"]),
    ("planned", False, ["2A", "75", "972", "13"]),
    ("status", False, ["2A", "13", "972", "75"]),
    ("submitted_at", False, ["972", "75", "13", "2A"]),
    ("name", False, ["13", "2A", "972", "75"]),
])
def test_sorting(db, consultation, country, sort, descending, expected):
    assert [row.code for row in dashboard_rows(consultation, sort=sort, descending=descending)] == expected


def test_unknown_sort_is_refused(db, consultation, territories):
    with pytest.raises(ValueError):
        dashboard_rows(consultation, sort="drop table")
    assert "coverage" in SORT_KEYS


def test_totals(db, consultation, country):
    totals = dashboard_totals(dashboard_rows(consultation, now=AFTER_DEADLINE))
    assert (totals.departments, totals.forums_planned, totals.forums_held) == (4, 7, 5)
    assert (totals.questions_pending, totals.minutes_missing) == (4, 1)
    assert (totals.units_covered, totals.units_total, totals.coverage_percentage) == (4, 6, 66.7)
    assert totals.syntheses == {"not_started": 1, "draft": 1, "submitted": 0, "late": 1, "reopened": 1}
    assert totals.syntheses_submitted == 1


def test_a_fixed_number_of_queries(db, consultation, country, count_queries, create_forum):
    db.session.refresh(consultation)
    with count_queries() as statements:
        dashboard_rows(consultation)
    for _ in range(5):
        create_forum(cantons=["2A01"], department="2A", status=ForumStatus.HELD, commune="2A004")
    db.session.refresh(consultation)
    with count_queries() as more:
        dashboard_rows(consultation)
    assert len(statements) == len(more) == 10
