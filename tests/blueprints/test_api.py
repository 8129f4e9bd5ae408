"""Open data API: content, filters, pagination, CSV, errors, caching, and every answer held to the OpenAPI document."""
import csv
import io
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from forums.models import (
    Consultation, ForumDateChange, ForumStatus, Invitee, InviteeQuality, Role, Speaker, SpeakerKind,
)
from forums.public_cache import clear_cache
from forums.spreadsheets import read_cell

from ..conftest import paris_time

SPEC_URI = "urn:forums:openapi"


@pytest.fixture(scope="module")
def valid_documents():
    """Remember the documents already checked: checking one takes a fifth of a second."""
    return []


@pytest.fixture
def document(client, db, valid_documents):
    """Return the OpenAPI document the API serves, checked against the OpenAPI 3.1 specification."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    if response.json not in valid_documents:
        validate_spec(response.json)
        valid_documents.append(response.json)
    return response.json


def pointer(*parts):
    return "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def assert_conforms(document, template, response):
    """Check ``response`` against what the document declares for GET ``template``: body, type, headers."""
    operation = document["paths"][template]["get"]
    status = str(response.status_code)
    declared_at = ("paths", template, "get", "responses", status if status in operation["responses"] else "default")
    declared = operation["responses"][declared_at[-1]]
    if "$ref" in declared:
        declared_at = tuple(declared["$ref"].lstrip("#/").split("/"))
        declared = document["components"]["responses"][declared_at[-1]]
    if response.status_code == 304:
        assert "content" not in declared and response.get_data() == b""
        return
    assert response.mimetype in declared["content"], f"{response.mimetype} not declared for {template} {status}"
    for header, description in declared.get("headers", {}).items():
        if "$ref" in description:
            description = document["components"]["headers"][description["$ref"].rsplit("/", 1)[1]]
        if description.get("required"):
            assert header in response.headers, f"{header} missing from {template} {status}"
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(document, DRAFT202012))
    schema_pointer = pointer(*declared_at, "content", response.mimetype, "schema")
    validator = Draft202012Validator({"$ref": f"{SPEC_URI}#/{schema_pointer}"}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    body = response.json if response.mimetype == "application/json" else response.get_data(as_text=True)
    validator.validate(body)


def get(client, document, template, url, **kwargs):
    """Request ``url`` (an instance of ``template``), check the answer against the document, return it."""
    response = client.open(url, **kwargs)
    assert_conforms(document, template, response)
    return response


def csv_rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return [[read_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text[1:]), delimiter=";")]


def query_of(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def forums(db, create_forum, create_agent):
    """Forums of every status in Bouches-du-Rhône, one in Martinique, with speakers, a postponement, invitees."""
    author = create_agent(Role.PREFECTURE, department="13")
    published = create_forum(title="Forum d'Aix", starts_at=paris_time(2009, 3, 17), status=ForumStatus.PUBLISHED,
                             created_by=author, published_at=paris_time(2009, 3, 1, 10, 0), capacity=150)
    published.speakers = [Speaker(kind=SpeakerKind.POLICE, name="Commissaire Durand",
                                  function="Chef de circonscription")]
    published.invitees = [Invitee(full_name="Invitée Confidentielle", quality=InviteeQuality.ELECTED,
                                  email="invitee@example.fr")]
    postponed = create_forum(title="Forum de Berre", cantons=["1305"], commune="13014",
                             starts_at=paris_time(2009, 4, 2), status=ForumStatus.POSTPONED, sequence=1)
    postponed.date_changes = [ForumDateChange(
        previous_starts_at=paris_time(2009, 3, 24), previous_ends_at=paris_time(2009, 3, 24, 20, 30),
        starts_at=paris_time(2009, 4, 2), ends_at=paris_time(2009, 4, 2, 20, 30), reason="Salle indisponible",
    )]
    held = create_forum(title="Forum d'Arles", cantons=["1306"], commune="13004", starts_at=paris_time(2009, 3, 19),
                        status=ForumStatus.HELD)
    cancelled = create_forum(title="Forum annulé", starts_at=paris_time(2009, 3, 26), status=ForumStatus.CANCELLED,
                             cancellation_reason="Intempéries")
    martinique = create_forum(title="Forum de Fort-de-France", department="972", commune="97209", cantons=[],
                              communes=["97209"], starts_at=paris_time(2009, 4, 8), status=ForumStatus.PUBLISHED)
    draft = create_forum(title="Brouillon secret", starts_at=paris_time(2009, 3, 18))
    db.session.commit()
    return {"published": published, "postponed": postponed, "held": held, "cancelled": cancelled,
            "martinique": martinique, "draft": draft, "author": author}


# --- the document ---------------------------------------------------------------------------------

def test_document_is_valid_openapi_and_describes_every_api_route(app, document):
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
    }
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/"}]
    assert set(document["paths"]) == routes
    assert all(set(methods) == {"get"} for methods in document["paths"].values())
    assert "brouillons" in document["info"]["description"]


def test_document_conforms_to_itself(client, document):
    get(client, document, "/api/openapi.json", "/api/openapi.json")


# --- the list -------------------------------------------------------------------------------------

def test_list_shows_public_forums_in_date_order_with_every_field(client, document, forums):
    response = get(client, document, "/api/v1/forums", "/api/v1/forums")

    body = response.json
    assert [f["title"] for f in body["data"]] == [
        "Forum d'Aix", "Forum d'Arles", "Forum annulé", "Forum de Berre", "Forum de Fort-de-France",
    ]
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 5, "pages": 1}
    aix = body["data"][0]
    assert aix["id"] == forums["published"].id
    assert aix["url"] == f"http://localhost/forums/{aix['id']}"
    assert aix["starts_at"] == "2009-03-17T18:30:00+01:00"
    assert aix["timezone"] == "Europe/Paris"
    assert aix["venue"] == {"name": "Salle des fêtes", "address": "1 place de la Mairie", "postal_code": None,
                            "commune": {"code": "13001", "name": "Aix-en-Provence"}}
    assert aix["speakers"][0]["name"] == "Commissaire Durand"
    assert aix["capacity"] == 150
    by_title = {f["title"]: f for f in body["data"]}
    assert by_title["Forum annulé"]["cancellation_reason"] == "Intempéries"
    assert by_title["Forum de Berre"]["previous_dates"][0]["starts_at"] == "2009-03-24T18:30:00+01:00"
    assert by_title["Forum de Berre"]["starts_at"] == "2009-04-02T18:30:00+02:00"
    assert by_title["Forum de Fort-de-France"]["communes"] == [{"code": "97209", "name": "Fort-de-France"}]
    text = response.get_data(as_text=True)
    for secret in ("Brouillon secret", "Invitée Confidentielle", "invitee@example.fr", forums["author"].email,
                   "created_by", "invitees"):
        assert secret not in text


@pytest.mark.parametrize(("query", "expected"), [
    ("department=972", ["Forum de Fort-de-France"]),
    ("department=13&status=cancelled", ["Forum annulé"]),
    ("status=postponed", ["Forum de Berre"]),
    ("status=held", ["Forum d'Arles"]),
    ("status=published", ["Forum d'Aix", "Forum de Fort-de-France"]),
    ("from=2009-03-26", ["Forum annulé", "Forum de Berre", "Forum de Fort-de-France"]),
    ("to=2009-03-19", ["Forum d'Aix", "Forum d'Arles"]),
    ("from=2009-03-19&to=2009-03-26", ["Forum d'Arles", "Forum annulé"]),
    ("from=2009-03-17&to=2009-03-17", ["Forum d'Aix"]),
    ("consultation=2009&department=75", []),
    ("department=&status=", ["Forum d'Aix", "Forum d'Arles", "Forum annulé", "Forum de Berre",
                             "Forum de Fort-de-France"]),
])
def test_each_filter(client, document, forums, query, expected):
    response = get(client, document, "/api/v1/forums", f"/api/v1/forums?{query}")

    assert [f["title"] for f in response.json["data"]] == expected
    assert response.json["meta"]["total"] == len(expected)


def test_consultation_parameter_picks_another_consultation(client, document, db, create_forum, forums):
    older = Consultation(slug="2008-essai", name="Essai", meetings_start_on=date(2008, 1, 1),
                         meetings_end_on=date(2008, 2, 1), synthesis_due_on=date(2008, 3, 1))
    db.session.add(older)
    create_forum(title="Forum de 2008", consultation=older, status=ForumStatus.HELD,
                 starts_at=paris_time(2008, 1, 15))

    response = get(client, document, "/api/v1/forums", "/api/v1/forums?consultation=2008-essai")

    assert [f["title"] for f in response.json["data"]] == ["Forum de 2008"]
    assert "Forum de 2008" not in client.get("/api/v1/forums").get_data(as_text=True)


def test_pagination_links_keep_the_filters(client, document, forums):
    response = get(client, document, "/api/v1/forums", "/api/v1/forums?department=13&per_page=2&page=2")

    body = response.json
    assert [f["title"] for f in body["data"]] == ["Forum annulé", "Forum de Berre"]
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 4, "pages": 2}
    links = body["links"]
    assert links["next"] is None
    assert query_of(links["prev"]) == {"department": "13", "per_page": "2", "page": "1"}
    assert query_of(links["first"]) == query_of(links["prev"])
    assert query_of(links["self"])["page"] == "2" and query_of(links["last"])["page"] == "2"
    assert links["self"].startswith("http://localhost/api/v1/forums?")
    assert response.headers["Link"] == f'<{links["first"]}>; rel="first", <{links["last"]}>; rel="last", ' \
                                       f'<{links["prev"]}>; rel="prev"'

    first = client.get(links["first"]).json
    assert [f["title"] for f in first["data"]] == ["Forum d'Aix", "Forum d'Arles"]
    assert first["links"]["prev"] is None
    assert query_of(first["links"]["next"])["page"] == "2"


def test_a_page_past_the_last_is_empty_and_points_back(client, document, forums):
    response = get(client, document, "/api/v1/forums", "/api/v1/forums?per_page=2&page=40")

    assert response.json["data"] == []
    assert response.json["meta"]["pages"] == 3
    assert query_of(response.json["links"]["prev"])["page"] == "3"
    assert response.json["links"]["next"] is None


def test_an_empty_list_has_one_empty_page(client, document, consultation):
    body = get(client, document, "/api/v1/forums", "/api/v1/forums").json

    assert body["data"] == [] and body["meta"]["pages"] == 1 and body["meta"]["total"] == 0


# --- one forum, coverage --------------------------------------------------------------------------

def test_one_forum(client, document, forums):
    forum = forums["postponed"]

    response = get(client, document, "/api/v1/forums/{forum_id}", f"/api/v1/forums/{forum.id}")

    assert response.json["title"] == "Forum de Berre"
    assert response.json["status"] == "postponed"
    assert response.json["venue"]["postal_code"] == "13130"
    assert response.json["ical_url"] == f"http://localhost/forums/{forum.id}.ics"


@pytest.mark.parametrize("which", ["draft", "unknown"])
def test_draft_and_unknown_forums_are_404_json(client, document, forums, which):
    forum_id = forums["draft"].id if which == "draft" else 999_999

    response = get(client, document, "/api/v1/forums/{forum_id}", f"/api/v1/forums/{forum_id}")

    assert response.status_code == 404
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["message"] == "Aucun forum public ne porte ce numéro."
    assert "Brouillon secret" not in response.get_data(as_text=True)


def test_department_coverage(client, document, forums):
    response = get(client, document, "/api/v1/departments/{code}/coverage", "/api/v1/departments/13/coverage")

    body = response.json
    # The cancelled forum covers nothing, the draft neither: 1301, 1305, 1306 by the others.
    assert (body["unit"], body["total"], body["covered"], body["percentage"], body["complete"]) == \
           ("canton", 3, 3, 100.0, True)
    assert body["uncovered"] == []
    assert body["department"] == {"code": "13", "name": "Bouches-du-Rhône"}


def test_coverage_of_a_department_without_cantons_and_of_an_uncovered_one(client, document, forums):
    martinique = get(client, document, "/api/v1/departments/{code}/coverage",
                     "/api/v1/departments/972/coverage").json
    corsica = get(client, document, "/api/v1/departments/{code}/coverage", "/api/v1/departments/2a/coverage").json

    assert martinique["unit"] == "commune"
    assert martinique["covered_units"] == [{"code": "97209", "name": "Fort-de-France", "kind": "commune"}]
    assert corsica["department"]["code"] == "2A"
    assert corsica["uncovered"] == [{"arrondissement": "2A1", "units": [{"code": "2A01", "name": "Ajaccio-1", "kind": "canton"}]}]
    assert corsica["percentage"] == 0.0 and corsica["complete"] is False


@pytest.mark.parametrize("code", ["99", "ZZZ", "x" * 300])
def test_unknown_department_coverage_is_404_json(client, document, forums, code):
    response = get(client, document, "/api/v1/departments/{code}/coverage", f"/api/v1/departments/{code}/coverage")

    assert response.status_code == 404
    assert response.json["error"]["message"] == "Aucun département ne porte ce code."


# --- CSV ------------------------------------------------------------------------------------------

def test_forums_csv(client, document, db, forums):
    forums["held"].title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()

    response = get(client, document, "/api/v1/forums.csv", "/api/v1/forums.csv?department=13")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="forums-2009.csv"'
    raw = response.get_data(as_text=True)
    assert "'=HYPERLINK" in raw  # a spreadsheet shows the formula as text
    rows = csv_rows(response)
    header, lines = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[:5] == ["id", "url", "ical_url", "title", "status"]
    assert [line["title"] for line in lines] == ["Forum d'Aix", "=HYPERLINK(\"http://evil\")", "Forum annulé",
                                                 "Forum de Berre"]
    assert lines[0]["speakers"] == "Commissaire Durand (Chef de circonscription, Police nationale)"
    assert lines[2]["cancellation_reason"] == "Intempéries"
    assert lines[3]["starts_at"] == "2009-04-02T18:30:00+02:00"
    for secret in ("Brouillon secret", "Invitée Confidentielle", "invitee@example.fr", forums["author"].email):
        assert secret not in raw


def test_forums_csv_takes_the_same_filters_but_no_pagination(client, document, forums):
    held = csv_rows(get(client, document, "/api/v1/forums.csv", "/api/v1/forums.csv?status=held&from=2009-03-19"))
    refused = get(client, document, "/api/v1/forums.csv", "/api/v1/forums.csv?page=2")

    assert [row[3] for row in held[1:]] == ["Forum d'Arles"]
    assert refused.status_code == 400 and refused.json["error"]["parameter"] == "page"


def test_coverage_csv(client, document, forums):
    response = get(client, document, "/api/v1/departments/coverage.csv", "/api/v1/departments/coverage.csv")

    rows = csv_rows(response)
    assert rows[0][:2] == ["department_code", "department_name"]
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(by_code) == ["13", "2A", "75", "972"]
    assert (by_code["13"]["covered"], by_code["13"]["complete"]) == ("3", "oui")
    assert (by_code["972"]["unit"], by_code["972"]["percentage"]) == ("commune", "100.0")
    assert (by_code["75"]["covered"], by_code["75"]["uncovered"], by_code["75"]["complete"]) == ("0", "1", "non")
    assert response.headers["Content-Disposition"] == 'attachment; filename="couverture-2009.csv"'


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "parameter"), [
    ("page=0", "page"),
    ("page=x", "page"),
    ("page=-1", "page"),
    ("page=" + "9" * 5000, "page"),
    ("per_page=0", "per_page"),
    ("per_page=1000", "per_page"),
    ("per_page=2.5", "per_page"),
    ("from=2009-13-01", "from"),
    ("from=20090317", "from"),
    ("to=hier", "to"),
    ("from=2009-03-20&to=2009-03-19", "to"),
    # "format: date" admits no empty string, unlike the other parameters, which are ignored when empty.
    ("to=", "to"),
    ("from=&status=held", "from"),
    ("from=%202009-03-17", "from"),
    ("status=draft", "status"),
    ("status=unknown", "status"),
    ("department=ZZZ", "department"),
    ("department=99", "department"),
    ("departement=13", "departement"),
    ("status=held&status=cancelled", "status"),
])
def test_malformed_parameters_are_400_json_naming_them(client, document, forums, query, parameter):
    response = get(client, document, "/api/v1/forums", f"/api/v1/forums?{query}")

    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert (error["status"], error["title"], error["parameter"]) == (400, "Requête incorrecte", parameter)
    assert parameter in error["message"]


def test_drafts_are_refused_with_an_explanation(client, document, forums):
    error = get(client, document, "/api/v1/forums", "/api/v1/forums?status=draft").json["error"]

    assert error["message"].startswith("Les brouillons ne sont pas publics")


@pytest.mark.parametrize(("template", "url", "parameter"), [
    ("/api/v1/forums/{forum_id}", "/api/v1/forums/{id}?page=2", "page"),
    ("/api/v1/departments/{code}/coverage", "/api/v1/departments/13/coverage?department=13", "department"),
    ("/api/v1/departments/coverage.csv", "/api/v1/departments/coverage.csv?format=xlsx", "format"),
    ("/api/openapi.json", "/api/openapi.json?v=2", "v"),
])
def test_every_endpoint_refuses_unknown_parameters(client, document, forums, template, url, parameter):
    response = get(client, document, template, url.format(id=forums["held"].id))

    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter


@pytest.mark.parametrize(("template", "url"), [
    ("/api/v1/forums", "/api/v1/forums?consultation=1999"),
    ("/api/v1/forums.csv", "/api/v1/forums.csv?consultation=1999"),
    ("/api/v1/departments/{code}/coverage", "/api/v1/departments/13/coverage?consultation=1999"),
])
def test_unknown_consultation_is_404_json_naming_it(client, document, forums, template, url):
    response = get(client, document, template, url)

    assert response.status_code == 404
    assert response.json["error"]["parameter"] == "consultation"


def test_without_a_current_consultation_lists_are_404_json(client, document, db, forums):
    db.session.execute(db.update(Consultation).values(is_current=False))
    db.session.commit()

    response = get(client, document, "/api/v1/forums", "/api/v1/forums")

    assert response.status_code == 404
    assert response.json["error"]["message"] == "Aucune consultation n'est ouverte en ce moment."


def test_other_errors_under_api_are_json(client, document, other_app, consultation):
    unknown = client.get("/api/v1/nothing-here")
    not_allowed = get(client, document, "/api/v1/forums", "/api/v1/forums", method="POST")

    assert unknown.status_code == 404 and unknown.json["error"]["status"] == 404
    assert not_allowed.status_code == 405 and not_allowed.json["error"]["status"] == 405
    assert "GET" in not_allowed.headers["Allow"]

    failing = other_app(PROPAGATE_EXCEPTIONS=False)

    @failing.get("/api/v1/boom")
    def boom():
        raise RuntimeError("boom")

    crashed = failing.test_client().get("/api/v1/boom")
    assert crashed.status_code == 500 and crashed.json["error"]["title"] == "Erreur inattendue"


# --- HTTP: CORS, caching, cookies, query count ----------------------------------------------------

@pytest.mark.parametrize("url", [
    "/api/v1/forums", "/api/v1/forums.csv", "/api/v1/departments/13/coverage", "/api/v1/departments/coverage.csv",
    "/api/openapi.json", "/api/v1/forums?page=0",
])
def test_answers_are_open_to_every_origin_and_set_no_cookie(client, forums, url):
    response = client.get(url, headers={"Origin": "https://reutilisateur.example.org"})

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", [
    "/api/v1/forums?per_page=2", "/api/v1/forums.csv", "/api/v1/forums/{id}", "/api/v1/departments/13/coverage",
    "/api/v1/departments/coverage.csv", "/api/openapi.json",
])
def test_conditional_requests_get_304(client, forums, url):
    url = url.format(id=forums["held"].id)
    first = client.get(url)

    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in again.headers


def test_cached_list_keeps_its_link_header_and_changes_when_a_forum_is_published(client, db, forums):
    first = client.get("/api/v1/forums?per_page=2")
    cached = client.get("/api/v1/forums?per_page=2")
    forums["draft"].status = ForumStatus.PUBLISHED
    db.session.commit()
    after = client.get("/api/v1/forums?per_page=2")

    assert cached.headers["Link"] == first.headers["Link"]
    assert cached.headers["ETag"] == first.headers["ETag"]
    assert after.headers["ETag"] != first.headers["ETag"]
    assert after.json["meta"]["total"] == 6


def test_list_runs_a_fixed_number_of_queries(client, db, create_forum, consultation, count_queries):
    def query_count():
        clear_cache()
        with count_queries() as statements:
            assert client.get("/api/v1/forums?department=13&per_page=100").status_code == 200
        return len(statements)

    def add_forums(count):
        for n in range(count):
            forum = create_forum(cantons=["1301", "1305"], status=ForumStatus.PUBLISHED, title=f"Forum {n}")
            forum.speakers = [Speaker(kind=SpeakerKind.GENDARMERIE, name=f"Intervenant {n}")]
            forum.date_changes = [ForumDateChange(
                previous_starts_at=paris_time(2009, 3, 16), previous_ends_at=paris_time(2009, 3, 16, 20),
                starts_at=forum.starts_at, ends_at=forum.ends_at,
            )]
        db.session.commit()

    add_forums(3)
    few = query_count()
    add_forums(27)
    assert query_count() == few
    # Publication version, consultation, department check, count, forums, and one per eager load.
    assert few == 13


def test_agents_see_no_drafts_either_and_their_answers_are_not_shared(client, document, forums, login):
    login(forums["author"])

    response = get(client, document, "/api/v1/forums", "/api/v1/forums?department=13")
    draft = get(client, document, "/api/v1/forums/{forum_id}", f"/api/v1/forums/{forums['draft'].id}")

    assert "Brouillon secret" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert draft.status_code == 404
