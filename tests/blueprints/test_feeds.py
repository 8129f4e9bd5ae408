"""iCalendar routes: one forum, a department's feed, the national feed; caching and drafts."""
from datetime import UTC, datetime

import icalendar
import pytest
import vobject

from forums.blueprints.public import feeds
from forums.models import ForumStatus, Role
from forums.public_cache import clear_cache
from forums.services.forums import ForumData, update_forum

from ..conftest import paris_time

CONTENT_TYPE = "text/calendar; charset=utf-8"


def uid(forum):
    return f"forum-{forum.id}@localhost"


def parse_both(response):
    """Return {uid: (status, summary, sequence)} as read by icalendar and by vobject, checking they agree."""
    body = response.get_data()
    by_icalendar = {
        str(e["UID"]): (str(e["STATUS"]), str(e["SUMMARY"]), int(e["SEQUENCE"]))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    calendar = vobject.readOne(body.decode("utf-8"))
    by_vobject = {
        e.uid.value: (e.status.value, e.summary.value, int(e.sequence.value))
        for e in calendar.contents.get("vevent", [])
    }
    assert by_icalendar == by_vobject
    return by_icalendar


@pytest.fixture
def forums(create_forum):
    """One forum per public status in the Bouches-du-Rhône, one in Paris, and a draft."""
    return {
        "published": create_forum(status=ForumStatus.PUBLISHED, title="Aix", starts_at=paris_time(2009, 3, 28)),
        "postponed": create_forum(cantons=("1305",), commune="13014", status=ForumStatus.POSTPONED,
                                  title="Berre", starts_at=paris_time(2009, 3, 30)),
        "held": create_forum(cantons=("1306",), commune="13004", status=ForumStatus.HELD, title="Arles",
                             starts_at=paris_time(2009, 3, 18)),
        "cancelled": create_forum(cantons=("1306",), commune="13004", status=ForumStatus.CANCELLED,
                                  title="Arles bis", cancellation_reason="Salle indisponible."),
        "paris": create_forum(cantons=("7501",), department="75", commune="75056", status=ForumStatus.PUBLISHED,
                              title="Paris"),
        "draft": create_forum(cantons=("1301",), title="Brouillon secret", starts_at=paris_time(2009, 4, 2)),
    }


def test_national_feed_has_every_public_forum_and_no_draft(client, forums):
    response = client.get("/calendrier.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE
    events = parse_both(response)
    assert set(events) == {uid(f) for name, f in forums.items() if name != "draft"}
    assert events[uid(forums["cancelled"])][0] == "CANCELLED"
    assert events[uid(forums["held"])][0] == "CONFIRMED"
    assert "Brouillon secret" not in response.get_data(as_text=True)
    calendar = icalendar.Calendar.from_ical(response.get_data())
    assert str(calendar["X-WR-CALNAME"]) == "Forums de sécurité — France entière"
    assert str(calendar["X-WR-CALDESC"]) == "Vos libertés, votre sécurité : parlons-en ensemble"


def test_department_feed_has_only_its_forums(client, forums):
    response = client.get("/departements/13/calendrier.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE
    events = parse_both(response)
    assert set(events) == {uid(forums[name]) for name in ("published", "postponed", "held", "cancelled")}
    calendar = icalendar.Calendar.from_ical(response.get_data())
    assert str(calendar["X-WR-CALNAME"]) == "Forums de sécurité — Bouches-du-Rhône"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


def test_department_without_forums_gets_an_empty_valid_feed(client, forums):
    response = client.get("/departements/2A/calendrier.ics")

    assert response.status_code == 200
    assert parse_both(response) == {}


@pytest.mark.parametrize("path", ["/departements/99/calendrier.ics", "/departements/13x/calendrier.ics"])
def test_unknown_department_is_not_found(client, territories, consultation, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "Page non trouvée" in response.get_data(as_text=True)


def test_forum_file_has_the_one_event_with_times_in_paris(client, forums):
    forum = forums["published"]
    response = client.get(f"/forums/{forum.id}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE
    assert response.headers["Content-Disposition"] == f'inline; filename="forum-{forum.id}.ics"'
    assert parse_both(response) == {uid(forum): ("CONFIRMED", "Aix", 0)}
    text = response.get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Paris:20090328T183000\r\n" in text
    assert f"URL:http://localhost/forums/{forum.id}\r\n" in text
    start = vobject.readOne(text).vevent.dtstart.value
    assert start.astimezone(UTC) == datetime(2009, 3, 28, 17, 30, tzinfo=UTC)


def test_draft_and_unknown_forums_are_not_found(client, forums):
    assert client.get(f"/forums/{forums['draft'].id}.ics").status_code == 404
    assert client.get("/forums/999999.ics").status_code == 404


def test_feeds_are_cacheable_conditional_and_cookieless(client, forums):
    for path in (f"/forums/{forums['published'].id}.ics", "/departements/13/calendrier.ics", "/calendrier.ics"):
        first = client.get(path)
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert "Set-Cookie" not in first.headers

        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert again.get_data() == b""
        assert "Set-Cookie" not in again.headers


def test_an_update_raises_the_sequence_and_keeps_the_uid(db, client, create_agent, forums):
    forum = forums["published"]
    before = client.get(f"/forums/{forum.id}.ics")
    feed_before = parse_both(client.get("/calendrier.ics"))

    data = ForumData.from_forum(forum)
    data.title = "Aix, nouvelle salle"
    update_forum(forum, data, create_agent(Role.PREFECTURE, department="13"), confirm_shared=True)
    db.session.commit()

    after = client.get(f"/forums/{forum.id}.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parse_both(after) == {uid(forum): ("CONFIRMED", "Aix, nouvelle salle", 1)}
    feed_after = parse_both(client.get("/calendrier.ics"))
    assert set(feed_after) == set(feed_before)
    assert feed_after[uid(forum)][2] > feed_before[uid(forum)][2]


def test_national_feed_runs_a_fixed_number_of_queries(db, client, create_forum, count_queries):
    def query_count():
        clear_cache()
        with count_queries() as statements:
            response = client.get("/calendrier.ics")
        assert response.status_code == 200
        return len(statements), len(parse_both(response))

    codes = [("1301", "13001"), ("1305", "13014"), ("1306", "13004")]
    for n in range(2):
        create_forum(cantons=(codes[n][0],), commune=codes[n][1], status=ForumStatus.PUBLISHED,
                     starts_at=paris_time(2009, 4, 1 + n))
    few, count = query_count()
    # Publication version, consultation, forums, and one query per eager-loaded relationship.
    assert (few, count) == (11, 2)
    for n in range(2, 20):
        canton, commune = codes[n % 3]
        create_forum(cantons=(canton,), commune=commune, status=ForumStatus.PUBLISHED,
                     starts_at=paris_time(2009, 4, 1 + n))
    assert query_count() == (few, 20)


def test_feeds_load_their_forums_a_batch_at_a_time_and_miss_none(db, client, create_forum, count_queries,
                                                                  monkeypatch):
    for day in range(1, 6):
        create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 4, day))
    clear_cache()
    with count_queries() as whole:
        expected = parse_both(client.get("/calendrier.ics"))
    monkeypatch.setattr(feeds, "FEED_BATCH", 2)
    clear_cache()

    with count_queries() as batched:
        response = client.get("/calendrier.ics")

    assert parse_both(response) == expected and len(expected) == 5
    # Each further batch of forums loads its own relationships.
    assert len(batched) > len(whole)


def test_agents_get_the_feed_uncached(client, login, create_agent, forums):
    login(create_agent(Role.PREFECTURE, department="13"))

    response = client.get("/calendrier.ics")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert uid(forums["draft"]) not in parse_both(response)


def test_uids_use_the_canonical_host_when_configured(db, other_app, create_forum):
    from forums.models import ForumStatus

    forum = create_forum(status=ForumStatus.PUBLISHED)
    app = other_app(PUBLIC_URL="https://forums-securite.interieur.gouv.fr")
    body = app.test_client().get(f"/forums/{forum.id}.ics", base_url="http://10.0.0.5:8000").get_data(as_text=True)
    assert f"UID:forum-{forum.id}@forums-securite.interieur.gouv.fr" in body
