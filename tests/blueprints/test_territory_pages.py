"""Territorial back-office pages: each agent sees their own territory and nothing else."""
import re

import pytest

from forums.models import ForumStatus, Role


@pytest.fixture
def agent_for(create_agent):
    def make(kind):
        return {
            "ministry": lambda: create_agent(Role.MINISTRY),
            "admin": lambda: create_agent(Role.ADMIN),
            "prefecture13": lambda: create_agent(Role.PREFECTURE, department="13"),
            "moderator13": lambda: create_agent(Role.MODERATOR, department="13"),
            "subprefecture131": lambda: create_agent(Role.SUBPREFECTURE, arrondissement="131"),
            "prefecture75": lambda: create_agent(Role.PREFECTURE, department="75"),
        }[kind]()

    return make


@pytest.mark.parametrize("path", ["/prefecture/", "/prefecture/departements/13",
                                  "/prefecture/arrondissements/131", "/ministry/"])
def test_anonymous_visitors_are_sent_to_login(client, territories, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    "agent, path, status",
    [
        ("prefecture13", "/prefecture/departements/13", 200),
        ("prefecture13", "/prefecture/departements/75", 404),
        ("prefecture13", "/prefecture/arrondissements/132", 200),
        ("prefecture13", "/prefecture/arrondissements/751", 404),
        ("moderator13", "/prefecture/departements/13", 200),
        ("subprefecture131", "/prefecture/arrondissements/131", 200),
        ("subprefecture131", "/prefecture/arrondissements/132", 404),
        ("subprefecture131", "/prefecture/departements/13", 404),
        ("prefecture75", "/prefecture/departements/13", 404),
        ("ministry", "/prefecture/departements/75", 200),
        ("ministry", "/prefecture/departements/99", 404),
        ("ministry", "/ministry/", 200),
        ("admin", "/ministry/", 200),
        ("prefecture13", "/ministry/", 403),
        ("subprefecture131", "/ministry/", 403),
    ],
)
def test_scope_of_territory_pages(client, login, agent_for, agent, path, status):
    login(agent_for(agent))
    assert client.get(path).status_code == status


@pytest.mark.parametrize("agent, target", [("prefecture13", "/prefecture/departements/13"),
                                           ("moderator13", "/prefecture/departements/13"),
                                           ("subprefecture131", "/prefecture/arrondissements/131")])
def test_back_office_home_leads_to_own_territory(client, login, agent_for, agent, target):
    login(agent_for(agent))
    response = client.get("/prefecture/")
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_department_page_lists_cantons_with_every_arrondissement_they_touch(client, login, agent_for):
    login(agent_for("prefecture13"))
    page = client.get("/prefecture/departements/13").get_data(as_text=True)
    assert "Berre-l&#39;Étang" in page
    # Canton 1305 spans Aix-en-Provence and Arles: it is listed under both arrondissements.
    assert page.count("Berre-l&#39;Étang") == 2
    assert "Aix-en-Provence, Arles" in page


def test_department_without_cantons_says_so(client, login, agent_for):
    login(agent_for("ministry"))
    page = client.get("/prefecture/departements/972").get_data(as_text=True)
    assert "n'a pas de cantons" in page.replace("&#39;", "'")


def test_ministry_home_lists_regions_and_departments(client, login, agent_for):
    login(agent_for("ministry"))
    page = client.get("/ministry/").get_data(as_text=True)
    for label in ("Provence-Alpes-Côte d&#39;Azur", "13 – Bouches-du-Rhône", "2A – Corse-du-Sud", "972 – Martinique"):
        assert label in page


def test_the_canton_table_says_which_forum_covers_each_canton(db, client, login, agent_for, create_forum):
    covering = create_forum(cantons=("1301",), status=ForumStatus.PUBLISHED, title="Forum d'Aix")
    draft = create_forum(cantons=("1305",), title="Forum de Berre en préparation")
    create_forum(cantons=("1306",), status=ForumStatus.CANCELLED, title="Forum d'Arles annulé")
    login(agent_for("prefecture13"))

    for path in ("/prefecture/departements/13", "/prefecture/arrondissements/131"):
        page = " ".join(client.get(path).get_data(as_text=True).replace("&#39;", "'").split())
        rows = {code: row for code, row in re.findall(r"<tr> <td>(\d+)</td>(.*?)</tr>", page)}
        assert '<th scope="col">Couvert par</th>' in page
        assert f'<a href="/prefecture/forums/{covering.id}">Forum d\'Aix</a>' in rows["1301"]
        assert "Non couvert" not in rows["1301"]
        assert "Non couvert" in rows["1305"]
        assert f'<a href="/prefecture/forums/{draft.id}">Forum de Berre en préparation</a> (brouillon)' in rows["1305"]
        if "1306" in rows:
            assert "Non couvert" in rows["1306"] and "annulé" not in rows["1306"]
