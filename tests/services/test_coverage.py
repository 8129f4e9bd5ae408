"""Coverage read from the database: cantons, grouped forums, statuses, departments without cantons."""

from forums.models import ForumStatus
from forums.services.coverage import department_coverage, national_coverage


def test_department_coverage_counts_published_forums_only(db, consultation, create_forum):
    create_forum(cantons=["1301", "1305"], status=ForumStatus.PUBLISHED)
    create_forum(cantons=["1306"], status=ForumStatus.DRAFT, venue_name="Autre", animator_name="Autre")

    coverage = department_coverage("13", consultation)

    assert coverage.unit_kind == "canton"
    assert [u.code for u in coverage.covered] == ["1301", "1305"]
    assert coverage.percentage == 66.7
    assert [(code, [u.code for u in units]) for code, units in coverage.uncovered_by_arrondissement] == [
        ("132", ["1306"]),
    ]


def test_postponed_and_held_count_cancelled_does_not(db, consultation, create_forum):
    create_forum(cantons=["1301"], status=ForumStatus.POSTPONED)
    create_forum(cantons=["1305"], status=ForumStatus.HELD)
    create_forum(cantons=["1306"], status=ForumStatus.CANCELLED)

    coverage = department_coverage("13", consultation)

    assert [u.code for u in coverage.covered] == ["1301", "1305"]
    assert not coverage.is_complete


def test_full_coverage(db, consultation, create_forum):
    create_forum(cantons=["1301", "1305", "1306"], status=ForumStatus.PUBLISHED)
    assert department_coverage("13", consultation).is_complete


def test_martinique_is_covered_commune_by_commune(db, consultation, create_forum):
    create_forum(department="972", commune="97209", cantons=[], communes=["97209"], status=ForumStatus.PUBLISHED)

    coverage = department_coverage("972", consultation)

    assert (coverage.unit_kind, coverage.total, coverage.percentage) == ("commune", 1, 100.0)


def test_forums_of_another_consultation_do_not_count(db, consultation, create_forum):
    from datetime import date

    from forums.models import Consultation

    other = Consultation(slug="2010", name="Autre", meetings_start_on=date(2010, 1, 1),
                         meetings_end_on=date(2010, 12, 31), synthesis_due_on=date(2011, 1, 15))
    db.session.add(other)
    create_forum(cantons=["1301"], status=ForumStatus.PUBLISHED, consultation=other)

    assert department_coverage("13", consultation).covered_count == 0
    assert department_coverage("13", other).covered_count == 1


def test_national_coverage_uses_a_fixed_number_of_queries(db, consultation, create_forum, count_queries):
    for cantons in (["1301"], ["1305"], ["7501"]):
        create_forum(cantons=cantons, status=ForumStatus.PUBLISHED, department=cantons[0][:2],
                     commune="75056" if cantons[0] == "7501" else "13001",
                     animator_name=f"Animateur {cantons[0]}", venue_name=f"Salle {cantons[0]}")
    db.session.refresh(consultation)
    with count_queries() as statements:
        result = national_coverage(consultation)

    assert len(statements) == 4
    assert set(result) == {"13", "75", "2A", "972"}
    assert (result["75"].percentage, result["2A"].percentage) == (100.0, 0.0)
    assert result["972"].unit_kind == "commune"
