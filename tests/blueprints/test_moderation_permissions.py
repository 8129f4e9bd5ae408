"""Who may use each moderation route: the matrix of roles and territories, over every route of the blueprint.

Anonymous visitors go to the login page; the department's moderators and prefecture read and
decide; the ministry reads but does not decide; an agent of another territory gets 404 (nothing
leaks about other departments; a sub-prefect does not see the whole department, as on the
department pages); an administrator gets 403.
"""
import pytest
from flask import url_for

from forums.models import AuditEvent, ForumStatus, Question, QuestionStatus, Role

from ..conftest import paris_time

#: Every route of the blueprint: method, path (with the world's ids), and the form data of a valid request.
ROUTES = {
    "moderation.index": ("GET", "/moderation/", None),
    "moderation.queue": ("GET", "/moderation/departements/{code}", None),
    "moderation.questions": ("GET", "/moderation/departements/{code}/questions", None),
    "moderation.bulk": ("POST", "/moderation/departements/{code}/decisions",
                        lambda w: {"question_ids": [str(w["pending"])], "action": "approve"}),
    "moderation.groups": ("GET", "/moderation/departements/{code}/groupes", None),
    "moderation.decide_group": ("POST", "/moderation/departements/{code}/groupes/{pending}",
                                lambda w: {f"groupe-{w['pending']}-question_ids": [str(w["pending"])],
                                           f"groupe-{w['pending']}-action": "reject",
                                           f"groupe-{w['pending']}-reason": "hors_sujet"}),
    "moderation.question": ("GET", "/moderation/questions/{pending}", None),
    "moderation.approve": ("POST", "/moderation/questions/{pending}/publier", lambda w: {}),
    "moderation.reject": ("POST", "/moderation/questions/{pending}/refuser",
                          lambda w: {"reject-reason": "hors_sujet"}),
    "moderation.edit": ("POST", "/moderation/questions/{pending}/texte-public",
                        lambda w: {"edit-public_text": "Que fait la police contre les vols dans le quartier ?"}),
    "moderation.display_name": ("POST", "/moderation/questions/{pending}/nom-affiche",
                                lambda w: {"display_name-display_name": "Un habitant"}),
    "moderation.merge": ("POST", "/moderation/questions/{pending}/regrouper",
                         lambda w: {"merge-original": w["original_reference"]}),
    "moderation.answer": ("POST", "/moderation/questions/{published}/reponse",
                          lambda w: {"answer-answer": "La préfecture répond.", "answer-publish": "Publier"}),
    "moderation.addressed": ("POST", "/moderation/questions/{published}/forum",
                             lambda w: {"addressed-forum": str(w["forum"])}),
}

#: How each agent fares: "read" for GET routes other than the index, "act" for POST routes.
MATRIX = {
    "moderator13": {"index": 302, "read": 200, "act": 303},
    "prefecture13": {"index": 302, "read": 200, "act": 303},
    "ministry": {"index": 403, "read": 200, "act": 403},
    "admin": {"index": 403, "read": 403, "act": 403},
    "moderator75": {"index": 302, "read": 404, "act": 404},
    "prefecture75": {"index": 302, "read": 404, "act": 404},
    "subprefecture131": {"index": 403, "read": 404, "act": 404},
}

AGENTS = {
    "moderator13": (Role.MODERATOR, "13", None),
    "prefecture13": (Role.PREFECTURE, "13", None),
    "ministry": (Role.MINISTRY, None, None),
    "admin": (Role.ADMIN, None, None),
    "moderator75": (Role.MODERATOR, "75", None),
    "prefecture75": (Role.PREFECTURE, "75", None),
    "subprefecture131": (Role.SUBPREFECTURE, None, "131"),
}


@pytest.fixture
def world(db, create_question, create_forum):
    """Return the ids of what every route acts on, all in the Bouches-du-Rhône."""
    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    original = create_question("Que fait la police contre les cambriolages ?", status=QuestionStatus.PUBLISHED)
    pending = create_question("Que fait la police contre les cambriolages ?", display_name="Jean Dupuis")
    published = create_question("Les caméras de vidéo-protection seront-elles plus nombreuses ?",
                                status=QuestionStatus.PUBLISHED)
    return {"code": "13", "pending": pending.id, "published": published.id, "forum": forum.id,
            "original_reference": original.reference}


def call(client, endpoint, world):
    method, path, data = ROUTES[endpoint]
    url = path.format(**world)
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data(world))


def kind(endpoint):
    if endpoint == "moderation.index":
        return "index"
    return "read" if ROUTES[endpoint][0] == "GET" else "act"


def snapshot(db):
    db.session.expire_all()
    return ([(q.id, q.status, q.public_text, q.answer_text, q.support_count, q.addressed_forum_id)
             for q in db.session.scalars(db.select(Question).order_by(Question.id))],
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)))


def test_every_route_of_the_blueprint_is_in_the_matrix(app):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("moderation.")}
    assert set(rules) == set(ROUTES), "a moderation route without an entry in the permission matrix"
    sample = {"code": "13", "pending": 7, "published": 8, "forum": 1, "original_reference": "13-000001"}
    with app.test_request_context():
        for endpoint, (method, path, _) in ROUTES.items():
            assert method in rules[endpoint].methods, endpoint
            arguments = {name: sample["pending" if name == "question_id" else name]
                         for name in rules[endpoint].arguments}
            if "{published}" in path:
                arguments["question_id"] = sample["published"]
            assert url_for(endpoint, **arguments) == path.format(**sample), endpoint


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
    expected = MATRIX[agent_name][kind(endpoint)]
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    if expected == 303:
        assert snapshot(db) != before
        last = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.agent_id == agent.id and last.department_code == "13"
    else:
        assert snapshot(db) == before
    if endpoint == "moderation.index" and expected == 302:
        assert response.headers["Location"] == f"/moderation/departements/{department}"


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if e != "moderation.index"])
def test_unknown_objects_are_not_found(db, client, login, create_agent, world, endpoint):
    login(create_agent(Role.MODERATOR, department="13"))
    missing = dict(world, code="99", pending=999_999, published=999_999)
    assert call(client, endpoint, missing).status_code == 404


def test_a_disabled_agent_loses_access(db, client, login, create_agent, world):
    agent = create_agent(Role.MODERATOR, department="13")
    login(agent)
    agent.is_active = False
    db.session.commit()
    response = client.get(f"/moderation/questions/{world['pending']}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
