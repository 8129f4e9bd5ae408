"""Login, logout, password change: generic errors, throttling, sessions that really end, `next`."""
import html
import logging
import re

import pytest

from forums.blueprints.auth.routes import LOGIN_FAILED, is_safe_next
from forums.models import Role

from ..conftest import PASSWORD, new_client, second_step

NEW_PASSWORD = "une-phrase-de-passe-neuve"
PROTECTED = "/auth/password"


def session_cookie(client):
    return client.get_cookie("forums_session").value


def replay(app, cookie):
    """Request a protected page with a copied session cookie, from another browser."""
    thief = new_client(app)
    thief.set_cookie("forums_session", cookie)
    return thief.get(PROTECTED)


def error_next_to(page, field, message):
    """Tell whether ``message`` is shown right after the input of ``field``, before the next input."""
    start = page.index(f'id="{field}"')
    end = page.find("<input", start + 1)
    return message in html.unescape(page[start:end if end != -1 else None])


def is_sent_to_login(response):
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_login_page_is_a_french_form(client):
    response = client.get("/auth/login")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Connexion à l'espace des agents" in page
    assert 'name="email"' in page and 'type="password"' in page
    assert 'autocomplete="current-password"' in page


@pytest.mark.parametrize("role, department, home", [
    (Role.ADMIN, None, "/admin/agents"),
    (Role.MINISTRY, None, "/ministry/"),
    (Role.PREFECTURE, "13", "/prefecture/"),
])
def test_login_success_goes_home_and_records_the_time(db, client, login, create_agent, role,
                                                      department, home):
    agent = create_agent(role, department=department)
    response = login(agent)
    assert response.status_code == 302 and response.headers["Location"] == home
    db.session.refresh(agent)
    assert agent.last_login_at is not None
    assert client.get(PROTECTED).status_code == 200


