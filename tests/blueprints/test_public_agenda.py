"""Public home counters, the national agenda and the department pages."""
import html
import re
from datetime import timedelta

import pytest

from forums.models import ForumDateChange, ForumStatus, Role
from forums.timeutils import utcnow

from ..conftest import paris_time


def text(response):
    return html.unescape(response.get_data(as_text=True))


def squash(value):
    """Return the text with its whitespace runs collapsed, for phrases split across template lines."""
    return " ".join(value.split())


def forum_in(create_forum, canton, status, **fields):
    """Create a forum covering one canton of the mini France, in its department and commune."""
    department, commune = {"13": ("13", "13001"), "75": ("75", "75056"), "2A": ("2A", "2A004")}[canton[:2]]
    return create_forum(cantons=[canton], department=department, commune=commune, status=status,
                        title=fields.pop("title", f"Forum {canton} {status.value}"), **fields)


def in_days(days, hour=18):
    """Return a time ``days`` days from now at ``hour`` in Paris, so "upcoming" does not depend on today."""
    day = (utcnow() + timedelta(days=days)).date()
    return paris_time(day.year, day.month, day.day, hour, 0)


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_exact_national_counters_and_calls_to_action(client, db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.PUBLISHED)
    forum_in(create_forum, "1305", ForumStatus.POSTPONED)
    forum_in(create_forum, "1306", ForumStatus.HELD)
    forum_in(create_forum, "7501", ForumStatus.HELD)
    forum_in(create_forum, "2A01", ForumStatus.CANCELLED)
    forum_in(create_forum, "2A01", ForumStatus.DRAFT)

    page = squash(text(client.get("/")))

    counters = re.search(r'id="national-counters">(.*?)</ul>', page).group(1)
    figures = re.findall(r'fr-tile__title[^>]*>(\d+)</p> <p class="fr-tile__desc">([^<]+)<', counters)
    assert figures == [("2", "forums annoncés"), ("2", "forums tenus"), ("2", "départements entièrement couverts")]
    assert 'href="/trouver-mon-forum">Trouver mon forum</a>' in page
    assert 'href="/agenda">Consulter l\'agenda des forums</a>' in page
    assert 'href="/questions/poser">Poser une question</a>' in page
    assert "En cas d'urgence, composez le 17 ou le 112 : ce site ne reçoit ni signalements ni plaintes." in page


def test_home_counters_use_the_singular_for_zero_and_one(client, db, consultation, create_forum):
    forum_in(create_forum, "7501", ForumStatus.PUBLISHED)

    page = squash(text(client.get("/")))

    assert '1</p> <p class="fr-tile__desc">forum annoncé<' in page
    assert '0</p> <p class="fr-tile__desc">forum tenu<' in page
    assert '1</p> <p class="fr-tile__desc">département entièrement couvert<' in page


# --- National agenda --------------------------------------------------------------------------


def test_agenda_groups_departments_by_region_with_counts_next_forum_and_coverage(
        client, db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    upcoming = forum_in(create_forum, "1305", ForumStatus.PUBLISHED, starts_at=in_days(5), title="Forum de Berre")
    forum_in(create_forum, "7501", ForumStatus.DRAFT, starts_at=in_days(2), title="Brouillon secret")

    page = squash(text(client.get("/agenda")))

    headings = re.findall(r'<h2 id="region-\w+-title">([^<]+)</h2>', page)
    assert headings == ["Corse", "Île-de-France", "Provence-Alpes-Côte d'Azur", "Martinique"]
    for code in ("13", "75", "2A", "972"):
        assert f'<a href="/departements/{code}">' in page
    row = re.search(r'<tr id="department-13">(.*?)</tr>', page).group(1)
    assert "<td>2 forums</td>" in row
    assert f'href="/forums/{upcoming.id}"' in row and ", Aix-en-Provence" in row
    assert "66,7 % <span" in row and "(2/3 cantons)" in row
    paris = re.search(r'<tr id="department-75">(.*?)</tr>', page).group(1)
    assert "Aucun forum annoncé" in paris and "0 % <span" in paris
    assert "Brouillon secret" not in page
    assert "(0/1 communes)" in re.search(r'<tr id="department-972">(.*?)</tr>', page).group(1)


def test_agenda_says_when_a_department_has_no_forum_to_come(client, db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))

    row = re.search(r'<tr id="department-13">(.*?)</tr>', squash(text(client.get("/agenda")))).group(1)

    assert "Aucun forum à venir" in row


