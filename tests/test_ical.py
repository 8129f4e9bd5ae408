"""iCalendar building: events, calendars, Europe/Paris across daylight saving, plain-text descriptions."""
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from forums.ical import (
    PRODID, department_calendar_name, feed_ical, forum_event, forums_calendar, markdown_to_text, webcal_url,
)
from forums.models import ForumStatus

from .conftest import paris_time

HOST = "forums.example.gouv.fr"


def forum_url(forum):
    return f"https://{HOST}/forums/{forum.id}"


def build(forums, **kwargs):
    return forums_calendar(forums, HOST, forum_url, **kwargs).to_ical()


def events_by_uid(body):
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_event_carries_identity_times_place_and_history(db, create_forum):
    published_at = datetime(2009, 3, 2, 9, 0, tzinfo=UTC)
    forum = create_forum(cantons=("1305",), commune="13014", status=ForumStatus.PUBLISHED, sequence=3,
                         title="Forum de Berre", published_at=published_at)

    event = forum_event(forum, HOST, forum_url)

    assert str(event["UID"]) == f"forum-{forum.id}@{HOST}"
    assert str(event["SUMMARY"]) == "Forum de Berre"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 3
    assert event.decoded("CREATED") == published_at
    assert event.decoded("LAST-MODIFIED") == forum.updated_at
    assert event.decoded("DTSTAMP") == forum.updated_at
    assert str(event["URL"]) == f"https://{HOST}/forums/{forum.id}"
    assert str(event["LOCATION"]) == "Salle des fêtes, 1 place de la Mairie, 13130 Berre-l'Étang"
    assert event["CATEGORIES"].cats == ["Forum de sécurité", "Bouches-du-Rhône"]


def test_location_leaves_out_the_postal_code_of_a_commune_that_has_several(db, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED)  # Aix-en-Provence: 13080, 13090, 13100

    assert str(forum_event(forum, HOST, forum_url)["LOCATION"]) == \
        "Salle des fêtes, 1 place de la Mairie, Aix-en-Provence"


def test_description_is_plain_text_with_access_cantons_animator_and_page(db, create_forum):
    forum = create_forum(
        cantons=("1301", "1305"), status=ForumStatus.PUBLISHED, animator_function="Sous-préfet",
        description="Un **échange** ouvert à tous.\n\n- vidéo-protection\n- [cambriolages](https://example.org/c)",
    )

    description = str(forum_event(forum, HOST, forum_url)["DESCRIPTION"])

    assert description == (
        "Un échange ouvert à tous.\n\n"
        "- vidéo-protection\n- cambriolages (https://example.org/c)\n\n"
        "Accessibilité : Salle de plain-pied, boucle magnétique.\n"
        "Cantons concernés : Aix-en-Provence-1, Berre-l'Étang\n"
        "Animation : Sous-préfet d'Aix-en-Provence, Sous-préfet\n\n"
        f"Page du forum : https://{HOST}/forums/{forum.id}"
    )


def test_description_names_the_communes_where_there_are_no_cantons(db, create_forum):
    forum = create_forum(cantons=(), communes=("97209",), department="972", commune="97209",
                         status=ForumStatus.PUBLISHED)

    assert "Commune concernée : Fort-de-France" in str(forum_event(forum, HOST, forum_url)["DESCRIPTION"])


def test_markdown_to_text_drops_markup_and_scripts_and_keeps_structure():
    text = markdown_to_text(
        "## Programme\n\nUn forum *ouvert*\nà tous & chacun. <script>alert(1)</script>\n\n"
        "1. Accueil\n2. Échanges\n\nÉcrire à <contact@example.org>, ou voir https://example.org."
    )

    assert text == (
        "Programme\n\nUn forum ouvert à tous & chacun.\n\n1. Accueil\n2. Échanges\n\n"
        "Écrire à contact@example.org, ou voir https://example.org."
    )
    assert markdown_to_text("") == ""


def test_cancelled_forum_stays_with_status_cancelled_and_its_reason(db, create_forum):
    forum = create_forum(status=ForumStatus.CANCELLED, cancellation_reason="Salle indisponible.")

    event = forum_event(forum, HOST, forum_url)

    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Annulé : Forum de sécurité"
    assert str(event["DESCRIPTION"]).startswith("Ce forum est annulé. Motif : Salle indisponible.")


def test_postponed_forum_says_so(db, create_forum):
    forum = create_forum(status=ForumStatus.POSTPONED)

    event = forum_event(forum, HOST, forum_url)

    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]).startswith("Ce forum a été reporté")