def test_login_accepts_the_email_in_any_case(client, create_agent):
    agent = create_agent(Role.MINISTRY, email="camille@interieur.gouv.fr")
    response = client.post("/auth/login", data={"email": " Camille@Interieur.gouv.FR ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/code"
    response = second_step(client, agent)
    assert response.status_code == 302 and response.headers["Location"] == "/ministry/"
    assert agent.email == "camille@interieur.gouv.fr"


@pytest.mark.parametrize("email, password, active", [
    ("known@example.gouv.fr", "mauvais-mot-de-passe", True),
    ("unknown@example.gouv.fr", PASSWORD, True),
    ("known@example.gouv.fr", PASSWORD, False),
])
def test_every_login_failure_says_the_same_thing(client, create_agent, email, password, active):
    create_agent(Role.PREFECTURE, department="13", email="known@example.gouv.fr", active=active)
    response = client.post("/auth/login", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert LOGIN_FAILED in page
    assert "désactivé" not in page and "inconnu" not in page
    assert is_sent_to_login(client.get(PROTECTED))


def test_empty_login_form_shows_errors_next_to_fields(client):
    page = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert error_next_to(page, "email", "Saisissez votre adresse électronique.")
    assert error_next_to(page, "password", "Saisissez votre mot de passe.")
    assert LOGIN_FAILED not in page


def test_login_outcomes_are_logged_without_forged_lines(client, create_agent, caplog):
    agent = create_agent(Role.PREFECTURE, department="13")
    with caplog.at_level(logging.INFO, logger="forums.auth"):
        client.post("/auth/login", data={"email": "x@example.gouv.fr\r\nlogin succeeded: agent=1",
                                         "password": "nope"})
        client.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    failure, success = [r.getMessage() for r in caplog.records if r.name == "forums.auth"]
    assert failure.startswith("login failed: reason=unknown")
    assert "\n" not in failure and "\r" not in failure and "\\r\\n" in failure
    assert f"agent={agent.id} role=prefecture territory=13 ip=127.0.0.1" in success


def test_throttle_counts_failures_and_answers_429(other_app, create_agent):
    throttled = other_app(LOGIN_THROTTLE="3 per minute")
    agent = create_agent(Role.MINISTRY)
    browser = new_client(throttled)
    for _ in range(3):
        assert browser.post("/auth/login", data={"email": agent.email, "password": "faux"}).status_code == 200
    refused = browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    assert browser.get("/auth/login").status_code == 200


def test_throttle_ignores_successful_logins(other_app, create_agent):
    throttled = other_app(LOGIN_THROTTLE="3 per minute")
    agent = create_agent(Role.MINISTRY)
    for _ in range(5):
        assert new_client(throttled).post(
            "/auth/login", data={"email": agent.email, "password": PASSWORD}).status_code == 302


def test_throttle_follows_the_address_across_emails(other_app, territories):
    throttled = other_app(LOGIN_THROTTLE="3 per minute")
    browser = new_client(throttled)
    statuses = [browser.post("/auth/login", data={"email": f"n{n}@example.gouv.fr", "password": "faux"}
                             ).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_login_without_csrf_token_is_refused(other_app, create_agent):
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.MINISTRY)
    browser = new_client(protected)
    response = browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    page = browser.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD,
                                                 "csrf_token": token})
    assert response.status_code == 302


def test_cookie_replayed_after_logout_is_refused(app, client, login, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    cookie = session_cookie(client)
    assert replay(app, cookie).status_code == 200
    response = client.post("/auth/logout")
    assert is_sent_to_login(response)
    assert is_sent_to_login(client.get(PROTECTED))
    assert is_sent_to_login(replay(app, cookie))


def test_logout_by_get_is_refused(client, login, create_agent):
    login(create_agent(Role.MINISTRY))
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert client.get(PROTECTED).status_code == 200


def test_cookie_replayed_after_disabling_is_refused(app, db, client, login, create_agent):
    from forums.services.agents import disable_agent

    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    cookie = session_cookie(client)
    disable_agent(agent, admin)
    db.session.commit()
    assert is_sent_to_login(client.get(PROTECTED))
    assert is_sent_to_login(replay(app, cookie))


def test_password_change_keeps_this_browser_and_ends_the_others(app, db, client, login, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    other_browser = session_cookie(client)
    response = client.post(PROTECTED, data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/prefecture/"
    assert client.get(PROTECTED).status_code == 200
    assert is_sent_to_login(replay(app, other_browser))
    db.session.refresh(agent)
    assert agent.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("form, field, message", [
    ({"current_password": "faux", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
     "current_password", "Le mot de passe actuel est incorrect."),
    ({"current_password": PASSWORD, "password": "court", "confirm": "court"},
     "password", "au moins 12 caractères"),
    ({"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"},
     "confirm", "ne sont pas identiques"),
])
def test_password_change_errors_sit_next_to_their_field(app, db, client, login, create_agent, form,
                                                         field, message):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    cookie = session_cookie(client)
    page = client.post(PROTECTED, data=form).get_data(as_text=True)
    assert error_next_to(page, field, message)
    db.session.refresh(agent)
    assert agent.check_password(PASSWORD)
    assert replay(app, cookie).status_code == 200


def test_next_local_path_is_followed(client, create_agent):
    agent = create_agent(Role.ADMIN)
    client.post("/auth/login?next=/admin/journal", data={"email": agent.email, "password": PASSWORD})
    assert second_step(client, agent).headers["Location"] == "/admin/journal"


def test_login_page_keeps_a_local_next_in_its_form(client):
    page = client.get("/auth/login?next=/admin/journal").get_data(as_text=True)
    assert 'action="/auth/login?next=/admin/journal"' in page


@pytest.mark.parametrize("target", ["https://elsewhere.example", "//evil.example", "/\\evil",
                                    "/\\/evil.example", "javascript:alert(1)"])
def test_next_elsewhere_is_ignored(client, create_agent, target):
    agent = create_agent(Role.ADMIN)
    client.post("/auth/login", query_string={"next": target}, data={"email": agent.email, "password": PASSWORD})
    assert second_step(client, agent).headers["Location"] == "/admin/agents"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get(PROTECTED)
    assert response.headers["Location"] == "/auth/login?next=%2Fauth%2Fpassword"


@pytest.mark.parametrize("url", [
    "/", "/admin/agents", "/prefecture/departements/2A?page=2#forums", "/a/b//c", "/%2F%2Fevil",
])
def test_is_safe_next_accepts_local_paths(url):
    assert is_safe_next(url)


@pytest.mark.parametrize("url", [
    None, "", "https://elsewhere.example", "http://elsewhere.example/path", "//evil.example",
    "///evil.example", "/\\evil", "\\\\evil.example", "/\\/evil.example", "/a\\b",
    "javascript:alert(1)", "data:text/html,x", "mailto:x@example.org", "elsewhere.example/path",
    "admin/agents", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
    " //evil.example", "/ /evil.example", "https:/evil.example", "http:evil.example",
    "\x00/admin", "/admin\x7f",
])
def test_is_safe_next_refuses_everything_else(url):
    assert not is_safe_next(url)
