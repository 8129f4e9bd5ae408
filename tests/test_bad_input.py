"""Input no database can store: a NUL byte anywhere is a French 400, HTML for pages and JSON for the API."""
import html

import pytest
from sqlalchemy.exc import DataError

from forums.models import Role

EXPLANATION = "La demande contient un caractère nul (%00)"

PAGES = [
    "/departements/13%00", "/departements/13%00/questions", "/departements/13%00/calendrier.ics",
    "/questions/13-000001%00", "/trouver-mon-forum?q=%00", "/trouver-mon-forum?commune=13001%00",
    "/questions/poser?departement=%00", "/questions/poser?forum=1%00", "/donnees-ouvertes?consultation=%00",
    "/departements/13/questions?q=vol%00", "/?x=%00", "/agenda?%00=1",
]
API = [
    "/api/v1/forums?consultation=%00", "/api/v1/forums?department=13%00", "/api/v1/questions?q=%00",
    "/api/v1/questions/13-000001%00", "/api/v1/departments/13%00/coverage", "/api/v1/forums?x%00=1",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_byte_in_a_page_address_is_a_french_400(client, db, territories, consultation, url):
    response = client.get(url)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert EXPLANATION in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("url", API)
def test_a_nul_byte_in_an_api_address_is_a_french_400_in_json(client, db, territories, consultation, url):
    response = client.get(url)

    assert response.status_code == 400
    assert response.json["error"]["status"] == 400
    assert response.json["error"]["message"].startswith(EXPLANATION)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_nul_byte_in_a_form_field_is_refused_before_anything_is_stored(client, db, territories, subtopics):
    subtopic = subtopics["1.A.1"]
    response = client.post("/questions/poser", data={
        "department_code": "13", "forum_id": "", "theme_id": str(subtopic.part.theme_id),
        "subtopic_id": str(subtopic.id), "charter_accepted": "y",
        "text": "Combien de caméras de vidéo-protection sont prévues\x00 dans notre quartier cette année ?",
    })

    assert response.status_code == 400
    assert EXPLANATION in html.unescape(response.get_data(as_text=True))


def test_agents_pages_refuse_a_nul_byte_too(client, db, territories, consultation, create_agent, login):
    login(create_agent(Role.PREFECTURE, department="13"))

    assert client.get("/prefecture/departements/13%00/synthese").status_code == 400
    assert client.post("/prefecture/departements/13%00/synthese/preparer").status_code == 400


def test_values_the_database_refuses_are_a_french_400(other_app, db):
    app = other_app()

    @app.get("/essai-valeur")
    def refused():
        # What psycopg raises for a value PostgreSQL cannot take (a number out of range, say).
        raise DataError("SELECT …", {}, ValueError("integer out of range"))

    response = app.test_client().get("/essai-valeur")

    assert response.status_code == 400
    assert "Une valeur envoyée ne peut pas être traitée" in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("url", ["/forums/2147483648", "/forums/99999999999999999999.ics",
                                 "/forums/9999999999/questions", "/api/v1/forums/99999999999999999999"])
def test_an_id_beyond_the_database_integers_names_nothing(client, db, consultation, url):
    response = client.get(url)

    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.json["error"]["status"] == 404
