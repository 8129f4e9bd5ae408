"""The public agenda's queries: national counters, regions and departments, upcoming and past, JSON-LD."""
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from forums.models import Department, ForumDateChange, ForumStatus, Speaker, SpeakerKind
from forums.services.agenda import (
    agenda_overview, department_agenda, directions_url, forum_json_ld, national_counters, plain_text,
    postal_address, prefecture_name, split_forums,
)

from ..conftest import paris_time


def forum_in(create_forum, canton, status, **fields):
    """Create a forum covering one canton of the mini France, in its department and commune."""
    department, commune = {"13": ("13", "13001"), "75": ("75", "75056"), "2A": ("2A", "2A004")}[canton[:2]]
    return create_forum(cantons=[canton], department=department, commune=commune, status=status,
                        title=fields.pop("title", f"Forum {canton} {status.value}"), **fields)


def test_national_counters_count_announced_held_and_fully_covered_departments(db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.PUBLISHED)
    forum_in(create_forum, "1305", ForumStatus.POSTPONED)
    forum_in(create_forum, "1306", ForumStatus.HELD)
    forum_in(create_forum, "7501", ForumStatus.PUBLISHED)
    forum_in(create_forum, "2A01", ForumStatus.CANCELLED)
    forum_in(create_forum, "2A01", ForumStatus.DRAFT)

    counters = national_counters(consultation)

    assert (counters.published, counters.held) == (3, 1)
    assert (counters.departments_covered, counters.departments_total) == (2, 4)


def test_national_counters_of_an_empty_consultation_are_zero(db, consultation, territories):
    counters = national_counters(consultation)

    assert (counters.published, counters.held, counters.departments_covered) == (0, 0, 0)


def test_overview_lists_every_department_by_region_with_counts_and_next_forum(db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    forum_in(create_forum, "1305", ForumStatus.CANCELLED, starts_at=paris_time(2009, 3, 25))
    later = forum_in(create_forum, "1306", ForumStatus.PUBLISHED, starts_at=paris_time(2009, 4, 20))
    sooner = forum_in(create_forum, "1305", ForumStatus.POSTPONED, starts_at=paris_time(2009, 4, 2))
    forum_in(create_forum, "7501", ForumStatus.DRAFT, starts_at=paris_time(2009, 3, 30))

    regions = agenda_overview(consultation, now=paris_time(2009, 3, 20, 12))

    assert [item.region.name for item in regions] == [
        "Corse", "Île-de-France", "Provence-Alpes-Côte d'Azur", "Martinique"]
    rows = {summary.department.code: summary for item in regions for summary in item.departments}
    assert set(rows) == {"13", "75", "2A", "972"}
    assert rows["13"].forum_count == 3, "held, postponed and published count; cancelled does not"
    assert rows["13"].next_forum.id == sooner.id != later.id
    assert rows["13"].next_forum.commune_name == "Aix-en-Provence"
    assert rows["13"].coverage.covered_count == 3
    assert (rows["75"].forum_count, rows["75"].next_forum) == (0, None), "drafts are not public"
    assert rows["972"].coverage.unit_kind == "commune"


def test_overview_next_forum_is_the_first_from_today_on(db, consultation, create_forum):
    forum = forum_in(create_forum, "1301", ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17, 18, 30))

    def next_forum(now):
        regions = agenda_overview(consultation, now=now)
        return next(s.next_forum for r in regions for s in r.departments if s.department.code == "13")

    assert next_forum(paris_time(2009, 3, 17, 23, 0)).id == forum.id, "still listed on its own day"
    assert next_forum(paris_time(2009, 3, 18, 0, 5)) is None


def test_department_agenda_splits_upcoming_and_past_around_today(db, consultation, create_forum):
    past = forum_in(create_forum, "1301", ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17))
    held_early = forum_in(create_forum, "1305", ForumStatus.HELD, starts_at=paris_time(2009, 3, 20, 10))
    today = forum_in(create_forum, "1306", ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 20, 9))
    cancelled = forum_in(create_forum, "1306", ForumStatus.CANCELLED, starts_at=paris_time(2009, 4, 3))
    later = forum_in(create_forum, "1305", ForumStatus.POSTPONED, starts_at=paris_time(2009, 4, 1))
    forum_in(create_forum, "1301", ForumStatus.DRAFT, starts_at=paris_time(2009, 4, 2))
    forum_in(create_forum, "7501", ForumStatus.PUBLISHED, starts_at=paris_time(2009, 4, 2))

    agenda = department_agenda(db.session.get(Department, "13"), consultation, now=paris_time(2009, 3, 20, 21))

    assert [f.id for f in agenda.upcoming] == [today.id, later.id, cancelled.id]
    assert [f.id for f in agenda.past] == [held_early.id, past.id], "latest first; held is always past"
    assert agenda.coverage.covered_count == 3


