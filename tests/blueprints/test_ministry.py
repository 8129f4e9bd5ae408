"""The ministry's national view: who gets in, the forum list and its filters, CSV exports, progress."""
import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from forums.models import Consultation, ForumStatus, Role
from forums.services.forums import publish_forum

from ..conftest import paris_time

ROUTES = ["/ministry/", "/ministry/forums", "/ministry/forums.csv", "/ministry/departements",
          "/ministry/departements.csv"]


@pytest.fixture
def ministry(create_agent, login):
    agent = create_agent(Role.MINISTRY)
    login(agent)
    return agent


def titles(response):
    assert response.status_code == 200
    # Each title links to the forum's back-office page.
    return re.findall(r'<td class="fr-cell--multiline"><a href="/prefecture/forums/\d+">([^<]*)</a></td>',
                      html.unescape(response.get_data(as_text=True)))


def parse(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def count_statements(count_queries, client, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def many_forums(create_forum, count, first=0):
    for number in range(first, first + count):
        department, canton, commune = [("13", "1301", "13001"), ("75", "7501", "75056"),
                                       ("972", None, "97209")][number % 3]
        create_forum(status=ForumStatus.PUBLISHED, title=f"Forum n° {number:03d}", department=department,
                     cantons=[canton] if canton else [], communes=[] if canton else [commune], commune=commune,
                     starts_at=paris_time(2009, 3, 17) + timedelta(hours=number))


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, db, consultation, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("role, department, arrondissement", [
    (Role.PREFECTURE, "13", None),
    (Role.SUBPREFECTURE, None, "131"),
    (Role.MODERATOR, "13", None),
])
def test_territorial_agents_are_refused(client, login, create_agent, consultation, role, department,
                                        arrondissement):
    login(create_agent(role, department=department, arrondissement=arrondissement))
    assert {path: client.get(path).status_code for path in ROUTES} == dict.fromkeys(ROUTES, 403)


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.ADMIN])
def test_national_agents_get_every_page(client, login, create_agent, consultation, create_forum, role):
    create_forum(status=ForumStatus.PUBLISHED)
    login(create_agent(role))
    assert {path: client.get(path).status_code for path in ROUTES} == dict.fromkeys(ROUTES, 200)


def test_home_links_to_the_national_pages(client, ministry):
    page = client.get("/ministry/").get_data(as_text=True)
    assert 'href="/ministry/forums"' in page and 'href="/ministry/departements"' in page


def test_list_shows_forum_details_but_never_drafts(client, ministry, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, title="Forum d'Aix", cantons=["1301", "1305"],
                 venue_name="Salle Jean Moulin")
    create_forum(status=ForumStatus.DRAFT, title="Brouillon secret", venue_name="Autre", animator_name="Autre")

    response = client.get("/ministry/forums")
    page = html.unescape(response.get_data(as_text=True))

    assert titles(response) == ["Forum d'Aix"]
    assert "Brouillon secret" not in page
    for text in ("mardi 17 mars 2009, 18 h 30", "13 – Bouches-du-Rhône", "Aix-en-Provence", "Salle Jean Moulin",
                 "Aix-en-Provence-1, Berre-l'Étang", "Publié"):
        assert text in page


def test_a_published_draft_appears_at_once(client, ministry, db, create_agent, create_forum):
    draft = create_forum(status=ForumStatus.DRAFT, title="Bientôt publié")
    assert titles(client.get("/ministry/forums")) == []

    publish_forum(draft, by=create_agent(Role.PREFECTURE, department="13"))
    db.session.commit()

    assert titles(client.get("/ministry/forums")) == ["Bientôt publié"]


@pytest.mark.parametrize("query, expected", [
    ("", ["Aix", "Arles", "Paris", "Martinique"]),
    ("region=93", ["Aix", "Arles"]),
    ("departement=972", ["Martinique"]),
    ("etat=cancelled", ["Arles"]),
    ("du=2009-04-01", ["Paris", "Martinique"]),
    ("au=2009-03-31", ["Aix", "Arles"]),
    ("du=2009-04-01&au=2009-04-02", ["Paris"]),
    ("region=93&etat=published", ["Aix"]),
    ("tri=publication", ["Martinique", "Paris", "Arles", "Aix"]),
])
def test_filters_narrow_the_list(client, ministry, create_forum, query, expected):
    for number, (title, status, department, commune, cantons, communes, day) in enumerate([
        ("Aix", ForumStatus.PUBLISHED, "13", "13001", ["1301"], [], date(2009, 3, 30)),
        ("Arles", ForumStatus.CANCELLED, "13", "13004", ["1306"], [], date(2009, 3, 31)),
        ("Paris", ForumStatus.PUBLISHED, "75", "75056", ["7501"], [], date(2009, 4, 1)),
        ("Martinique", ForumStatus.HELD, "972", "97209", [], ["97209"], date(2009, 4, 3)),
    ]):
        create_forum(title=title, status=status, department=department, commune=commune, cantons=cantons,
                     communes=communes, starts_at=paris_time(day.year, day.month, day.day),
                     published_at=datetime(2009, 3, 1 + number, tzinfo=UTC))

    assert titles(client.get(f"/ministry/forums?{query}")) == expected


