"""Paris, Lyon and Marseille on the real territories: coverage, find my forum, scheduling, names and postal codes.

The Bouches-du-Rhône, the Rhône and Paris are loaded from the packaged COG. Which cantons serve
each arrondissement of Marseille is not packaged yet (see scripts/cog-2025-supplement/README.md):
these tests give the 13th arrondissement a HYPOTHETICAL pair of cantons, to check the mechanism,
not the decree.
"""
import csv
import gzip
import html
import re
from datetime import timedelta

import pytest

from forums.models import Agent, Canton, Commune, Forum, ForumStatus, Role
from forums.services.coverage import department_coverage
from forums.services.territories import DEFAULT_DIRECTORY, load_territories

from ..conftest import PASSWORD, PASSWORD_HASH, paris_time
from .test_forum_pages import field_messages, form_data

DEPARTMENTS = {"13", "69", "75"}
#: Hypothetical: the 13th arrondissement of Marseille served by Marseille-8 and Marseille-9 only.
HYPOTHETICAL_TABLE = [("13213", "1319"), ("13213", "1320")]


@pytest.fixture
def big_cities(db, tmp_path):
    """Load the real Bouches-du-Rhône, Rhône and Paris, with the hypothetical Marseille table."""
    regions = set()
    with gzip.open(DEFAULT_DIRECTORY / "departments.csv.gz", "rt", encoding="utf-8", newline="") as stream:
        regions = {row["region_code"] for row in csv.DictReader(stream) if row["code"] in DEPARTMENTS}
    for name in ("regions", "departments", "arrondissements", "cantons", "communes"):
        column, wanted = ("code", regions) if name == "regions" else (
            "code" if name == "departments" else "department_code", DEPARTMENTS)
        with gzip.open(DEFAULT_DIRECTORY / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as source, \
                gzip.open(tmp_path / f"{name}.csv.gz", "wt", encoding="utf-8", newline="") as target:
            reader = csv.DictReader(source)
            writer = csv.DictWriter(target, reader.fieldnames)
            writer.writeheader()
            writer.writerows(row for row in reader if row[column] in wanted)
    with gzip.open(tmp_path / "arrondissement_cantons.csv.gz", "wt", encoding="utf-8", newline="") as target:
        target.write("commune_code,canton_code\n" + "".join(f"{a},{c}\n" for a, c in HYPOTHETICAL_TABLE))
    load_territories(tmp_path)
    db.session.commit()


@pytest.fixture
def forum(db, consultation):
    """Return a factory of published forums covering cantons and communes of a department."""

    def create(department, cantons=(), communes=(), title="Forum", commune=None, status=ForumStatus.PUBLISHED):
        venue = db.session.get(Commune, commune or (communes[0] if communes else None)
                               or db.session.get(Canton, cantons[0]).capital_code)
        starts_at = paris_time(2009, 4, 2)
        created = Forum(
            consultation=consultation, department_code=department, arrondissement_code=venue.arrondissement_code,
            title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), venue_name="Salle",
            address="1 place de la Mairie", commune_code=venue.code, accessibility="Plain-pied.",
            animator_name="Sous-préfet", status=status,
        )
        created.cantons = [db.session.get(Canton, code) for code in cantons]
        created.communes = [db.session.get(Commune, code) for code in communes]
        db.session.add(created)
        db.session.commit()
        return created

    return create


def page(client, url, **params):
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def log_in(db, client, department):
    agent = Agent(email=f"prefecture{department}@example.gouv.fr", full_name="Préfecture", role=Role.PREFECTURE,
                  department_code=department, password_hash=PASSWORD_HASH, is_active=True)
    db.session.add(agent)
    db.session.commit()
    client.post("/auth/login", data={"email": agent.email, "password": PASSWORD})


RHONE_CANTONS = [f"69{number:02d}" for number in range(1, 14)]


# --- coverage -------------------------------------------------------------------------------------

def test_the_rhone_is_not_covered_without_a_forum_in_the_metropole_de_lyon(db, big_cities, forum, consultation):
    forum("69", cantons=RHONE_CANTONS, title="Forums du Nouveau Rhône")

    coverage = department_coverage("69", consultation)

    # 13 cantons, the Métropole's 57 communes besides Lyon, and Lyon's 9 arrondissements.
    assert (coverage.unit_kind, coverage.total, coverage.covered_count) == ("mixte", 13 + 57 + 9, 13)
    assert not coverage.is_complete
    uncovered = {unit.code for _, units in coverage.uncovered_by_arrondissement for unit in units}
    assert {"69029", "69383"} <= uncovered and "69123" not in uncovered

    metropole = db.session.scalars(db.select(Commune.code).where(
        Commune.department_code == "69", Commune.is_coverage_unit)).all()
    forum("69", communes=metropole, title="Forums de la Métropole")
    assert department_coverage("69", consultation).is_complete


