"""The admin screen: only admins get in; creating, re-scoping, disabling agents; the journal."""
import html

import pytest

from forums.models import Agent, AuditEvent, Role

from ..conftest import PASSWORD, new_client

GET_PAGES = ["/admin/agents", "/admin/agents/new", "/admin/agents/{id}/edit", "/admin/journal"]
POST_ACTIONS = ["/admin/agents/{id}/disable", "/admin/agents/{id}/enable"]
NEW_PASSWORD = "une-phrase-de-passe-neuve"


@pytest.fixture
def admin(create_agent, login):
    agent = create_agent(Role.ADMIN, email="admin@interieur.gouv.fr")
    login(agent)
    return agent


def events(db):
    return db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()


def fresh(db, agent):
    db.session.refresh(agent)
    return agent


@pytest.mark.parametrize("path", GET_PAGES + POST_ACTIONS)
def test_anonymous_visitors_are_sent_to_login(client, create_agent, path):
    target = create_agent(Role.MINISTRY)
    url = path.format(id=target.id)
    response = client.post(url) if path in POST_ACTIONS else client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("role, department, arrondissement", [
    (Role.MINISTRY, None, None),
    (Role.PREFECTURE, "13", None),
    (Role.MODERATOR, "13", None),
    (Role.SUBPREFECTURE, None, "131"),
])
@pytest.mark.parametrize("path", GET_PAGES + POST_ACTIONS)
def test_other_roles_are_refused(db, client, login, create_agent, role, department, arrondissement,
                                 path):
    target = create_agent(Role.MINISTRY, email="target@example.gouv.fr")
    login(create_agent(role, department=department, arrondissement=arrondissement))
    url = path.format(id=target.id)
    response = client.post(url) if path in POST_ACTIONS else client.get(url)
    assert response.status_code == 403
    assert fresh(db, target).is_active
    assert events(db) == []


@pytest.mark.parametrize("path", GET_PAGES)
def test_admin_gets_every_page(client, admin, create_agent, path):
    target = create_agent(Role.MINISTRY)
    assert client.get(path.format(id=target.id)).status_code == 200


def test_unknown_agent_is_404(client, admin):
    assert client.get("/admin/agents/9999/edit").status_code == 404
    assert client.post("/admin/agents/9999/disable").status_code == 404


def test_list_filters_by_role_and_department(client, admin, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="pref13@example.gouv.fr")
    create_agent(Role.PREFECTURE, department="75", email="pref75@example.gouv.fr")
    create_agent(Role.SUBPREFECTURE, arrondissement="131", email="sp131@example.gouv.fr")
    page = client.get("/admin/agents?role=prefecture").get_data(as_text=True)
    assert "pref13@" in page and "pref75@" in page and "sp131@" not in page and "admin@" not in page
    page = client.get("/admin/agents?department=13").get_data(as_text=True)
    assert "pref13@" in page and "sp131@" in page and "pref75@" not in page
    page = client.get("/admin/agents?role=prefecture&department=75").get_data(as_text=True)
    assert "pref75@" in page and "pref13@" not in page


@pytest.mark.parametrize("query, words", [("role=emperor", "Rôle inconnu"),
                                          ("department=99", "Département inconnu")])
def test_unknown_filter_is_a_400_with_an_explanation(client, admin, query, words):
    response = client.get(f"/admin/agents?{query}")
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_list_does_not_query_once_per_agent(db, client, admin, create_agent, count_queries):
    def query_count():
        with count_queries() as statements:
            assert client.get("/admin/agents").status_code == 200
        return len(statements)

    create_agent(Role.SUBPREFECTURE, arrondissement="131")
    few = query_count()
    for department, arrondissement in [("75", None), ("2A", None), ("972", None), (None, "132"),
                                       (None, "751"), (None, "2A1")]:
        if arrondissement:
            create_agent(Role.SUBPREFECTURE, arrondissement=arrondissement)
        else:
            create_agent(Role.MODERATOR, department=department)
    assert query_count() == few


def test_create_agent_through_the_screen(db, client, admin):
    response = client.post("/admin/agents/new", data={
        "email": "Nouvel.Agent@Interieur.gouv.fr", "full_name": "Nouvel Agent", "role": "subprefecture",
        "department_code": "", "arrondissement_code": "132", "password": NEW_PASSWORD,
    })
    assert response.status_code == 302 and response.headers["Location"] == "/admin/agents"
    agent = db.session.scalar(db.select(Agent).where(Agent.email == "nouvel.agent@interieur.gouv.fr"))
    assert (agent.role, agent.department_code, agent.arrondissement_code) == (
        Role.SUBPREFECTURE, "13", "132")
    [created] = events(db)
    assert (created.action, created.agent_id, created.object_id) == ("agent.create", admin.id, str(agent.id))
    assert "nouvel.agent@interieur.gouv.fr" in client.get("/admin/journal").get_data(as_text=True)


