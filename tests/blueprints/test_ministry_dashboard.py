"""The ministry's dashboard: who gets in, the table and its sorting, the region filter, the CSV export, the map."""
import csv
import gzip
import html
import io
import re

import pytest

from forums.blueprints.ministry.dashboard import TILE_POSITIONS, map_tiles
from forums.blueprints.ministry.synthesis_forms import SORT_COLUMNS
from forums.models import Department, ForumStatus, Region, Role
from forums.services.dashboard import dashboard_rows
from forums.services.territories import DEFAULT_DIRECTORY

from ..conftest import paris_time
from ..services.synthesis_data import build_country

ROUTES = ["/ministry/tableau-de-bord", "/ministry/tableau-de-bord.csv"]


@pytest.fixture
def ministry(create_agent, login):
    agent = create_agent(Role.MINISTRY)
    login(agent)
    return agent


@pytest.fixture
def country(db, consultation, create_forum, create_question, subtopics, create_agent):
    """13: the fixture department, draft synthesis; 75: submitted late; 972: reopened; 2A: nothing."""
    return build_country(consultation, create_forum, create_question, subtopics, create_agent(Role.PREFECTURE, department="13"),
                         create_agent(Role.MINISTRY))


def page_text(response):
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def table_order(response):
    """Return the department codes of the table's rows, in order."""
    return re.findall(r'<tr id="departement-(\w+)">', response.get_data(as_text=True))


def table_row(page, code):
    return re.search(rf'<tr id="departement-{code}">(.*?)</tr>', page, re.S).group(1)


def map_links(page):
    """Return {department code: (href, title)} of the map's tiles that are links."""
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="carte-france".*?</svg>', page, re.S).group(0)
    return {code: (href, title) for href, code, title in re.findall(
        r'<a href="([^"]*)" class="carte-france__lien" data-departement="(\w+)">\s*<title>([^<]*)</title>', svg)}


def parse_csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


# --- who gets in ----------------------------------------------------------------------------------

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


def test_administrators_see_the_dashboard_without_links_to_the_syntheses(client, login, create_agent, country):
    login(create_agent(Role.ADMIN))
    page = page_text(client.get("/ministry/tableau-de-bord"))
    assert client.get("/ministry/tableau-de-bord.csv").status_code == 200
    # They may not read the syntheses: the tiles lead to the table's rows instead.
    assert "/departements/13/synthese" not in page
    assert map_links(page)["13"][0] == "#departement-13"


def test_home_links_to_the_dashboard(client, ministry):
    assert 'href="/ministry/tableau-de-bord"' in client.get("/ministry/").get_data(as_text=True)


def test_without_a_consultation_the_page_says_so(client, ministry, territories):
    assert "Aucune consultation n'est ouverte" in page_text(client.get("/ministry/tableau-de-bord"))
    assert client.get("/ministry/tableau-de-bord.csv").status_code == 404


# --- the table ------------------------------------------------------------------------------------

def test_table_shows_each_department_and_the_totals(client, ministry, country, consultation):
    page = page_text(client.get("/ministry/tableau-de-bord"))

    assert table_order(client.get("/ministry/tableau-de-bord")) == ["13", "2A", "75", "972"]
    bouches = table_row(page, "13")
    assert re.findall(r"<td>(\d+)</td>", bouches) == ["5", "4", "3", "3", "1"]
    assert "66,7\u202f% (2 cantons sur 3)" in bouches
    assert '<a href="/ministry/departements/13/synthese">13 – Bouches-du-Rhône</a>' in bouches
    assert "Projet" in bouches and "Date limite dépassée" in bouches
    paris = table_row(page, "75")
    assert "Transmise en retard" in paris and "25/05/2009" in paris and "Date limite dépassée" not in paris
    assert "Rouverte" in table_row(page, "972")
    assert "Non commencée" in table_row(page, "2A")
    footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    assert "Total national" in footer
    assert re.findall(r"<td>(\d+)</td>", footer) == ["7", "6", "5", "4", "1"]
    assert "66,7\u202f% (4 sur 6)" in footer
    assert "1 transmise sur 4 — non commencée : 1, projet : 1, transmise en retard : 1, rouverte : 1" in footer


@pytest.mark.parametrize("query, expected", [
    ("", ["13", "2A", "75", "972"]),
    ("ordre=decroissant", ["972", "75", "2A", "13"]),
    ("tri=moderation&ordre=decroissant", ["13", "75", "2A", "972"]),
    ("tri=prevus", ["2A", "75", "972", "13"]),
    ("tri=synthese", ["2A", "13", "972", "75"]),
    ("tri=transmission", ["972", "75", "13", "2A"]),
    ("tri=nom", ["13", "2A", "972", "75"]),
    ("tri=couverture", ["2A", "13", "75", "972"]),
    # Accents folded: Île-de-France between Corse and Martinique.
    ("tri=region", ["2A", "75", "972", "13"]),
])
def test_table_is_sorted(client, ministry, country, query, expected):
    assert table_order(client.get(f"/ministry/tableau-de-bord?{query}")) == expected


