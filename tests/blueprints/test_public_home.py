"""The public home page: the current consultation, its themes and the emergency notice."""
import html
from pathlib import Path

import pytest

from forums.models import ForumStatus

from forums.services.consultations import (
    DATA_DIR, load_consultation_file, seed_consultation, set_current_consultation,
)

from ..conftest import paris_time

OTHER = Path(__file__).parent.parent / "fixtures" / "consultations" / "essai-2010.json"
EMERGENCY = "En cas d'urgence, composez le 17 ou le 112 : ce site ne reçoit ni signalements ni plaintes."


@pytest.fixture
def consultation_2009(db):
    consultation = seed_consultation(load_consultation_file(DATA_DIR / "2009.json"), make_current=True).consultation
    db.session.commit()
    return consultation


def page(client):
    response = client.get("/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_home_shows_the_current_consultation_and_links_to_its_themes(client, consultation_2009):
    text = page(client)

    assert "<h1>Vos libertés, votre sécurité : parlons-en ensemble</h1>" in text
    assert "du lundi\xa016\xa0mars\xa02009 au lundi\xa018\xa0mai\xa02009" in text
    assert "poser ses questions en ligne" in text
    assert EMERGENCY in text
    assert 'class="fr-alert fr-alert--warning' in text
    for theme in consultation_2009.themes:
        assert f'<a href="/themes#theme-{theme.id}">Thème {theme.code} : « {theme.title} »</a>' in text
    # The sub-topics and key messages have their own page: the home page stays short.
    assert "Sous-thème 1.A" not in text and 'class="fr-callout ' not in text


def test_the_themes_page_shows_key_messages_parts_and_subtopics(client, consultation_2009):
    response = client.get("/themes")
    text = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 200
    for theme in consultation_2009.themes:
        assert f"« {theme.title} »" in text
        assert theme.key_message in text
        for part in theme.parts:
            assert f"{part.code}. {part.title}" in text
            for subtopic in part.subtopics:
                assert subtopic.title in text
                assert f"Sous-thème {subtopic.code}" in text
    assert text.count('class="fr-callout ') == 2
    assert "<li>La vidéo-protection est un outil de prévention" in text, "key messages rendered as Markdown"
    assert text.index("Thème 1 :") < text.index("Thème 2 :")


def test_home_shows_only_the_current_one_when_several_coexist(client, db, consultation_2009):
    other = seed_consultation(load_consultation_file(OTHER)).consultation
    db.session.commit()
    assert "Consultation d'essai 2010" not in page(client)

    set_current_consultation(other)
    db.session.commit()
    text = page(client)
    assert "<h1>Consultation d'essai 2010</h1>" in text
    assert ("du lundi\xa01er\xa0mars\xa02010 au vendredi\xa030\xa0avril\xa02010, "
            "assises nationales le mardi\xa015\xa0juin\xa02010") in text
    assert "Vidéo-protection" not in html.unescape(client.get("/themes").get_data(as_text=True))


def test_home_without_consultation_says_so_politely(client, db):
    text = page(client)

    assert "Aucune consultation en cours" in text
    assert "Il n'y a pas de consultation ouverte en ce moment." in text
    assert EMERGENCY in text


def test_markdown_is_sanitised(client, db):
    data = load_consultation_file(OTHER)
    data["description"] = "Bonjour **à tous**.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>"
    data["themes"][0]["parts"][0]["subtopics"][0]["description"] = '<a href="javascript:alert(1)">lien</a>'
    seed_consultation(data, make_current=True)
    db.session.commit()

    body = client.get("/").get_data(as_text=True) + client.get("/themes").get_data(as_text=True)

    assert "Bonjour <strong>à tous</strong>." in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body


def test_home_runs_a_bounded_number_of_queries(app, client, db, consultation_2009, count_queries):
    with count_queries() as statements:
        page(client)

    # The publication version (cache), the consultation, the departments, the next forums, the
    # counters (forums by status and the four national coverage queries), then the themes.
    assert len(statements) == 10, statements


def forum_at(create_forum, day, department="13", status=ForumStatus.PUBLISHED, **fields):
    commune = {"13": "13001", "75": "75056", "2A": "2A004"}[department]
    cantons = {"13": ("1301",), "75": ("7501",), "2A": ("2A01",)}[department]
    return create_forum(status=status, starts_at=paris_time(2030, 3, day), department=department,
                        commune=commune, cantons=cantons, **fields)


def test_the_search_field_and_the_next_forums_come_before_anything_else(client, create_forum):
    forum_at(create_forum, 17, title="Forum d'Aix")
    text = page(client)

    # What a visitor sees on a phone's first screen, in this order: the title, the dates, the forum
    # search field itself, the next forums; then the rest (tests/e2e/test_home_on_a_phone.py measures it).
    order = ["<h1>", "Forums de sécurité du", 'id="commune-search-input"', 'id="next-forums-title"',
             "Forum d'Aix", 'id="department-chooser"', 'id="urgence"', 'id="national-counters"',
             'id="themes-title"']
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    before_search = text[text.index("<main"):text.index('id="commune-search-input"')]
    assert before_search.count("<p") == 1 and "<h2" not in before_search, "only the dates before the search"
    assert '<form method="get" action="/trouver-mon-forum" role="search"' in text
    assert "Trouver mon forum : votre commune ou votre code postal" in text


def test_next_forums_are_the_soonest_announced_ones_from_today(client, db, create_forum):
    forum_at(create_forum, 1, department="13", status=ForumStatus.DRAFT, title="Brouillon")
    forum_at(create_forum, 2, department="13", status=ForumStatus.CANCELLED, title="Annulé")
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Déjà tenu")
    for day in (20, 12, 15, 9, 30, 25):
        forum_at(create_forum, day, department="75" if day == 9 else "13", title=f"Forum du {day} mars")
    forum_at(create_forum, 10, status=ForumStatus.POSTPONED, title="Forum reporté")

    text = page(client)
    listed = text[text.index('id="next-forums-list"'):text.index('id="department-chooser"')]

    titles = [line for line in ("Forum du 9 mars", "Forum reporté", "Forum du 12 mars", "Forum du 15 mars",
                                "Forum du 20 mars") if line in listed]
    assert titles == ["Forum du 9 mars", "Forum reporté", "Forum du 12 mars", "Forum du 15 mars",
                      "Forum du 20 mars"]
    assert [listed.index(title) for title in titles] == sorted(listed.index(title) for title in titles)
    for absent in ("Brouillon", "Annulé", "Déjà tenu", "Forum du 25 mars", "Forum du 30 mars"):
        assert absent not in listed
    assert "samedi\xa09\xa0mars\xa02030, 18\xa0h\xa030 – Paris (75001), Paris (75)" in listed
    assert '<span class="fr-badge fr-badge--warning fr-badge--sm">Reporté</span>' in listed


def test_a_chosen_department_shows_its_own_next_forums_and_links(client, create_forum):
    forum_at(create_forum, 9, department="75", title="Forum de Paris")
    forum_at(create_forum, 12, department="13", title="Forum d'Aix")

    text = html.unescape(client.get("/?departement=13").get_data(as_text=True))
    national = page(client)

    assert "Prochains forums – Bouches-du-Rhône (13)" in text
    assert "Forum d'Aix" in text and "Forum de Paris" not in text
    assert '<option value="13" selected>13 – Bouches-du-Rhône</option>' in text
    assert 'href="/departements/13">Tous les forums du département</a>' in text
    assert 'href="/questions/poser?departement=13"' in text
    # The cached national page is not the department's one.
    assert "Forum de Paris" in national and "Tous les forums du département" not in national


def test_a_department_without_upcoming_forum_or_an_unknown_one_says_so(client, create_forum):
    forum_at(create_forum, 9, department="75", title="Forum de Paris")

    assert "Aucun forum à venir n'est annoncé pour l'instant dans ce département." in html.unescape(
        client.get("/?departement=2A").get_data(as_text=True))
    unknown = html.unescape(client.get("/?departement=99").get_data(as_text=True))
    assert "Ce département n'existe pas : voici les prochains forums dans toute la France." in unknown
    assert "Forum de Paris" in unknown


def test_the_home_page_links_the_national_calendar(client, consultation):
    text = page(client)

    assert 'href="webcal://localhost/calendrier.ics" id="national-calendar"' in text
    assert 'href="http://localhost/calendrier.ics" download' in text