@pytest.fixture
def around_daylight_saving(create_forum):
    """Two forums at 18:30 in Paris, before and after the change to summer time (29 March 2009)."""
    before = create_forum(status=ForumStatus.PUBLISHED, title="Avant", starts_at=paris_time(2009, 3, 28))
    after = create_forum(cantons=("1306",), commune="13004", status=ForumStatus.PUBLISHED, title="Après",
                         starts_at=paris_time(2009, 3, 30))
    return before, after


def test_times_are_local_to_paris_across_daylight_saving_for_both_parsers(db, around_daylight_saving):
    before, after = around_daylight_saving
    body = build([before, after], name="Essai")
    text = body.decode()

    assert "DTSTART;TZID=Europe/Paris:20090328T183000\r\n" in text
    assert "DTSTART;TZID=Europe/Paris:20090330T183000\r\n" in text
    assert "DTEND;TZID=Europe/Paris:20090330T203000\r\n" in text
    expected = {"Avant": datetime(2009, 3, 28, 17, 30, tzinfo=UTC),
                "Après": datetime(2009, 3, 30, 16, 30, tzinfo=UTC)}

    parsed = icalendar.Calendar.from_ical(body)
    timezone = parsed.walk("VTIMEZONE")[0]
    assert str(timezone["TZID"]) == "Europe/Paris"
    assert {sub.name for sub in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in parsed.walk("VEVENT")}
    assert {summary: start.astimezone(UTC) for summary, start in starts.items()} == expected
    assert {start.hour for start in starts.values()} == {18}

    other = vobject.readOne(text)
    assert {sub.name for sub in other.vtimezone.getChildren()} >= {"STANDARD", "DAYLIGHT"}
    starts = {e.summary.value: e.dtstart.value for e in other.vevent_list}
    assert {summary: start.astimezone(UTC) for summary, start in starts.items()} == expected
    assert {(start.hour, start.minute) for start in starts.values()} == {(18, 30)}
    assert {e.summary.value: e.dtend.value - e.dtstart.value for e in other.vevent_list} == \
        {"Avant": timedelta(hours=2), "Après": timedelta(hours=2)}


def test_feed_calendar_has_its_properties_and_a_single_forum_file_does_not(db, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED)

    feed = icalendar.Calendar.from_ical(build([forum], name=department_calendar_name("Bouches-du-Rhône"),
                                              description="Vos libertés, votre sécurité"))
    single = icalendar.Calendar.from_ical(build([forum]))

    for calendar in (feed, single):
        assert str(calendar["PRODID"]) == PRODID
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["CALSCALE"]) == "GREGORIAN"
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert len(calendar.walk("VTIMEZONE")) == 1
    assert str(feed["X-WR-CALNAME"]) == "Forums de sécurité — Bouches-du-Rhône"
    assert str(feed["X-WR-CALDESC"]) == "Vos libertés, votre sécurité"
    assert str(feed["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert feed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert feed.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(feed["X-PUBLISHED-TTL"]) == "PT1H"
    assert "X-WR-CALNAME" not in single and "REFRESH-INTERVAL" not in single


def test_output_is_folded_crlf_and_byte_stable(db, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED, description="Un très long paragraphe. " * 40)

    body = build([forum], name="Essai")

    assert body == build([forum], name="Essai")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    assert str(events_by_uid(body)[f"forum-{forum.id}@{HOST}"]["DESCRIPTION"]).startswith(
        "Un très long paragraphe. Un très long paragraphe.")


def test_a_feed_rendered_event_by_event_is_the_whole_calendar_byte_for_byte(db, create_forum):
    forums = [create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 28)),
              create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2011, 12, 31, 20),
                           cancellation_reason="Salle indisponible.")]

    for listed in (forums, []):
        expected = build(listed, name="Essai", description="Vos libertés, votre sécurité")
        assert feed_ical(iter(listed), HOST, forum_url, "Essai", "Vos libertés, votre sécurité") == expected


def test_an_empty_calendar_is_still_valid(db):
    calendar = vobject.readOne(build([], name="Essai").decode())

    assert calendar.prodid.value == PRODID
    assert not hasattr(calendar, "vevent")


def test_webcal_url_swaps_the_scheme():
    assert webcal_url("https://forums.example.gouv.fr/calendrier.ics") == \
        "webcal://forums.example.gouv.fr/calendrier.ics"
    assert webcal_url("http://localhost/calendrier.ics") == "webcal://localhost/calendrier.ics"
