"""Open data serialisers and filters: only public fields, Paris offsets, Paris days, postal codes."""
from datetime import date

import pytest

from forums.models import ForumDateChange, ForumStatus, Invitee, InviteeQuality, Role, Speaker, SpeakerKind
from forums.services.coverage import department_coverage
from forums.services.open_data import (
    COVERAGE_CSV_HEADER, FORUM_CSV_HEADER, ForumFilters, coverage_csv_row, coverage_to_dict, filtered_forums_query,
    forum_csv_row, forum_postal_code, forum_to_dict,
)
from forums.services.public import public_forum

from ..conftest import paris_time


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", base_url="https://forums.example.fr"):
        yield


def ids(db, consultation, **filters):
    return [forum.id for forum in db.session.scalars(filtered_forums_query(consultation, ForumFilters(**filters)))]


def test_forum_to_dict_gives_public_fields_in_paris_time(db, request_context, create_forum, create_agent):
    author = create_agent(Role.PREFECTURE, department="13")
    forum = create_forum(
        cantons=["1301", "1305"], status=ForumStatus.POSTPONED, starts_at=paris_time(2009, 4, 2),
        description="Venez **nombreux** <script>alert(1)</script>", capacity=120, animator_function="Sous-préfet",
        created_by=author, sequence=3, published_at=paris_time(2009, 3, 1, 9, 0),
    )
    forum.speakers = [Speaker(kind=SpeakerKind.GENDARMERIE, name="Capitaine Martin", function="Commandant")]
    forum.date_changes = [ForumDateChange(
        previous_starts_at=paris_time(2009, 3, 20), previous_ends_at=paris_time(2009, 3, 20, 20, 30),
        starts_at=paris_time(2009, 4, 2), ends_at=paris_time(2009, 4, 2, 20, 30), reason="Salle indisponible",
    )]
    forum.invitees = [Invitee(full_name="Maire Secret", quality=InviteeQuality.ELECTED, email="maire@example.fr")]
    db.session.commit()

    data = forum_to_dict(public_forum(forum.id))

    assert data["url"] == f"https://forums.example.fr/forums/{forum.id}"
    assert data["ical_url"] == f"https://forums.example.fr/forums/{forum.id}.ics"
    assert data["starts_at"] == "2009-04-02T18:30:00+02:00"  # summer time
    assert data["previous_dates"] == [{"starts_at": "2009-03-20T18:30:00+01:00",
                                       "ends_at": "2009-03-20T20:30:00+01:00"}]
    assert data["published_at"] == "2009-03-01T09:00:00+01:00"
    assert (data["status"], data["status_label"], data["sequence"]) == ("postponed", "Reporté", 3)
    assert data["department"] == {"code": "13", "name": "Bouches-du-Rhône"}
    assert data["region"] == {"code": "93", "name": "Provence-Alpes-Côte d'Azur"}
    assert [c["code"] for c in data["cantons"]] == ["1301", "1305"]
    assert data["communes"] == []
    assert data["venue"]["commune"] == {"code": "13001", "name": "Aix-en-Provence"}
    assert data["animator"] == {"name": "Sous-préfet d'Aix-en-Provence", "function": "Sous-préfet"}
    assert data["speakers"] == [{"kind": "gendarmerie", "kind_label": "Gendarmerie nationale",
                                 "name": "Capitaine Martin", "function": "Commandant"}]
    assert "<strong>nombreux</strong>" in data["description_html"]
    assert "<script>" not in data["description_html"]
    assert data["cancellation_reason"] is None
    flat = repr(data)
    assert "Maire Secret" not in flat and "maire@example.fr" not in flat and author.email not in flat


def test_cancellation_reason_is_given_only_for_cancelled_forums(db, request_context, create_forum):
    cancelled = create_forum(status=ForumStatus.CANCELLED, cancellation_reason="Intempéries")
    held = create_forum(status=ForumStatus.HELD, cancellation_reason="Ancien motif")

    assert forum_to_dict(cancelled)["cancellation_reason"] == "Intempéries"
    assert forum_to_dict(held)["cancellation_reason"] is None


