"""Who may use each minutes route: the matrix of roles and territories over every route of the blueprint.

The forum lies in arrondissement 131 of the Bouches-du-Rhône. Its prefecture reads, records and
publishes; the sub-prefecture of 131 reads and records but does not publish, and does not see the
whole department; the ministry reads and follows; moderators and administrators may not (403);
an agent of another territory gets 404; anonymous visitors go to the login page. Refused requests
change nothing.
"""
import io
import re

import pytest
from flask import url_for

from forums.models import (
    AttachmentKind, AuditEvent, ForumStatus, Minutes, MinutesAttachment, MinutesVersion, Role,
)

from ..conftest import PASSWORD, new_client, paris_time
from ..test_file_types import pdf_bytes


def edit_data(world):
    return {"attendance_public": "42", "duration_minutes": "90", "save": "1"}


#: Every route of the blueprint: method, path (with the world's ids), form data, and the rule it falls under.
ROUTES = {
    "minutes.show": ("GET", "/comptes-rendus/forums/{forum}", None, "read"),
    "minutes.version": ("GET", "/comptes-rendus/forums/{forum}/versions/1", None, "read"),
    "minutes.download": ("GET", "/comptes-rendus/documents/{attachment}", None, "read"),
    "minutes.edit": ("GET", "/comptes-rendus/forums/{forum}/modifier", None, "record"),
    "minutes.edit:post": ("POST", "/comptes-rendus/forums/{forum}/modifier", edit_data, "record"),
    "minutes.upload": ("POST", "/comptes-rendus/forums/{forum}/documents",
                       lambda w: {"document": (io.BytesIO(pdf_bytes()), "cr.pdf"), "kind": "signed"}, "record"),
    "minutes.delete_document": ("POST", "/comptes-rendus/documents/{attachment}/supprimer", lambda w: {}, "record"),
    "minutes.publication": ("POST", "/comptes-rendus/forums/{forum}/publication", lambda w: {"publish": "1"},
                            "publish"),
    "minutes.department_followup": ("GET", "/comptes-rendus/departements/{code}", None, "follow"),
    "minutes.department_proposals_csv": ("GET", "/comptes-rendus/departements/{code}/propositions.csv", None,
                                         "follow"),
    "minutes.proposals_api": ("GET", "/comptes-rendus/departements/{code}/propositions.json", None, "follow"),
    "minutes.arrondissement_followup": ("GET", "/comptes-rendus/arrondissements/{arrondissement}", None,
                                        "follow_arrondissement"),
}

OK = "ok"
#: How each agent fares under each rule: OK is 200 for a page, 302 for a change.
MATRIX = {
    "prefecture13": {"read": OK, "record": OK, "publish": OK, "follow": OK, "follow_arrondissement": OK},
    "subprefecture131": {"read": OK, "record": OK, "publish": 403, "follow": 404, "follow_arrondissement": OK},
    "ministry": {"read": OK, "record": 403, "publish": 403, "follow": OK, "follow_arrondissement": OK},
    "moderator13": {"read": 403, "record": 403, "publish": 403, "follow": 403, "follow_arrondissement": 403},
    "admin": {"read": 403, "record": 403, "publish": 403, "follow": 403, "follow_arrondissement": 403},
    "subprefecture132": {"read": 404, "record": 404, "publish": 404, "follow": 404, "follow_arrondissement": 404},
    "prefecture75": {"read": 404, "record": 404, "publish": 404, "follow": 404, "follow_arrondissement": 404},
    "moderator75": {"read": 404, "record": 404, "publish": 404, "follow": 404, "follow_arrondissement": 404},
}

AGENTS = {
    "prefecture13": (Role.PREFECTURE, "13", None),
    "subprefecture131": (Role.SUBPREFECTURE, None, "131"),
    "ministry": (Role.MINISTRY, None, None),
    "moderator13": (Role.MODERATOR, "13", None),
    "admin": (Role.ADMIN, None, None),
    "subprefecture132": (Role.SUBPREFECTURE, None, "132"),
    "prefecture75": (Role.PREFECTURE, "75", None),
    "moderator75": (Role.MODERATOR, "75", None),
}