def test_another_consultation_is_chosen_by_its_slug(client, ministry, db, create_forum):
    other = Consultation(slug="2010", name="Édition 2010", meetings_start_on=date(2010, 1, 1),
                         meetings_end_on=date(2010, 12, 31), synthesis_due_on=date(2011, 1, 15))
    db.session.add(other)
    create_forum(status=ForumStatus.PUBLISHED, title="Forum 2009")
    create_forum(status=ForumStatus.PUBLISHED, title="Forum 2010", consultation=other)

    assert titles(client.get("/ministry/forums")) == ["Forum 2009"]
    assert titles(client.get("/ministry/forums?consultation=2010")) == ["Forum 2010"]


def test_list_is_paginated_and_page_links_keep_the_filters(client, ministry, create_forum):
    many_forums(create_forum, 52)

    first = client.get("/ministry/forums?etat=published")
    second = client.get("/ministry/forums?etat=published&page=2")
    page = first.get_data(as_text=True)

    assert len(titles(first)) == 50 and titles(second) == ["Forum n° 050", "Forum n° 051"]
    assert 'href="/ministry/forums?page=2&amp;consultation=2009&amp;etat=published"' in page
    assert 'aria-current="page" title="Page 1"' in page
    assert "page 1 sur 2" in page
    assert client.get("/ministry/forums?page=3").status_code == 404


@pytest.mark.parametrize("query, message", [
    ("region=99", "Région inconnue : « 99 »"),
    ("departement=2C", "Département inconnu : « 2C »"),
    ("etat=draft", "État inconnu : « draft »"),
    ("etat=n%27importe", "État inconnu"),
    ("du=17/03/2009", "Du : N'est pas une date valide"),
    ("au=2009-02-30", "Au : N'est pas une date valide"),
    ("du=2009-04-02&au=2009-04-01", "La date de fin de période précède la date de début"),
    ("tri=titre", "Tri inconnu : « titre »"),
    ("page=0", "Le numéro de page commence à 1"),
    ("page=-2", "Le numéro de page commence à 1"),
    ("page=deux", "Page : N'est pas un entier valide"),
    ("consultation=1789", "Consultation inconnue : « 1789 »"),
])
def test_bad_filters_get_a_400_that_says_why(client, ministry, consultation, query, message):
    for path in ("/ministry/forums", "/ministry/forums.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("query, message", [
    ("region=99", "Région inconnue : « 99 »"),
    ("tri=publies%27", "Tri inconnu"),
    ("consultation=1789", "Consultation inconnue"),
])
def test_bad_progress_filters_get_a_400(client, ministry, consultation, query, message):
    for path in ("/ministry/departements", "/ministry/departements.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in html.unescape(response.get_data(as_text=True))


def test_empty_filters_from_the_form_mean_everything(client, ministry, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, title="Aix")
    response = client.get("/ministry/forums?consultation=&region=&departement=&etat=&du=&au=&tri=date")
    assert titles(response) == ["Aix"]


def test_without_a_consultation_the_pages_say_so(client, ministry, db):
    assert "Aucune consultation n'est ouverte" in html.unescape(client.get("/ministry/forums").get_data(as_text=True))
    assert "Aucune consultation n'est ouverte" in html.unescape(
        client.get("/ministry/departements").get_data(as_text=True))
    assert client.get("/ministry/forums.csv").status_code == 404


def test_list_runs_a_fixed_number_of_queries(client, ministry, db, create_forum, count_queries):
    many_forums(create_forum, 3)
    few = count_statements(count_queries, client, "/ministry/forums")
    many_forums(create_forum, 27, first=3)
    many = count_statements(count_queries, client, "/ministry/forums")

    assert few == many == 7


def test_csv_export_has_the_filtered_forums_with_paris_times(client, ministry, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, title="Avant l'heure d'été", starts_at=paris_time(2009, 3, 17))
    create_forum(status=ForumStatus.CANCELLED, title="Après l'heure d'été", starts_at=paris_time(2009, 4, 2),
                 cancellation_reason="Salle indisponible", cantons=["1306"], commune="13004")
    create_forum(status=ForumStatus.DRAFT, title="Brouillon", venue_name="Autre", animator_name="Autre")
    create_forum(status=ForumStatus.PUBLISHED, title="Paris", department="75", cantons=["7501"], commune="75056")

    response = client.get("/ministry/forums.csv?region=93")
    rows = parse(response)

    assert response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="forums-2009-\d{4}-\d{2}-\d{2}\.csv"',
                        response.headers["Content-Disposition"])
    assert [(r["titre"], r["état"], r["date (JJ/MM/AAAA)"], r["début (HH:MM, heure de Paris)"]) for r in rows] == [
        ("Avant l'heure d'été", "Publié", "17/03/2009", "18:30"),
        ("Après l'heure d'été", "Annulé", "02/04/2009", "18:30"),
    ]
    assert rows[1]["motif d'annulation"] == "Salle indisponible"
    assert (rows[1]["commune (nom)"], rows[1]["cantons (noms)"], rows[1]["région"]) == (
        "Arles", "Arles", "Provence-Alpes-Côte d'Azur")


