"""Find my forum: search by commune name or postal code, then the forums of the chosen commune."""
import html
import re

import pytest

from forums.models import Arrondissement, Canton, CantonKind, Commune, ForumStatus
from forums.public_cache import clear_cache
from forums.services.territories import load_territories
from tests.services.test_commune_search import add_commune, add_department

PUBLISHED = ForumStatus.PUBLISHED


@pytest.fixture
def france(db, territories, consultation):
    """Add Marseille split across two cantons, communes sharing 13100, saints and homonyms."""
    db.session.add(Arrondissement(code="133", name="Marseille", department_code="13", capital_code="13055"))
    db.session.add(Canton(code="1398", name="Marseille", department_code="13", kind=CantonKind.PSEUDO,
                          capital_code="13055"))
    for code, name in (("1311", "Marseille-1"), ("1312", "Marseille-2")):
        db.session.add(Canton(code=code, name=name, department_code="13", kind=CantonKind.CANTON,
                              capital_code="13055"))
    db.session.flush()
    add_commune(db, "13055", "Marseille", "13", "13001 13002", population=870_000, arrondissement="133",
                canton="1398", cantons=["1311", "1312"])
    add_commune(db, "13109", "Le Tholonet", "13", "13100", population=2400, canton="1301", cantons=["1301"])
    add_commune(db, "13012", "Beaurecueil", "13", "13100", population=600, canton="1301", cantons=["1301"])
    add_department(db, "42", "Loire")
    add_department(db, "69", "Rhône")
    add_department(db, "32", "Gers", region_code="76", region_name="Occitanie")
    add_department(db, "65", "Hautes-Pyrénées", region_code="76")
    add_commune(db, "42218", "Saint-Étienne", "42", "42000 42100", population=171_000)
    # A commune of the Métropole de Lyon: no canton at all.
    add_commune(db, "69202", "Sainte-Foy-lès-Lyon", "69", "69110", population=22_000)
    add_commune(db, "32389", "Saint-Martin", "32", "32300", population=434)
    add_commune(db, "65392", "Saint-Martin", "65", "65360", population=436)
    db.session.commit()


def get(client, url, **params):
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200, response.status_code
    return response


def page(client, **params):
    return html.unescape(get(client, "/trouver-mon-forum", **params).get_data(as_text=True))


def choice_links(text):
    return re.findall(r'href="/trouver-mon-forum\?commune=([0-9AB]{5})"', text)


def test_empty_search_shows_the_form(client, france):
    text = page(client)

    assert '<form method="get" action="/trouver-mon-forum" role="search"' in text
    assert 'name="q"' in text
    assert "Votre commune ou votre code postal" in text
    assert "csrf_token" not in text
    assert '<script type="module" src="/static/js/commune-autocomplete.js">' in text
    assert "Aucune commune trouvée" not in text
    assert page(client, q="   ") == text


def test_a_shared_postal_code_asks_which_commune(client, france):
    text = page(client, q="13100")

    assert "Plusieurs communes ont le code postal 13100" in text
    assert choice_links(text) == ["13001", "13109", "13012"]
    assert "Le Tholonet</a>\n    – 13 – Bouches-du-Rhône, code postal 13100" in text
    assert "Aix-en-Provence</a>\n    – 13 – Bouches-du-Rhône, codes postaux 13080, 13090, 13100" in text


def test_a_postal_code_of_one_commune_shows_its_forums(client, france, create_forum):
    forum = create_forum(cantons=["1305"], status=PUBLISHED, title="Forum de Berre")

    for typed in ("13130", "13 130"):
        text = page(client, q=typed)
        assert 'id="commune-title">Berre-l\'Étang' in text
        assert "Berre-l'Étang fait partie du canton de Berre-l'Étang." in text
        assert forum.title in text
        assert f'href="/forums/{forum.id}"' in text


def test_a_split_commune_shows_every_forum_of_its_cantons(client, france, create_forum):
    first = create_forum(cantons=["1311"], commune="13055", status=PUBLISHED, title="Forum de Marseille-1")
    second = create_forum(cantons=["1312"], commune="13055", status=ForumStatus.POSTPONED,
                          title="Forum de Marseille-2")
    create_forum(cantons=["1301"], status=PUBLISHED, title="Forum d'Aix")

    for params in ({"commune": "13055"}, {"q": "marseille"}, {"q": "13002"}):
        text = page(client, **params)
        assert "Marseille est partagée entre les cantons de Marseille-1 et de Marseille-2" in text
        assert first.title in text and second.title in text
        assert "Forum d'Aix" not in text
        assert "Aucun forum n'est encore annoncé" not in text