def test_agenda_without_consultation(client, db, territories):
    page = text(client.get("/agenda"))

    assert "Il n'y a pas de consultation ouverte en ce moment" in page


# --- Department page --------------------------------------------------------------------------


def test_department_page_splits_upcoming_and_past_forums(client, db, consultation, create_forum):
    past = forum_in(create_forum, "1301", ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum passé")
    soon = forum_in(create_forum, "1305", ForumStatus.PUBLISHED, starts_at=in_days(3), title="Forum bientôt")
    later = forum_in(create_forum, "1306", ForumStatus.PUBLISHED, starts_at=in_days(9), title="Forum plus tard")
    forum_in(create_forum, "1306", ForumStatus.DRAFT, starts_at=in_days(4), title="Brouillon secret")
    forum_in(create_forum, "7501", ForumStatus.PUBLISHED, starts_at=in_days(4), title="Forum parisien")

    page = squash(text(client.get("/departements/13")))

    upcoming = re.search(r'id="upcoming"(.*?)</section>', page).group(1)
    past_section = re.search(r'id="past"(.*?)</section>', page).group(1)
    assert upcoming.index("Forum bientôt") < upcoming.index("Forum plus tard")
    assert f'href="/forums/{soon.id}"' in upcoming and f'href="/forums/{later.id}"' in upcoming
    assert "Forum passé" in past_section and f'href="/forums/{past.id}"' in past_section
    assert "Forum passé" not in upcoming
    assert "mardi 17 mars 2009, 18 h 30" in past_section
    assert "Brouillon secret" not in page and "Forum parisien" not in page
    assert "Canton : Aix-en-Provence-1" in past_section


def test_department_page_marks_cancelled_and_postponed_forums(client, db, consultation, create_forum):
    cancelled = forum_in(create_forum, "1301", ForumStatus.CANCELLED, starts_at=in_days(3), title="Forum annulé",
                         cancellation_reason="Salle indisponible")
    postponed = forum_in(create_forum, "1305", ForumStatus.POSTPONED, starts_at=paris_time(2030, 4, 2, 18, 0),
                         title="Forum reporté")
    postponed.date_changes = [ForumDateChange(
        previous_starts_at=paris_time(2030, 3, 24, 18, 0), previous_ends_at=paris_time(2030, 3, 24, 20, 0),
        starts_at=postponed.starts_at, ends_at=postponed.ends_at,
    )]
    db.session.commit()

    page = squash(text(client.get("/departements/13")))

    card = re.search(rf'id="forum-{cancelled.id}"(.*?)</ul>', page).group(1)
    assert "fr-badge--error" in card and ">Annulé<" in card and "Ce forum est annulé." in card
    card = re.search(rf'id="forum-{postponed.id}"(.*?)</ul>', page).group(1)
    assert "mardi 2 avril 2030, 18 h 00" in card
    assert "Reporté : initialement prévu le dimanche 24 mars 2030, 18 h 00" in card
    assert "fr-badge--warning" in card


def test_department_page_shows_coverage_and_calendar_links(client, db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.PUBLISHED)

    page = squash(text(client.get("/departements/13")))

    assert "1 canton couvert sur 3 (33,3 %)" in page
    assert 'href="webcal://localhost/departements/13/calendrier.ics">S\'abonner au calendrier du département</a>' in page
    assert 'href="http://localhost/departements/13/calendrier.ics" download>' in page
    assert "organisés par la préfecture des Bouches-du-Rhône" in page


def test_department_without_cantons_counts_communes(client, db, consultation, create_forum):
    create_forum(department="972", commune="97209", cantons=[], communes=["97209"], status=ForumStatus.PUBLISHED,
                 title="Forum de Fort-de-France")

    page = squash(text(client.get("/departements/972")))

    assert "1 commune couverte sur 1 (100 %)" in page
    assert "Commune : Fort-de-France" in page
    assert "Le département est entièrement couvert." in page


@pytest.mark.parametrize("code", ["99", "13x", "x" * 300, "<script>"])
def test_unknown_department_is_a_french_404(client, db, consultation, territories, code):
    response = client.get(f"/departements/{code}")

    assert response.status_code == 404
    page = text(response)
    assert "Page non trouvée" in page and "Aucun département ne correspond à cette adresse." in page
    assert "<script>" not in page.split("<body>", 1)[1].replace('<script type="module"', "").replace("<script nomodule", "")


# --- Performance and caching ------------------------------------------------------------------


@pytest.mark.parametrize("forum_count", [1, 10])
def test_department_page_runs_a_fixed_number_of_queries(client, db, consultation, create_forum, forum_count,
                                                        count_queries):
    for index in range(forum_count):
        forum = forum_in(create_forum, ("1301", "1305", "1306")[index % 3], ForumStatus.PUBLISHED,
                         starts_at=paris_time(2009, 3, 17) + timedelta(days=index), title=f"Forum {index}")
        forum.date_changes = [ForumDateChange(
            previous_starts_at=forum.starts_at, previous_ends_at=forum.ends_at,
            starts_at=forum.starts_at, ends_at=forum.ends_at,
        )]
    db.session.commit()

    with count_queries() as statements:
        page = text(client.get("/departements/13"))

    assert page.count('class="fr-card ') == forum_count
    # Version; department with its region; current consultation; forums with their commune, cantons,
    # communes and date changes, joined; coverage (4); the count of its published questions (none to fetch).
    assert len(statements) == 9, statements


@pytest.mark.parametrize("url", ["/", "/agenda", "/departements/13"])
def test_public_pages_are_cacheable_and_set_no_cookie(client, db, consultation, create_forum, url):
    forum_in(create_forum, "1301", ForumStatus.PUBLISHED)

    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in first.headers
    assert again.status_code == 304
    assert "Set-Cookie" not in again.headers


def test_a_change_to_a_forum_shows_at_once(client, db, consultation, create_forum):
    forum = forum_in(create_forum, "1301", ForumStatus.PUBLISHED, title="Ancien titre")
    first = client.get("/departements/13")

    forum.title = "Nouveau titre"
    db.session.commit()
    second = client.get("/departements/13", headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 200
    assert "Nouveau titre" in text(second)


def test_agents_get_private_pages(client, db, consultation, create_forum, create_agent, login):
    login(create_agent(Role.MINISTRY))

    response = client.get("/agenda")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_agenda_links_the_national_calendar(client, consultation):
    page = client.get("/agenda").get_data(as_text=True)

    assert "href=\"webcal://localhost/calendrier.ics\">S'abonner au calendrier de tous les forums</a>" in page
    assert 'href="http://localhost/calendrier.ics" download>' in page


def test_a_cancelled_forum_is_listed_apart_with_its_reason(client, db, consultation, create_forum):
    cancelled = forum_in(create_forum, "1301", ForumStatus.CANCELLED, starts_at=in_days(3), title="Forum annulé",
                         cancellation_reason="Salle indisponible")
    forum_in(create_forum, "1305", ForumStatus.PUBLISHED, starts_at=in_days(5), title="Forum maintenu")
    forum_in(create_forum, "1306", ForumStatus.CANCELLED, starts_at=paris_time(2009, 3, 17), title="Ancien annulé")

    page = text(client.get("/departements/13"))

    upcoming = re.search(r'id="upcoming"(.*?)</section>', page, re.S).group(1)
    past = re.search(r'id="past"(.*?)</section>', page, re.S).group(1)
    apart = re.search(r'id="cancelled"(.*?)</section>', page, re.S).group(1)
    assert "Forum maintenu" in upcoming and "Forum annulé" not in upcoming
    assert "Ancien annulé" not in past
    assert "<h2 id=\"cancelled-title\">Forums annulés</h2>" in apart
    assert f'id="forum-{cancelled.id}"' in apart and "Ancien annulé" in apart
    assert "Ce forum est annulé. Motif : Salle indisponible" in apart
    assert re.search(r"<del>\w+\xa0\d+\xa0\w+\xa0\d{4}, \d+\xa0h\xa0\d\d</del>", apart)


def test_dates_and_times_never_break_inside(client, db, consultation, create_forum):
    forum_in(create_forum, "1301", ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))

    page = text(client.get("/departements/13"))

    assert "mardi\xa017\xa0mars\xa02009, 18\xa0h\xa030" in page
    assert "18 h" not in page and "h 30" not in page