def test_paris_counts_its_20_arrondissements(db, big_cities, forum, consultation):
    forum("75", communes=["75113"], title="Forum du 13e")

    coverage = department_coverage("75", consultation)

    assert (coverage.unit_kind, coverage.total, coverage.covered_count) == ("commune", 20, 1)
    assert [unit.label for unit in coverage.covered] == ["Paris 13e Arrondissement (75013)"]
    # A forum for the whole of Paris, as scheduled before the arrondissements existed, covers all 20.
    forum("75", communes=["75056"], title="Forum de Paris")
    assert department_coverage("75", consultation).is_complete


def test_marseille_stays_covered_by_its_cantons(db, big_cities, consultation):
    coverage = department_coverage("13", consultation)

    assert (coverage.unit_kind, coverage.total) == ("canton", 29)


# --- find my forum --------------------------------------------------------------------------------

def test_75013_finds_the_13th_arrondissement_and_only_its_forums(db, client, big_cities, forum):
    forum("75", communes=["75113"], title="Forum du 13e arrondissement")
    forum("75", communes=["75114"], title="Forum du 14e arrondissement")

    text = page(client, "/trouver-mon-forum", q="75013")

    assert 'id="commune-title">Paris 13e Arrondissement (75013) <span' in text
    assert "Forum du 13e arrondissement" in text
    assert "Forum du 14e arrondissement" not in text
    assert "75113" not in re.sub(r'(href|value|id)="[^"]*"', "", text)


def test_69003_finds_the_3rd_arrondissement_of_lyon(db, client, big_cities, forum):
    forum("69", communes=["69383"], title="Forum de Lyon 3e")
    forum("69", communes=["69384"], title="Forum de Lyon 4e")

    text = page(client, "/trouver-mon-forum", q="69003")

    assert 'id="commune-title">Lyon 3e Arrondissement (69003) <span' in text
    assert "Aucun canton ne couvre Lyon : voici les forums organisés pour cet arrondissement." in text
    assert "Forum de Lyon 3e" in text and "Forum de Lyon 4e" not in text


def test_13013_finds_the_13th_arrondissement_of_marseille_and_only_the_cantons_serving_it(
        db, client, big_cities, forum):
    forum("13", cantons=["1319"], title="Forum de Marseille-8", commune="13213")
    forum("13", cantons=["1312"], title="Forum de Marseille-1", commune="13201")

    text = page(client, "/trouver-mon-forum", q="13013")

    assert 'id="commune-title">Marseille 13e Arrondissement (13013) <span' in text
    assert "est partagée entre les cantons de Marseille-8 et de Marseille-9" in text
    assert "Forum de Marseille-8" in text and "Forum de Marseille-1" not in text
    assert "Aucun forum n'est encore annoncé pour le canton de Marseille-9." in text
    assert "Marseille-10" not in text


def test_an_arrondissement_of_marseille_without_its_table_gets_the_city_forums_its_own_first(
        db, client, big_cities, forum):
    forum("13", cantons=["1312"], title="Forum de Marseille-1", commune="13201")
    forum("13", cantons=["1313"], title="Forum de Marseille-2 au 14e", commune="13214")

    text = re.sub(r"\s+", " ", page(client, "/trouver-mon-forum", q="13014"))

    assert 'id="commune-title">Marseille 14e Arrondissement (13014) <span' in text
    # No false claim that the 14th is split between all twelve cantons: it is not known canton by canton.
    assert "est partagée entre" not in text
    assert ("Les cantons de Marseille sont délimités rue par rue, sans suivre les arrondissements : voici les forums "
            "des cantons de Marseille, ceux qui se tiennent dans le 14e arrondissement en premier.") in text
    assert text.index("Forum de Marseille-2 au 14e") < text.index("Forum de Marseille-1")


def test_a_divided_city_asks_for_the_arrondissement(db, client, big_cities):
    text = page(client, "/trouver-mon-forum", q="paris")

    assert 'id="commune-title">Paris <span' in text
    choices = re.search(r'id="arrondissement-choices">(.*?)</ul>', text, re.S).group(1)
    labels = re.findall(r'>(Paris [^<]+)</a>', choices)
    assert len(labels) == 20
    assert labels[:3] == ["Paris 1er Arrondissement (75001)", "Paris 2e Arrondissement (75002)",
                          "Paris 3e Arrondissement (75003)"]
    assert labels[9] == "Paris 10e Arrondissement (75010)"


