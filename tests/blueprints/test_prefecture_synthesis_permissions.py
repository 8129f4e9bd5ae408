"""Who may use each departmental synthesis route: the matrix of roles and territories over every route.

The synthesis is the Bouches-du-Rhône's. Its prefecture reads and changes it; its sub-prefectures
(of any arrondissement of the department) and the ministry read it (403 on changes), but the ZIP
bundle, which annexes every forum's minutes and documents, goes only to those who may read all of
them (the prefecture, the ministry: a sub-prefect gets 403); moderators and administrators may not
read it (403); an agent of another department gets 404; anonymous visitors
go to the login page. Refused requests change nothing.
"""
import re

import pytest
from flask import url_for
from sqlalchemy import select

from forums.models import AttendanceCategory, AuditEvent, DepartmentSynthesis, ForumStatus, Role
from forums.services.syntheses import prepare_draft, submit_synthesis

from ..conftest import PASSWORD, new_client, paris_time
from ..services.synthesis_data import add_minutes

BASE = "/prefecture/departements/{code}/synthese"

#: The prefecture's text of the first part, as its edit form sends it (sections at version 0).
INSIGHT_FORM = {"based_on": '{"insight.forums": 0, "insight.questions": 0, "insight.concerns": 0, '
                            '"insight.overall": 0, "insight.analysis": 0}',
                "texts-0": "", "texts-1": "", "texts-2": "", "texts-3": "", "texts-4": "Éclairage revu.",
                "action": "save"}

#: Every route: method, path after BASE, form data, the rule it falls under, and the state the
#: synthesis must be in (None: not prepared, since « Préparer » acts on a department without one).
ROUTES = {
    "prefecture.synthesis_overview": ("GET", "", None, "read", "draft"),
    "prefecture.preview_synthesis": ("GET", "/apercu", None, "read", "draft"),
    "prefecture.download_synthesis:odt": ("GET", ".odt", None, "read", "draft"),
    "prefecture.download_synthesis:html": ("GET", ".html", None, "read", "draft"),
    "prefecture.download_synthesis:zip": ("GET", ".zip", None, "bundle", "draft"),
    "prefecture.prepare_synthesis": ("POST", "/preparer", {}, "edit", None),
    "prefecture.edit_synthesis": ("GET", "/modifier", None, "edit", "draft"),
    "prefecture.edit_synthesis_part": ("GET", "/modifier/eclairage", None, "edit", "draft"),
    "prefecture.edit_synthesis_part:post": ("POST", "/modifier/eclairage", INSIGHT_FORM, "edit", "draft"),
    "prefecture.submit_synthesis": ("GET", "/transmettre", None, "edit", "draft"),
    "prefecture.submit_synthesis:post": ("POST", "/transmettre", {"confirm": "y"}, "edit", "draft"),
    "prefecture.transmit_synthesis_addendum": ("POST", "/complement", {"forum_ids": "LATER"}, "edit", "submitted"),
}
#: What a successful request answers, when it is not 200 for a page and a redirection to the overview for a change.
SUCCESS = {"prefecture.edit_synthesis": 302, "prefecture.edit_synthesis_part:post": 302}

OK = "ok"
#: How each agent fares under each rule: OK is 200 for a page, 302 for a change.
MATRIX = {
    "prefecture13": {"read": OK, "bundle": OK, "edit": OK},
    "subprefecture131": {"read": OK, "bundle": 403, "edit": 403},
    "subprefecture132": {"read": OK, "bundle": 403, "edit": 403},
    "ministry": {"read": OK, "bundle": OK, "edit": 403},
    "moderator13": {"read": 403, "bundle": 403, "edit": 403},
    "admin": {"read": 403, "bundle": 403, "edit": 403},
    "prefecture75": {"read": 404, "bundle": 404, "edit": 404},
    "moderator75": {"read": 404, "bundle": 404, "edit": 404},
    "subprefecture751": {"read": 404, "bundle": 404, "edit": 404},
}

AGENTS = {
    "prefecture13": (Role.PREFECTURE, "13", None),
    "subprefecture131": (Role.SUBPREFECTURE, None, "131"),
    "subprefecture132": (Role.SUBPREFECTURE, None, "132"),
    "ministry": (Role.MINISTRY, None, None),
    "moderator13": (Role.MODERATOR, "13", None),
    "admin": (Role.ADMIN, None, None),
    "prefecture75": (Role.PREFECTURE, "75", None),
    "moderator75": (Role.MODERATOR, "75", None),
    "subprefecture751": (Role.SUBPREFECTURE, None, "751"),
}