def test_list_links_to_the_export_with_the_same_filters(client, ministry, consultation):
    page = client.get("/ministry/forums?region=93&etat=held&du=2009-03-20").get_data(as_text=True)
    assert 'href="/ministry/forums.csv?consultation=2009&amp;region=93&amp;etat=held&amp;du=2009-03-20"' in page


def test_progress_shows_counts_coverage_and_totals(client, ministry, create_forum):
    create_forum(status=ForumStatus.DRAFT, cantons=["1306"], commune="13004")
    create_forum(status=ForumStatus.PUBLISHED, cantons=["1301", "1305"])
    create_forum(status=ForumStatus.HELD, department="75", cantons=["7501"], commune="75056")
    create_forum(status=ForumStatus.CANCELLED, department="75", cantons=["7501"], commune="75056")

    page = html.unescape(client.get("/ministry/departements").get_data(as_text=True))

    row = re.search(r'<th scope="row"><a href="/prefecture/departements/13">13 – Bouches-du-Rhône</a></th>(.*?)</tr>',
                    page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "0", "0"]
    assert "66,7\u202f% — 2 cantons sur 3" in row and "Entièrement couvert" not in row
    paris = re.search(r'<a href="/prefecture/departements/75">75 – Paris</a></th>(.*?)</tr>', page, re.S).group(1)
    assert "Entièrement couvert" in paris
    footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    assert "Total national" in footer and re.findall(r"<td>(\d+)</td>", footer) == ["1", "1", "1", "1"]
    assert "50,0\u202f% des cantons et communes à couvrir (3 sur 6)" in footer
    assert "1 département sur 4 entièrement couvert" in footer


def test_progress_is_sorted_and_filtered_by_region(client, ministry, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, department="75", cantons=["7501"], commune="75056")

    def order(query):
        page = client.get(f"/ministry/departements?{query}").get_data(as_text=True)
        return re.findall(r'<th scope="row"><a href="/prefecture/departements/(\w+)">', page)

    assert order("") == ["13", "2A", "75", "972"]
    assert order("tri=couverture") == ["13", "2A", "972", "75"]
    assert order("tri=publies") == ["13", "2A", "972", "75"]
    assert order("region=11") == ["75"]
    assert "Total de la région" in client.get("/ministry/departements?region=11").get_data(as_text=True)


def test_progress_runs_a_fixed_number_of_queries(client, ministry, db, create_forum, count_queries):
    many_forums(create_forum, 3)
    few = count_statements(count_queries, client, "/ministry/departements")
    many_forums(create_forum, 27, first=3)
    many = count_statements(count_queries, client, "/ministry/departements")

    assert few == many == 9


def test_progress_export(client, ministry, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, department="75", cantons=["7501"], commune="75056")

    response = client.get("/ministry/departements.csv?region=11")
    rows = parse(response)

    assert re.fullmatch(r'attachment; filename="avancement-2009-\d{4}-\d{2}-\d{2}\.csv"',
                        response.headers["Content-Disposition"])
    assert [(r["département (code)"], r["publiés (dont reportés)"], r["couverture (%)"], r["entièrement couvert"])
            for r in rows] == [("75", "1", "100,0", "oui"), ("", "1", "100,0", "1 sur 1")]
