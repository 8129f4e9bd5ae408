"""The national view's queries: which forums the ministry sees, the CSV exports, progress per department."""
import csv
import io
from datetime import UTC, date, datetime

import pytest

from forums.models import Consultation, ForumStatus
from forums.services.national import (
    ForumFilters,
    count_forums_by_department,
    department_progress,
    export_forums_csv,
    export_progress_csv,
    national_forums_query,
)

from ..conftest import paris_time


def listed(db, consultation, **filters):
    return [forum.title for forum in db.session.scalars(national_forums_query(consultation, ForumFilters(**filters)))]


def parse(text):
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def test_drafts_are_never_listed(db, consultation, create_forum):
    for status in ForumStatus:
        create_forum(status=status, title=status.label)

    assert sorted(listed(db, consultation)) == ["Annulé", "Publié", "Reporté", "Tenu"]


def test_forums_of_another_consultation_are_not_listed(db, consultation, create_forum):
    other = Consultation(slug="2010", name="Autre", meetings_start_on=date(2010, 1, 1),
                         meetings_end_on=date(2010, 12, 31), synthesis_due_on=date(2011, 1, 15))
    db.session.add(other)
    create_forum(status=ForumStatus.PUBLISHED, title="2009")
    create_forum(status=ForumStatus.PUBLISHED, title="2010", consultation=other)

    assert listed(db, consultation) == ["2009"]
    assert listed(db, other) == ["2010"]


def test_filters_by_region_department_and_status(db, consultation, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, title="Aix")
    create_forum(status=ForumStatus.CANCELLED, title="Arles", cantons=["1306"], commune="13004")
    create_forum(status=ForumStatus.PUBLISHED, title="Paris", department="75", cantons=["7501"], commune="75056")
    create_forum(status=ForumStatus.HELD, title="Martinique", department="972", cantons=[], communes=["97209"],
                 commune="97209")

    assert sorted(listed(db, consultation, region_code="11")) == ["Paris"]
    assert sorted(listed(db, consultation, region_code="93")) == ["Aix", "Arles"]
    assert sorted(listed(db, consultation, department_code="972")) == ["Martinique"]
    assert sorted(listed(db, consultation, status=ForumStatus.PUBLISHED)) == ["Aix", "Paris"]
    assert listed(db, consultation, region_code="93", status=ForumStatus.CANCELLED) == ["Arles"]
    assert listed(db, consultation, region_code="11", department_code="13") == []


def test_date_range_is_in_paris_days_inclusive(db, consultation, create_forum):
    # 23:30 in Paris on 31 March is 21:30 UTC; 00:30 on 1 April is still 31 March in UTC.
    create_forum(status=ForumStatus.PUBLISHED, title="31 mars au soir", starts_at=paris_time(2009, 3, 31, 23, 30))
    create_forum(status=ForumStatus.PUBLISHED, title="1er avril à minuit trente",
                 starts_at=paris_time(2009, 4, 1, 0, 30))
    create_forum(status=ForumStatus.PUBLISHED, title="2 avril", starts_at=paris_time(2009, 4, 2))

    assert listed(db, consultation, ends_on=date(2009, 3, 31)) == ["31 mars au soir"]
    assert listed(db, consultation, starts_on=date(2009, 4, 1)) == ["1er avril à minuit trente", "2 avril"]
    assert listed(db, consultation, starts_on=date(2009, 4, 1), ends_on=date(2009, 4, 1)) == [
        "1er avril à minuit trente"
    ]


def test_orders_by_date_or_newest_publication(db, consultation, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, title="Tard, publié tôt", starts_at=paris_time(2009, 5, 1),
                 published_at=datetime(2009, 3, 1, tzinfo=UTC))
    create_forum(status=ForumStatus.PUBLISHED, title="Tôt, publié tard", starts_at=paris_time(2009, 3, 20),
                 published_at=datetime(2009, 3, 10, tzinfo=UTC))

    assert listed(db, consultation) == ["Tôt, publié tard", "Tard, publié tôt"]
    create_forum(status=ForumStatus.PUBLISHED, title="Publié hier", starts_at=paris_time(2009, 4, 1),
                 published_at=datetime(2009, 3, 15, tzinfo=UTC))

    assert listed(db, consultation, order="publication") == ["Publié hier", "Tôt, publié tard", "Tard, publié tôt"]


def test_forum_export_gives_paris_times_on_both_sides_of_daylight_saving(db, consultation, create_forum):
    # Summer time began on 29 March 2009: 18:30 in Paris is 17:30 UTC before, 16:30 UTC after.
    winter = create_forum(status=ForumStatus.PUBLISHED, title="Hiver", starts_at=paris_time(2009, 3, 17))
    summer = create_forum(status=ForumStatus.HELD, title="Été", starts_at=paris_time(2009, 4, 2), hours=3,
                          cantons=["1301", "1305"], capacity=120, animator_function="Sous-préfet")
    assert winter.starts_at.hour == 17 and summer.starts_at.hour == 16

    rows = parse(export_forums_csv(db.session.scalars(national_forums_query(consultation, ForumFilters())).all()))

    assert [(r["titre"], r["date (JJ/MM/AAAA)"], r["début (HH:MM, heure de Paris)"],
             r["fin (HH:MM, heure de Paris)"]) for r in rows] == [
        ("Hiver", "17/03/2009", "18:30", "20:30"),
        ("Été", "02/04/2009", "18:30", "21:30"),
    ]
    assert rows[1] | {"mis à jour le": ""} == {
        "identifiant": str(summer.id), "département (code)": "13", "département (nom)": "Bouches-du-Rhône",
        "région": "Provence-Alpes-Côte d'Azur", "titre": "Été", "état": "Tenu", "date (JJ/MM/AAAA)": "02/04/2009",
        "début (HH:MM, heure de Paris)": "18:30", "fin (HH:MM, heure de Paris)": "21:30",
        "lieu": "Salle des fêtes", "adresse": "1 place de la Mairie", "commune (code INSEE)": "13001",
        "commune (nom)": "Aix-en-Provence", "cantons (codes)": "1301, 1305",
        "cantons (noms)": "Aix-en-Provence-1, Berre-l'Étang",
        "accessibilité": "Salle de plain-pied, boucle magnétique.", "capacité": "120",
        "animateur": "Sous-préfet d'Aix-en-Provence, Sous-préfet", "motif d'annulation": "", "mis à jour le": "",
    }