def test_martinique_forums_list_their_communes(db, request_context, create_forum):
    forum = create_forum(department="972", commune="97209", cantons=[], communes=["97209"],
                         status=ForumStatus.PUBLISHED)

    data = forum_to_dict(forum)

    assert data["cantons"] == []
    assert data["communes"] == [{"code": "97209", "name": "Fort-de-France"}]


@pytest.mark.parametrize(("commune", "address", "expected"), [
    ("13014", "Place de la Mairie", "13130"),  # the commune's only postal code
    ("13001", "Place de la Mairie", None),  # three postal codes: the address does not say which
    ("13001", "Rue Gaston de Saporta, 13100 Aix-en-Provence", "13100"),
    ("13001", "BP 13200", None),  # a number that is not one of the commune's postal codes
])
def test_venue_postal_code(db, create_forum, commune, address, expected):
    assert forum_postal_code(create_forum(commune=commune, address=address)) == expected


def test_filters_keep_public_forums_only(db, consultation, create_forum):
    public = [create_forum(status=status) for status in
              (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD, ForumStatus.CANCELLED)]
    create_forum(status=ForumStatus.DRAFT)

    assert sorted(ids(db, consultation)) == [forum.id for forum in public]
    assert ids(db, consultation, status=ForumStatus.HELD) == [public[2].id]


def test_date_filters_use_whole_paris_days(db, consultation, create_forum):
    # 00:30 in Paris on 17 March is still 16 March in UTC; 23:30 on 18 March is 22:30 UTC.
    early = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17, 0, 30))
    late = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 18, 23, 30))
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 19, 0, 30))

    assert ids(db, consultation, from_date=date(2009, 3, 17), to_date=date(2009, 3, 18)) == [early.id, late.id]
    assert ids(db, consultation, to_date=date(2009, 3, 17)) == [early.id]
    assert ids(db, consultation, from_date=date(2009, 3, 18), department_code="13")[0] == late.id
    assert ids(db, consultation, department_code="75") == []


def test_forum_csv_row_follows_the_header(db, request_context, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED, cantons=["1301", "1305"], capacity=None)
    forum.speakers = [Speaker(kind=SpeakerKind.POLICE, name="Commissaire Durand", function="Chef de circonscription")]
    db.session.commit()

    row = dict(zip(FORUM_CSV_HEADER, forum_csv_row(forum), strict=True))

    assert row["canton_codes"] == "1301, 1305"
    assert row["canton_names"] == "Aix-en-Provence-1, Berre-l'Étang"
    assert row["speakers"] == "Commissaire Durand (Chef de circonscription, Police nationale)"
    assert row["capacity"] == ""
    assert row["starts_at"] == "2009-03-17T18:30:00+01:00"


def test_coverage_to_dict(db, consultation, create_forum, territories):
    create_forum(cantons=["1301"], status=ForumStatus.PUBLISHED)
    coverage = department_coverage("13", consultation)

    data = coverage_to_dict(territories["13"], coverage)

    assert data == {
        "department": {"code": "13", "name": "Bouches-du-Rhône"},
        "unit": "canton", "total": 3, "covered": 1, "percentage": 33.3, "complete": False,
        "covered_units": [{"code": "1301", "name": "Aix-en-Provence-1", "kind": "canton"}],
        "uncovered": [
            {"arrondissement": "131", "units": [{"code": "1305", "name": "Berre-l'Étang", "kind": "canton"}]},
            {"arrondissement": "132", "units": [{"code": "1305", "name": "Berre-l'Étang", "kind": "canton"},
                                                {"code": "1306", "name": "Arles", "kind": "canton"}]},
        ],
    }
    row = dict(zip(COVERAGE_CSV_HEADER, coverage_csv_row(territories["13"], coverage), strict=True))
    assert (row["covered"], row["uncovered"], row["complete"]) == (1, 2, "non")