@pytest.fixture
def world(db, app, create_forum, subtopics):
    """Return the ids every route acts on: a held forum of arrondissement 131, its minutes and a document."""
    from werkzeug.datastructures import FileStorage

    from forums.file_storage import store_upload

    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    minutes = Minutes(forum=forum, department_code="13", consultation_id=forum.consultation_id, version_number=1,
                      attendance_public=30)
    minutes.versions = [MinutesVersion(number=1, snapshot={})]
    db.session.add(minutes)
    stored = store_upload(FileStorage(io.BytesIO(pdf_bytes()), filename="cr.pdf"),
                          app.config["UPLOAD_DIRECTORY"], 1024 * 1024)
    attachment = MinutesAttachment(minutes=minutes, kind=AttachmentKind.SIGNED, original_name="cr.pdf",
                                   storage_name=stored.storage_name, mime_type=stored.mime_type, size=stored.size,
                                   sha256=stored.sha256)
    db.session.add(attachment)
    db.session.commit()
    return {"forum": forum.id, "attachment": attachment.id, "code": "13", "arrondissement": "131"}


def call(client, endpoint, world, data=None):
    method, path, make_data, _ = ROUTES[endpoint]
    url = path.format(**world)
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data if data is not None else make_data(world), content_type="multipart/form-data")


def snapshot(db):
    db.session.expire_all()
    minutes = db.session.scalars(db.select(Minutes).order_by(Minutes.id)).all()
    return ([(m.id, m.version_number, m.attendance_public, m.summary_published) for m in minutes],
            db.session.scalars(db.select(MinutesAttachment.id).order_by(MinutesAttachment.id)).all(),
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)))


def test_every_route_of_the_blueprint_is_in_the_matrix(app):
    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("minutes."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                rules[rule.endpoint + (":post" if method == "POST" and "GET" in rule.methods else "")] = rule
    assert set(rules) == set(ROUTES), "a minutes route without an entry in the permission matrix"
    sample = {"forum": 7, "attachment": 8, "code": "13", "arrondissement": "131"}
    names = {"forum_id": "forum", "attachment_id": "attachment", "code": None, "number": None}
    with app.test_request_context():
        for endpoint, (_, path, _, _) in ROUTES.items():
            rule = rules[endpoint]
            arguments = {}
            for name in rule.arguments:
                if name == "number":
                    arguments[name] = 1
                elif name == "code":
                    arguments[name] = sample["arrondissement" if "arrondissement" in rule.endpoint else "code"]
                else:
                    arguments[name] = sample[names[name]]
            assert url_for(rule.endpoint, **arguments) == path.format(**sample), endpoint


@pytest.mark.parametrize("endpoint", ROUTES)
def test_anonymous_visitors_are_sent_to_login(db, client, world, endpoint):
    before = snapshot(db)

    response = call(client, endpoint, world)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", ROUTES)
@pytest.mark.parametrize("agent_name", MATRIX)
def test_permission_matrix(db, client, login, create_agent, world, agent_name, endpoint):
    role, department, arrondissement = AGENTS[agent_name]
    agent = create_agent(role, department=department, arrondissement=arrondissement)
    login(agent)
    before = snapshot(db)

    response = call(client, endpoint, world)

    expected = MATRIX[agent_name][ROUTES[endpoint][3]]
    if expected == OK:
        expected = 200 if ROUTES[endpoint][0] == "GET" else 302
    assert response.status_code == expected, response.get_data(as_text=True)[:3000]
    response.close()
    if expected == 302:
        assert snapshot(db) != before
        last = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.agent_id == agent.id
    else:
        assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if "{forum}" in ROUTES[e][1] or "{attachment}" in ROUTES[e][1]])
def test_unknown_objects_are_not_found(db, client, login, create_agent, world, endpoint):
    login(create_agent(Role.PREFECTURE, department="13"))

    assert call(client, endpoint, dict(world, forum=999_999, attachment=999_999)).status_code == 404


@pytest.mark.parametrize("path", ["/comptes-rendus/departements/99", "/comptes-rendus/arrondissements/999",
                                  "/comptes-rendus/departements/99/propositions.json"])
def test_unknown_territories_are_not_found(client, login, create_agent, world, path):
    login(create_agent(Role.MINISTRY))

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if ROUTES[e][0] == "POST"])
def test_a_forged_form_without_csrf_token_is_refused(db, app, other_app, create_agent, world, endpoint):
    protected = other_app(WTF_CSRF_ENABLED=True, UPLOAD_DIRECTORY=app.config["UPLOAD_DIRECTORY"])
    agent = create_agent(Role.PREFECTURE, department="13")
    browser = new_client(protected)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/auth/login").get_data(as_text=True))
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token.group(1)})
    before = snapshot(db)

    response = call(browser, endpoint, world)

    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # The same request with the page's token goes through: only the token was missing.
    page = browser.get(f"/comptes-rendus/forums/{world['forum']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = ROUTES[endpoint][2](world) | {"csrf_token": token}
    assert call(browser, endpoint, world, data=data).status_code == 302