def test_forum_export_keeps_spreadsheets_from_running_formulas(db, consultation, create_forum):
    create_forum(status=ForumStatus.CANCELLED, title="=HYPERLINK(\"http://x\")", cancellation_reason="-Intempéries")

    row = parse(export_forums_csv(db.session.scalars(national_forums_query(consultation, ForumFilters())).all()))[0]

    assert row["titre"] == "'=HYPERLINK(\"http://x\")"
    assert row["motif d'annulation"] == "'-Intempéries"


def test_counts_by_department_and_status_in_one_query(db, consultation, create_forum, count_queries):
    create_forum(status=ForumStatus.DRAFT)
    create_forum(status=ForumStatus.DRAFT)
    create_forum(status=ForumStatus.POSTPONED)
    create_forum(status=ForumStatus.PUBLISHED, department="75", cantons=["7501"], commune="75056")

    db.session.refresh(consultation)
    with count_queries() as sql:
        counts = count_forums_by_department(consultation)

    assert len(sql) == 1
    assert counts == {"13": {ForumStatus.DRAFT: 2, ForumStatus.POSTPONED: 1}, "75": {ForumStatus.PUBLISHED: 1}}


def test_department_progress_counts_states_and_coverage(db, consultation, create_forum, count_queries):
    create_forum(status=ForumStatus.DRAFT, cantons=["1306"], commune="13004")
    create_forum(status=ForumStatus.PUBLISHED, cantons=["1301"])
    create_forum(status=ForumStatus.POSTPONED, cantons=["1305"])
    create_forum(status=ForumStatus.CANCELLED, cantons=["1306"], commune="13004")
    create_forum(status=ForumStatus.HELD, department="75", cantons=["7501"], commune="75056")

    db.session.refresh(consultation)
    with count_queries() as sql:
        rows, totals = department_progress(consultation)

    assert len(sql) == 6
    by_code = {row.department.code: row for row in rows}
    bdr = by_code["13"]
    assert (bdr.drafts, bdr.published, bdr.postponed, bdr.held, bdr.cancelled) == (1, 2, 1, 0, 1)
    assert (bdr.coverage.covered_count, bdr.coverage.total, bdr.percentage_label) == (2, 3, "66,7\u202f%")
    assert by_code["75"].coverage.is_complete and not bdr.coverage.is_complete
    assert by_code["972"].coverage.unit_kind == "commune"
    assert (totals.departments, totals.drafts, totals.published, totals.held, totals.cancelled) == (4, 1, 2, 1, 1)
    assert (totals.covered_units, totals.units, totals.complete_departments) == (3, 6, 1)
    assert totals.percentage == 50.0


def test_department_progress_sorts_and_filters_by_region(db, consultation, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, cantons=["1301"])
    create_forum(status=ForumStatus.PUBLISHED, cantons=["1305"])
    create_forum(status=ForumStatus.PUBLISHED, department="75", cantons=["7501"], commune="75056")

    def codes(**kwargs):
        return [row.department.code for row in department_progress(consultation, **kwargs)[0]]

    # Corsica's 2A sorts between 19 and 21, as INSEE lists it.
    assert codes() == ["13", "2A", "75", "972"]
    assert codes(order="couverture") == ["2A", "972", "13", "75"]
    assert codes(order="publies") == ["2A", "972", "75", "13"]
    rows, totals = department_progress(consultation, region_code="11")
    assert [row.department.code for row in rows] == ["75"]
    assert (totals.departments, totals.published, totals.complete_departments) == (1, 1, 1)


def test_progress_export_has_one_line_per_department_and_totals(db, consultation, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, cantons=["1301", "1305"])

    rows = parse(export_progress_csv(*department_progress(consultation)))

    assert [row["département (code)"] for row in rows] == ["13", "2A", "75", "972", ""]
    assert rows[0]["couverture (%)"] == "66,7" and rows[0]["entièrement couvert"] == "non"
    assert rows[0]["publiés (dont reportés)"] == "1" and rows[0]["unités couvertes"] == "2"
    assert rows[-1]["région"] == "Total" and rows[-1]["unités à couvrir"] == "6"
    assert rows[-1]["couverture (%)"] == "33,3"


@pytest.mark.parametrize("day", [date(2009, 3, 20), date(2009, 4, 29)])
def test_forum_export_date_follows_the_paris_day(db, consultation, create_forum, day):
    # 00:15 in Paris is still the previous day in UTC, in winter and in summer time.
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(day.year, day.month, day.day, 0, 15))

    row = parse(export_forums_csv(db.session.scalars(national_forums_query(consultation, ForumFilters())).all()))[0]

    assert (row["date (JJ/MM/AAAA)"], row["début (HH:MM, heure de Paris)"]) == (day.strftime("%d/%m/%Y"), "00:15")