@pytest.mark.parametrize("column", list(SORT_COLUMNS))
def test_every_column_sorts_both_ways(client, ministry, country, column):
    ascending = table_order(client.get(f"/ministry/tableau-de-bord?tri={column}"))
    descending = table_order(client.get(f"/ministry/tableau-de-bord?tri={column}&ordre=decroissant"))
    assert sorted(ascending) == sorted(descending) == ["13", "2A", "75", "972"]


def test_column_headers_link_to_their_sort_and_turn_the_current_one_round(client, ministry, country):
    page = client.get("/ministry/tableau-de-bord?region=93&tri=tenus").get_data(as_text=True)

    headers = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    links = re.findall(r'<a class="fr-btn--sort fr-btn fr-btn--sm[^"]*" href="([^"]+)">', headers)
    assert len(links) == 10
    assert "/ministry/tableau-de-bord?consultation=2009&amp;region=93&amp;tri=prevus#tableau" in links
    # The current column is marked for assistive technologies, and its link gives the other order.
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<div class="fr-cell--sort">\s*'
                     r'<span class="fr-cell__title">Forums tenus</span>', headers)
    assert "/ministry/tableau-de-bord?consultation=2009&amp;region=93&amp;tri=tenus&amp;ordre=decroissant#tableau" \
        in links
    descending = client.get("/ministry/tableau-de-bord?tri=tenus&ordre=decroissant").get_data(as_text=True)
    assert 'aria-sort="descending"' in descending
    assert 'href="/ministry/tableau-de-bord?consultation=2009&amp;tri=tenus#tableau"' in descending


def test_region_filter(client, ministry, country):
    response = client.get("/ministry/tableau-de-bord?region=93")
    page = page_text(response)

    assert table_order(response) == ["13"]
    assert "Total de la région" in page
    # The map keeps the whole country: the other departments are drawn, without a link.
    assert list(map_links(page)) == ["13"]
    assert 'href="/ministry/tableau-de-bord.csv?consultation=2009&amp;region=93"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("tri=population", "Tri inconnu : « population » (colonnes possibles : departement, nom, region"),
    ("tri=synthese%27%3B", "Tri inconnu"),
    ("ordre=aleatoire", "Ordre inconnu : « aleatoire » (croissant ou decroissant)"),
    ("region=99", "Région inconnue : « 99 »"),
    ("consultation=1789", "Consultation inconnue : « 1789 »"),
])
def test_bad_parameters_get_a_400_that_says_why(client, ministry, consultation, territories, query, message):
    for path in ROUTES:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert message in html.unescape(response.get_data(as_text=True)), path


def test_empty_parameters_from_the_form_mean_the_defaults(client, ministry, country):
    response = client.get("/ministry/tableau-de-bord?consultation=&region=&tri=&ordre=")
    assert table_order(response) == ["13", "2A", "75", "972"]


def test_page_runs_a_fixed_number_of_queries(client, ministry, country, create_forum, create_question, db,
                                             count_queries):
    def count():
        with count_queries() as statements:
            response = client.get("/ministry/tableau-de-bord")
        assert response.status_code == 200
        return len(statements)

    few = count()
    for number in range(6):
        create_forum(cantons=["2A01"], department="2A", status=ForumStatus.HELD, commune="2A004",
                     starts_at=paris_time(2009, 4, 1 + number))
        create_question(f"Question en attente n° {number}", department="2A")
    db.session.add(Region(code="84", name="Auvergne-Rhône-Alpes", is_metropolitan=True))
    db.session.add(Department(code="69", name="Rhône", full_name="Département du Rhône", region_code="84",
                              is_metropolitan=True, capital_code="69123", capital_name="Lyon"))
    db.session.commit()
    many = count()

    # The login's agent, the consultations, the regions, then the ten of the dashboard's rows.
    assert few == many == 13


# --- the CSV export -------------------------------------------------------------------------------