# --- scheduling -----------------------------------------------------------------------------------

def test_the_rhone_form_offers_cantons_and_the_communes_without_canton(db, client, big_cities, consultation):
    log_in(db, client, "69")

    text = page(client, "/prefecture/departements/69/forums/nouveau")

    assert "Cantons couverts" in text and "Communes sans canton couvertes" in text
    assert "Lyon : arrondissements municipaux" in text
    assert 'value="69383"' in text and "Lyon 3e Arrondissement (69003)" in text
    assert "Bron (69500)" in text
    # Villefranche-sur-Saône lies in a canton: it is a venue, not a unit; Lyon is chosen by arrondissement.
    assert 'id="commune_codes-69264"' not in text and 'id="commune_codes-69123"' not in text
    assert 'id="canton_codes-6913"' in text


def test_the_rhone_form_refuses_communes_of_cantons_next_to_the_field(db, client, big_cities, consultation):
    log_in(db, client, "69")

    response = client.post("/prefecture/departements/69/forums/nouveau", data=form_data(
        commune_code="69029", canton_codes=["6913"], commune_codes=["69264", "69123", "69029"]))

    text = html.unescape(response.get_data(as_text=True))
    assert field_messages(text, "commune_codes") == [
        "Lyon est divisée en arrondissements municipaux : cochez ceux que le forum couvre.",
        "Ces communes font partie d'un canton, cochez-le plutôt : Villefranche-sur-Saône (69400) : "
        "Villefranche-sur-Saône.",
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(Forum)) == 0


def test_a_rhone_forum_covers_a_canton_and_communes_of_the_metropole(db, client, big_cities, consultation):
    log_in(db, client, "69")

    response = client.post("/prefecture/departements/69/forums/nouveau", data=form_data(
        commune_code="69383", canton_codes=["6906"], commune_codes=["69029", "69383"]))

    assert response.status_code == 302
    created = db.session.scalar(db.select(Forum))
    assert [c.code for c in created.cantons] == ["6906"]
    assert sorted(c.code for c in created.communes) == ["69029", "69383"]
    shown = page(client, f"/prefecture/forums/{created.id}")
    assert "Cantons et communes couverts" in shown
    assert "Bron (69500)" in shown and "Lyon 3e Arrondissement (69003)" in shown
    assert "69029" not in re.sub(r'(href|value|id)="[^"]*"', "", shown)


def test_the_paris_form_offers_the_20_arrondissements(db, client, big_cities, consultation):
    log_in(db, client, "75")

    text = page(client, "/prefecture/departements/75/forums/nouveau")

    assert "Arrondissements municipaux couverts" in text
    assert 'name="canton_codes"' not in text
    units = re.findall(r'id="commune_codes-(\d+)"', text)
    assert units == [f"751{number:02d}" for number in range(1, 21)]
    # The venue is chosen by arrondissement too, with its postal code.
    assert '<option value="75116">Paris 16e Arrondissement (75016)</option>' in text
    assert '<option value="75056">' not in text


# --- natural order and postal codes ---------------------------------------------------------------

def test_cantons_and_communes_are_listed_in_natural_order(db, client, big_cities, consultation):
    log_in(db, client, "13")

    form = page(client, "/prefecture/departements/13/forums/nouveau")
    cantons = re.findall(r'for="canton_codes-\d+">([^<(]+) \(', form)
    assert cantons.index("Marseille-2") < cantons.index("Marseille-10") < cantons.index("Martigues")
    venues = re.findall(r'<option value="\d+">([^<]+)</option>', form)
    assert venues.index("Ensuès-la-Redonne (13820)") == venues.index("Éguilles (13510)") + 1
    assert venues.index("Éguilles (13510)") < venues.index("Eygalières (13810)") < venues.index("Fontvieille (13990)")

    coverage = page(client, "/prefecture/departements/13/forums")
    uncovered = re.findall(r"<li>(Marseille-\d+) <span", coverage)
    assert uncovered == [f"Marseille-{number}" for number in range(1, 13)]

    department = page(client, "/prefecture/departements/13")
    rows = re.findall(r"<td>(Marseille-\d+)", department)
    assert rows == [f"Marseille-{number}" for number in range(1, 13)]


def test_uncovered_communes_show_their_postal_code_not_their_insee_code(db, client, big_cities, consultation):
    log_in(db, client, "75")

    text = page(client, "/prefecture/departements/75/forums")

    assert "Paris 13e Arrondissement (75013)" in text
    assert "75113" not in re.sub(r'(href|value|id|for)="[^"]*"', "", text)