def test_a_split_commune_names_the_cantons_still_without_forum(client, france, create_forum):
    create_forum(cantons=["1311"], commune="13055", status=PUBLISHED, title="Forum de Marseille-1")

    text = page(client, commune="13055")

    assert "Forum de Marseille-1" in text
    assert "Aucun forum n'est encore annoncé pour le canton de Marseille-2." in text


def test_corsica(client, france, create_forum):
    forum = create_forum(cantons=["2A01"], department="2A", commune="2A004", status=PUBLISHED,
                         title="Forum d'Ajaccio")

    for params in ({"q": "ajaccio"}, {"q": "20090"}, {"commune": "2A004"}):
        text = page(client, **params)
        assert 'id="commune-title">Ajaccio (20000) <span class="fr-text--lg fr-text--regular">(2A – Corse-du-Sud)' in text
        assert "Ajaccio fait partie du canton d’Ajaccio-1." in text
        assert forum.title in text


def test_an_overseas_commune_without_canton_finds_the_forum_covering_it(client, france, create_forum):
    forum = create_forum(cantons=[], communes=["97209"], department="972", commune="97209", status=PUBLISHED,
                         title="Forum de Fort-de-France")

    text = page(client, q="fort de france")

    assert "Fort-de-France n'est rattachée à aucun canton : voici les forums organisés pour la commune." in text
    assert forum.title in text


def test_a_canton_without_forum_says_so_and_shows_the_department(client, france, create_forum):
    aix = create_forum(cantons=["1301"], status=PUBLISHED, title="Forum d'Aix")
    arles = create_forum(cantons=["1306"], status=ForumStatus.CANCELLED, title="Forum d'Arles")
    create_forum(cantons=["2A01"], department="2A", commune="2A004", status=PUBLISHED, title="Forum corse")

    text = page(client, q="rognac")

    assert "Aucun forum n'est encore annoncé pour le canton de Berre-l'Étang." in text
    assert "Les forums du département : Bouches-du-Rhône" in text
    assert aix.title in text and arles.title in text
    assert "Forum corse" not in text
    assert 'href="/departements/13"' in text


def test_a_commune_without_canton_nor_forum_is_told_honestly(client, france):
    text = page(client, q="SAINTE FOY LES LYON")

    assert 'id="commune-title">Sainte-Foy-lès-Lyon' in text
    assert ("Sainte-Foy-lès-Lyon n'est rattachée à aucun canton et aucun forum n'est encore annoncé pour la "
            "commune elle-même") in text
    assert "Aucun forum n'est encore annoncé dans ce département." in text


def test_drafts_are_never_shown(client, france, create_forum):
    create_forum(cantons=["1301"], status=ForumStatus.DRAFT, title="Brouillon secret")
    create_forum(cantons=["1305"], status=ForumStatus.DRAFT, title="Autre brouillon")

    for params in ({"commune": "13001"}, {"commune": "13014"}, {"q": "13100"}):
        text = page(client, **params)
        assert "brouillon" not in text.lower()
    assert "Aucun forum n'est encore annoncé dans ce département." in page(client, commune="13001")


def test_saint_abbreviations_accents_and_case(client, france):
    for typed in ("st etienne", "ST-ETIENNE", "saint étienne"):
        assert 'id="commune-title">Saint-Étienne' in page(client, q=typed), typed
    assert 'id="commune-title">Sainte-Foy-lès-Lyon' in page(client, q="ste foy les lyon")


def test_homonyms_are_listed_with_their_department(client, france):
    text = page(client, q="st martin")

    assert "Plusieurs communes s'appellent « Saint-Martin » : choisissez la vôtre d'après son département." in text
    assert choice_links(text) == ["65392", "32389"]
    assert "Saint-Martin</a>\n    – 32 – Gers, code postal 32300" in text
    assert "Saint-Martin</a>\n    – 65 – Hautes-Pyrénées, code postal 65360" in text
    assert "commune-title" not in text