def test_split_uses_the_day_in_paris_not_in_utc(db, consultation, create_forum):
    # 00:30 in Paris on 21 March is still 20 March in UTC.
    forum = forum_in(create_forum, "1301", ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 21, 0, 30))

    upcoming, past = split_forums([forum], now=paris_time(2009, 3, 21, 0, 45))

    assert (upcoming, past) == ((forum,), ())
    assert split_forums([forum], now=paris_time(2009, 3, 22, 0, 1)) == ((), (forum,))


def test_json_ld_describes_a_published_forum(db, consultation, create_forum):
    forum = forum_in(create_forum, "1301", ForumStatus.PUBLISHED, title="Forum d'Aix", capacity=120,
                     starts_at=paris_time(2009, 3, 17, 18, 30), description="Venez **nombreux** & à l'heure.")
    forum.speakers = [Speaker(kind=SpeakerKind.POLICE, name="Commandant Vidal", position=0)]
    db.session.commit()

    data = json.loads(json.dumps(forum_json_ld(forum, "https://forums.example/forums/1")))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Forum d'Aix"
    assert data["startDate"] == "2009-03-17T18:30:00+01:00"
    assert data["endDate"] == "2009-03-17T20:30:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place", "name": "Salle des fêtes",
        "address": {"@type": "PostalAddress", "streetAddress": "1 place de la Mairie",
                    "addressLocality": "Aix-en-Provence", "postalCode": "13080", "addressCountry": "FR"},
    }
    assert data["organizer"] == {"@type": "GovernmentOrganization", "name": "Préfecture des Bouches-du-Rhône"}
    assert data["description"] == "Venez nombreux & à l'heure."
    assert data["url"] == "https://forums.example/forums/1"
    assert data["isAccessibleForFree"] is True
    assert data["maximumAttendeeCapacity"] == 120
    assert "previousStartDate" not in data


def test_json_ld_of_postponed_and_cancelled_forums(db, consultation, create_forum):
    postponed = forum_in(create_forum, "1301", ForumStatus.POSTPONED, starts_at=paris_time(2009, 4, 2, 18, 0))
    postponed.date_changes = [ForumDateChange(
        previous_starts_at=paris_time(2009, 3, 24, 18, 0), previous_ends_at=paris_time(2009, 3, 24, 20, 0),
        starts_at=postponed.starts_at, ends_at=postponed.ends_at, reason="Salle indisponible",
    )]
    cancelled = forum_in(create_forum, "1305", ForumStatus.CANCELLED)
    held = forum_in(create_forum, "1306", ForumStatus.HELD)
    db.session.commit()

    data = forum_json_ld(postponed, "u")
    assert data["eventStatus"] == "https://schema.org/EventRescheduled"
    assert data["startDate"] == "2009-04-02T18:00:00+02:00", "summer time after the March change"
    assert data["previousStartDate"] == "2009-03-24T18:00:00+01:00"
    assert forum_json_ld(cancelled, "u")["eventStatus"] == "https://schema.org/EventCancelled"
    assert forum_json_ld(held, "u")["eventStatus"] == "https://schema.org/EventScheduled"


def test_addresses_and_directions(db, consultation, create_forum):
    plain = forum_in(create_forum, "1301", ForumStatus.PUBLISHED, address="1 place de l'Hôtel-de-Ville")
    complete = forum_in(create_forum, "1305", ForumStatus.PUBLISHED, address="2 rue Thiers, 13100 Aix-en-Provence")

    assert postal_address(plain) == "1 place de l'Hôtel-de-Ville, 13080 Aix-en-Provence"
    assert postal_address(complete) == "2 rue Thiers, 13100 Aix-en-Provence", "the commune is not repeated"
    url = directions_url(plain)
    assert url.startswith("https://www.openstreetmap.org/search?query=")
    assert " " not in url and "'" not in url
    assert parse_qs(urlsplit(url).query) == {"query": ["1 place de l'Hôtel-de-Ville, 13080 Aix-en-Provence"]}


def test_prefecture_names_and_plain_text(db, territories):
    assert prefecture_name(db.session.get(Department, "2A")) == "Préfecture de la Corse-du-Sud"
    assert prefecture_name(db.session.get(Department, "75")) == "Préfecture de Paris"
    text = plain_text("# Titre\n\nUn *texte* avec un [lien](https://a.fr).\n\n- un\n- deux\n\n<script>x()</script>")
    assert text == "Titre\nUn texte avec un lien.\nun\ndeux"


def test_split_keeps_held_forums_in_the_past_even_when_dated_later(db, consultation, create_forum):
    held = forum_in(create_forum, "1301", ForumStatus.HELD, starts_at=paris_time(2009, 3, 20) + timedelta(days=30))

    assert split_forums([held], now=paris_time(2009, 3, 20)) == ((), (held,))