def error_next_to(page, field, message):
    """Tell whether ``message`` is shown right after the control of ``field``, before the next one."""
    start = page.index(f'id="{field}"')
    ends = [page.find(tag, start + 1) for tag in ("<input", "<select")]
    return message in html.unescape(page[start:min([end for end in ends if end != -1] or [len(page)])])


@pytest.mark.parametrize("changes, field, message", [
    ({"email": "admin@interieur.gouv.fr"}, "email", "Un compte existe déjà"),
    ({"email": "pas-une-adresse"}, "email", "adresse électronique valide"),
    ({"department_code": ""}, "department_code", "demande un département"),
    ({"department_code": "99"}, "department_code", "Département inconnu"),
    ({"arrondissement_code": "131"}, "arrondissement_code", "ne choisissez pas d'arrondissement"),
    ({"role": "emperor"}, "role", ""),
    ({"password": "court"}, "password", "au moins 12 caractères"),
])
def test_create_errors_sit_next_to_their_field(db, client, admin, changes, field, message):
    data = {"email": "agent@interieur.gouv.fr", "full_name": "", "role": "prefecture",
            "department_code": "13", "arrondissement_code": "", "password": NEW_PASSWORD}
    data.update(changes)
    response = client.post("/admin/agents/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_next_to(page, field, message)
    assert f'{field}-messages' in page or f'{field}-error' in page
    assert db.session.scalar(db.select(db.func.count(Agent.id))) == 1
    assert events(db) == []


def test_rescope_through_the_screen_ends_the_agent_sessions(app, db, client, admin, create_agent):
    agent = create_agent(Role.MODERATOR, department="13")
    agent_browser = new_client(app)
    agent_browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    assert agent_browser.get("/auth/password").status_code == 200
    response = client.post(f"/admin/agents/{agent.id}/edit", data={
        "full_name": "Renommé", "role": "prefecture", "department_code": "75", "arrondissement_code": "",
    })
    assert response.status_code == 302
    agent = fresh(db, agent)
    assert (agent.role, agent.department_code, agent.full_name) == (Role.PREFECTURE, "75", "Renommé")
    assert agent_browser.get("/auth/password").status_code == 302
    [updated] = events(db)
    assert updated.action == "agent.update"
    assert updated.changes["department_code"] == ["13", "75"]


def test_edit_form_is_filled_with_the_agent(client, admin, create_agent):
    agent = create_agent(Role.SUBPREFECTURE, arrondissement="132")
    page = client.get(f"/admin/agents/{agent.id}/edit").get_data(as_text=True)
    assert agent.email in page
    assert '<option selected value="subprefecture">' in page
    assert '<option selected value="132">' in page


def test_admin_cannot_remove_their_own_admin_role(db, client, admin):
    response = client.post(f"/admin/agents/{admin.id}/edit", data={
        "full_name": "", "role": "ministry", "department_code": "", "arrondissement_code": "",
    })
    assert response.status_code == 200
    assert error_next_to(response.get_data(as_text=True), "role", "propre rôle d'administration")
    assert fresh(db, admin).role is Role.ADMIN


def test_disable_and_enable_through_the_screen(db, client, admin, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    response = client.post(f"/admin/agents/{agent.id}/disable", follow_redirects=True)
    assert "a été désactivé" in response.get_data(as_text=True)
    assert not fresh(db, agent).is_active
    response = client.post(f"/admin/agents/{agent.id}/enable", follow_redirects=True)
    assert "a été réactivé" in response.get_data(as_text=True)
    assert fresh(db, agent).is_active
    assert [(e.action, e.agent_id) for e in events(db)] == [("agent.disable", admin.id),
                                                             ("agent.enable", admin.id)]


def test_disabled_agent_is_logged_out_and_cannot_log_in(app, db, client, admin, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    agent_browser = new_client(app)
    agent_browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    client.post(f"/admin/agents/{agent.id}/disable")
    assert agent_browser.get("/auth/password").status_code == 302
    response = agent_browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 200


def test_admin_cannot_disable_themselves(db, client, admin):
    response = client.post(f"/admin/agents/{admin.id}/disable", follow_redirects=True)
    assert "propre compte" in response.get_data(as_text=True)
    assert fresh(db, admin).is_active
    assert events(db) == []


def test_journal_shows_recent_events_newest_first(client, admin, create_agent):
    first = create_agent(Role.PREFECTURE, department="13", email="first@example.gouv.fr")
    second = create_agent(Role.PREFECTURE, department="75", email="second@example.gouv.fr")
    client.post(f"/admin/agents/{first.id}/disable")
    client.post(f"/admin/agents/{second.id}/disable")
    page = client.get("/admin/journal").get_data(as_text=True)
    assert page.index("Compte de second@") < page.index("Compte de first@")
    assert "admin@interieur.gouv.fr" in page and "agent.disable" in page