def test_a_unique_exact_name_is_shown_with_the_other_candidates(client, db, france):
    add_commune(db, "13094", "Saint-Étienne-du-Grès", "13", "13103", population=2300)
    db.session.commit()

    text = page(client, q="saint etienne")

    assert 'id="commune-title">Saint-Étienne (42000) <span' in text
    assert "Vous cherchiez une autre commune ?" in text
    assert choice_links(text) == ["13094"]


def test_many_candidates_ask_to_narrow_the_search(client, db, france):
    for number in range(25):
        add_commune(db, f"13{300 + number}", f"Village {number}", "13", f"13{300 + number}")
    db.session.commit()

    text = page(client, q="village")

    assert len(choice_links(text)) == 20
    assert "Précisez votre recherche" in text
    assert "Précisez votre recherche" not in page(client, q="village 2")


@pytest.mark.parametrize("typed", ["zzzz", "%", "_", "%_%", "😀", "قرية", "北京", "'; DROP TABLE communes; --",
                                   "<script>alert(1)</script>", "a" * 10_000, "é" * 10_000])
def test_any_search_string_answers_no_commune_found(client, db, france, typed):
    text = page(client, q=typed)

    assert "Aucune commune trouvée" in text
    assert choice_links(text) == []
    assert "<script>alert" not in get(client, "/trouver-mon-forum", q=typed).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Commune)) == 14


@pytest.mark.parametrize("code", ["99999", "abc", "", "2a004", "x" * 5_000, "13001'--"])
def test_an_unknown_commune_code_is_said_so(client, france, code):
    text = page(client, commune=code)

    assert "Commune inconnue" in text
    assert "commune-title" not in text


def test_without_current_consultation_the_page_says_so(client, db, territories):
    text = page(client, commune="13001")

    assert "Aucune consultation en cours" in text
    assert 'id="commune-title">Aix-en-Provence' in text
    assert "Les forums du département" not in text


def test_suggestions_are_json_and_capped(client, db, france):
    assert get(client, "/trouver-mon-forum/suggestions", q="aix").json == [
        {"code": "13001", "name": "Aix-en-Provence", "department": "13",
         "postal_codes": ["13080", "13090", "13100"]},
    ]
    assert [c["code"] for c in get(client, "/trouver-mon-forum/suggestions", q="13100").json] == [
        "13001", "13109", "13012"]
    assert get(client, "/trouver-mon-forum/suggestions").json == []
    assert get(client, "/trouver-mon-forum/suggestions", q="%" * 10_000).json == []

    for number in range(12):
        add_commune(db, f"13{300 + number}", f"Village {number}", "13")
    db.session.commit()
    assert len(get(client, "/trouver-mon-forum/suggestions", q="vil").json) == 10


@pytest.mark.parametrize("url", ["/trouver-mon-forum?q=13100", "/trouver-mon-forum?commune=13055",
                                 "/trouver-mon-forum", "/trouver-mon-forum/suggestions?q=mars"])
def test_pages_are_cacheable_and_set_no_cookie(client, france, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["ETag"]
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in response.headers
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert "Set-Cookie" not in again.headers


def test_a_commune_page_runs_a_fixed_number_of_queries(client, db, france, create_forum, count_queries):
    def query_count(url):
        clear_cache()
        with count_queries() as statements:
            get(client, url)
        return len(statements)

    create_forum(cantons=["1311"], commune="13055", status=PUBLISHED)
    few = query_count("/trouver-mon-forum?commune=13055")
    for canton in ("1311", "1312", "1312", "1301"):
        create_forum(cantons=[canton, "1306"], commune="13055", status=PUBLISHED, title=f"Forum {canton}")
    # Cache version, consultation, commune, its cantons, forums and their 8 eager loads.
    assert few == 13
    assert query_count("/trouver-mon-forum?commune=13055") == few

    empty = query_count("/trouver-mon-forum?commune=13014")
    create_forum(cantons=["1301"], status=PUBLISHED)
    assert query_count("/trouver-mon-forum?commune=13014") == empty


def test_real_territories(client, db, consultation):
    load_territories()
    db.session.commit()

    assert choice_links(page(client, q="13100"))[0] == "13001"
    marseille = page(client, q="marseille")
    assert 'id="commune-title">Marseille <span' in marseille
    assert 'id="commune-title">Saint-Étienne (42000) <span class="fr-text--lg fr-text--regular">(42 – Loire)' in page(
        client, q="st etienne")
    assert 'id="commune-title">Paris 1er Arrondissement (75001) <span' in page(client, q="75001")