def test_csv_export_has_the_rows_and_totals_in_the_page_order(client, ministry, country):
    response = client.get("/ministry/tableau-de-bord.csv?tri=moderation&ordre=decroissant")
    rows = parse_csv(response)

    assert response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="tableau-de-bord-2009-\d{4}-\d{2}-\d{2}\.csv"',
                        response.headers["Content-Disposition"])
    assert [row["département (code)"] for row in rows] == ["13", "75", "2A", "972", ""]
    bouches = rows[0]
    assert (bouches["département (nom)"], bouches["forums prévus"], bouches["forums publiés"],
            bouches["forums tenus"], bouches["forums annulés"]) == ("Bouches-du-Rhône", "5", "4", "3", "1")
    assert (bouches["unité de couverture"], bouches["unités à couvrir"], bouches["unités couvertes"],
            bouches["couverture (%)"]) == ("canton", "3", "2", "66,7")
    assert (bouches["questions en attente de modération"], bouches["forums tenus sans compte-rendu"],
            bouches["synthèse (état)"]) == ("3", "1", "Projet")
    assert (rows[1]["synthèse (état)"], rows[1]["synthèse transmise le"]) == ("Transmise en retard", "25/05/2009")
    total = rows[-1]
    assert (total["région"], total["département (nom)"], total["forums prévus"], total["unités couvertes"],
            total["synthèse (état)"]) == ("Total", "4 départements", "7", "4", "1 transmise sur 4")


def test_csv_export_is_filtered_by_region(client, ministry, country):
    rows = parse_csv(client.get("/ministry/tableau-de-bord.csv?region=11"))
    assert [(row["département (code)"], row["forums tenus"]) for row in rows] == [("75", "1"), ("", "1")]


def test_csv_cells_never_run_as_formulas(client, ministry, consultation, territories, db):
    db.session.add(Region(code="99", name="=HYPERLINK(\"http://example.com\")", is_metropolitan=True))
    db.session.add(Department(code="98", name="+SOMME(A1:A2)", full_name="Département piégé", region_code="99",
                              is_metropolitan=True, capital_code="98001", capital_name="Piège"))
    db.session.commit()

    text = client.get("/ministry/tableau-de-bord.csv?region=99").get_data(as_text=True)

    assert "'=HYPERLINK" in text and "'+SOMME(A1:A2)" in text
    assert ";=" not in text and ";+" not in text


# --- the map --------------------------------------------------------------------------------------

def test_map_has_one_linked_tile_per_department_with_its_status(client, ministry, country):
    page = page_text(client.get("/ministry/tableau-de-bord"))
    links = map_links(page)

    assert sorted(links) == ["13", "2A", "75", "972"]
    assert links["13"][0] == "/ministry/departements/13/synthese"
    assert links["13"][1].startswith("13 – Bouches-du-Rhône : synthèse « Projet », date limite dépassée ; "
                                     "4 forums publiés, 3 tenus, couverture 66,7\u202f%")
    assert links["75"][1].startswith("75 – Paris : synthèse « Transmise en retard » ;")
    # Colour, pattern and a letter: the status reads without colours.
    tile = re.search(r'data-departement="972">(.*?)</a>', page, re.S).group(1)
    assert 'fill="#fee9e6"' in tile and 'fill="url(#carte-motif-rouverte)"' in tile and ">R!</text>" in tile
    assert 'id="carte-motif-rouverte"' in page
    legend = re.search(r'<ul class="carte-france__legende[^>]*>(.*?)</ul>', page, re.S).group(1)
    for text in ("<strong>NC</strong> — Non commencée : 1 département", "<strong>P</strong> — Projet : 1 département",
                 "<strong>T</strong> — Transmise : 0 département",
                 "<strong>TR</strong> — Transmise en retard : 1 département",
                 "<strong>R</strong> — Rouverte : 1 département"):
        assert text in legend
    # The same data is in the table, which the map's introduction points to.
    assert '<a href="#tableau">tableau ci-dessous</a>' in page


def test_map_keeps_the_consultation_in_its_links(client, ministry, country, consultation, db):
    consultation.is_current = False
    db.session.commit()
    links = map_links(page_text(client.get("/ministry/tableau-de-bord?consultation=2009")))
    assert links["13"][0] == "/ministry/departements/13/synthese?consultation=2009"


def test_grid_places_exactly_the_departments_of_the_official_code():
    with gzip.open(DEFAULT_DIRECTORY / "departments.csv.gz", "rt", encoding="utf-8", newline="") as stream:
        codes = {row["code"] for row in csv.DictReader(stream)}
    assert len(codes) == 101
    assert set(TILE_POSITIONS) == codes
    # No two departments share a tile.
    assert len(set(TILE_POSITIONS.values())) == 101


def test_a_department_the_grid_lacks_still_gets_a_tile(db, consultation, territories):
    db.session.add(Department(code="977", name="Saint-Barthélemy", full_name="Saint-Barthélemy", region_code="02",
                              is_metropolitan=False, capital_code="97701", capital_name="Gustavia"))
    db.session.commit()
    tiles = {tile.code: tile for tile in map_tiles(dashboard_rows(consultation))}

    assert len(tiles) == 102
    assert (tiles["977"].column, tiles["977"].row) == (5, 13)
    assert tiles["977"].data.name == "Saint-Barthélemy"
    assert tiles["01"].data is None and tiles["13"].data.code == "13"