@pytest.fixture
def world(db, consultation, create_forum, subtopics, create_agent):
    """Return a builder of department 13 with one held forum and its minutes, its synthesis in a given state.

    A transmitted synthesis has a forum held since, whose minutes may form an addendum.
    """

    def build(state):
        forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")
        add_minutes(forum, {AttendanceCategory.PUBLIC: 40})
        place = {"code": "13"}
        if state is not None:
            writer = create_agent(Role.PREFECTURE, department="13", email="redacteur@example.gouv.fr")
            synthesis = prepare_draft(consultation, "13", writer)
            db.session.commit()
            if state == "submitted":
                submit_synthesis(synthesis, writer)
                later = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 5, 12), title="Forum de mai")
                add_minutes(later, {AttendanceCategory.PUBLIC: 12})
                db.session.commit()
                place["later"] = str(later.id)
        return place

    return build


def call(client, endpoint, world, data=None):
    method, path, default, _, _ = ROUTES[endpoint]
    url = BASE.format(**world) + path
    if method == "GET":
        return client.get(url)
    data = data if data is not None else default
    return client.post(url, data={key: world["later"] if value == "LATER" else value for key, value in data.items()})


def snapshot(db):
    db.session.expire_all()
    rows = db.session.scalars(select(DepartmentSynthesis).order_by(DepartmentSynthesis.id)).all()
    return ([(s.id, s.status, s.texts, s.submitted_at, len(s.annexes)) for s in rows],
            db.session.scalar(select(db.func.count()).select_from(AuditEvent)))


def test_every_synthesis_route_is_in_the_matrix(app):
    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("prefecture.") and "synthesis" in rule.endpoint:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                key = rule.endpoint + (":post" if method == "POST" and "GET" in rule.methods else "")
                rules.setdefault(key, rule)
    expected = {endpoint.partition(":")[0] if "download" in endpoint else endpoint for endpoint in ROUTES}
    assert set(rules) == expected, "a synthesis route without an entry in the permission matrix"
    with app.test_request_context():
        for endpoint, (_, path, _, _, _) in ROUTES.items():
            name, _, extension = endpoint.partition(":")
            arguments = ({"code": "13"} | ({"extension": extension} if "download" in name else {})
                         | ({"part": "eclairage"} if name.endswith("_part") else {}))
            assert url_for(name, **arguments) == BASE.format(code="13") + path, endpoint


@pytest.mark.parametrize("endpoint", ROUTES)
def test_anonymous_visitors_are_sent_to_login(db, client, world, endpoint):
    place = world(ROUTES[endpoint][4])
    before = snapshot(db)

    response = call(client, endpoint, place)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", ROUTES)
@pytest.mark.parametrize("agent_name", MATRIX)
def test_permission_matrix(db, client, login, create_agent, world, agent_name, endpoint):
    place = world(ROUTES[endpoint][4])
    role, department, arrondissement = AGENTS[agent_name]
    agent = create_agent(role, department=department, arrondissement=arrondissement)
    login(agent)
    before = snapshot(db)

    response = call(client, endpoint, place)

    expected = MATRIX[agent_name][ROUTES[endpoint][3]]
    if expected == OK:
        expected = SUCCESS.get(endpoint, 200 if ROUTES[endpoint][0] == "GET" else 302)
    assert response.status_code == expected, response.get_data(as_text=True)[:3000]
    if expected == 302 and ROUTES[endpoint][0] == "GET":
        assert response.headers["Location"] == BASE.format(**place) + "/modifier/eclairage"
    elif expected == 302:
        assert response.headers["Location"] in (BASE.format(**place), BASE.format(**place) + "/modifier/eclairage")
        assert snapshot(db) != before
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.agent_id == agent.id and last.action.startswith("synthesis.")
    else:
        assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if ROUTES[e][0] == "POST"])
def test_a_forged_form_without_csrf_token_is_refused(db, app, other_app, create_agent, world, endpoint):
    place = world(ROUTES[endpoint][4])
    protected = other_app(WTF_CSRF_ENABLED=True, UPLOAD_DIRECTORY=app.config["UPLOAD_DIRECTORY"])
    agent = create_agent(Role.PREFECTURE, department="13")
    browser = new_client(protected)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/auth/login").get_data(as_text=True))
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token.group(1)})
    before = snapshot(db)

    response = call(browser, endpoint, place)

    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # The same request with the page's token goes through: only the token was missing.
    page = browser.get(BASE.format(**place)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = ROUTES[endpoint][2] | {"csrf_token": token}
    assert call(browser, endpoint, place, data=data).status_code == 302
    assert snapshot(db) != before
