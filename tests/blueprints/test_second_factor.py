"""The second factor: enrolment with a QR code, the code after the password, recovery codes, reset by an admin."""
import html
import re
import time

import pyotp
import pytest

from forums.auth_session import PENDING_LOGIN_SECONDS
from forums.login_delays import FREE_FAILURES
from forums.models import Agent, AuditEvent, RecoveryCode, Role
from forums.services.agents import AgentError
from forums.services.second_factor import (
    RECOVERY_CODE_COUNT, confirm_enrolment, reset_second_factor, start_enrolment, verify_second_factor,
)

from ..conftest import PASSWORD, fresh_totp_code, new_client, second_step


def password_step(browser, agent, address="127.0.0.1"):
    return browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": address})


def shown_secret(page):
    return re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def shown_codes(page):
    return re.findall(r"<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>", page)


def enrol(browser, agent):
    """Enrol ``agent`` on ``browser`` from the enrolment page; return the recovery codes shown."""
    secret = shown_secret(browser.get("/auth/enrolment").get_data(as_text=True))
    response = browser.post("/auth/enrolment", data={"code": pyotp.TOTP(secret).now()})
    codes = shown_codes(response.get_data(as_text=True))
    assert response.status_code == 200 and codes
    return codes


def events(db, action):
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.ADMIN])
def test_ministry_and_admin_agents_must_enrol_before_anything_else(db, client, create_agent, role):
    agent = create_agent(role, second_factor=False)
    response = password_step(client, agent)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/enrolment"
    # The password alone signs nothing in.
    assert client.get("/auth/password").headers["Location"].startswith("/auth/login")
    page = client.get("/auth/enrolment").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "la double authentification est obligatoire" in page
    secret = shown_secret(page)
    wrong = client.post("/auth/enrolment", data={"code": "000000"})
    assert wrong.status_code == 200 and "Code incorrect" in html.unescape(wrong.get_data(as_text=True))

    response = client.post("/auth/enrolment", data={"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = shown_codes(response.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == RECOVERY_CODE_COUNT
    assert client.get("/auth/password").status_code == 200
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert len(stored) == RECOVERY_CODE_COUNT and not set(stored) & {c.replace("-", "") for c in codes}
    assert [e.agent_id for e in events(db, "agent.enrol_second_factor")] == [agent.id]
    # The secret is never shown again.
    assert client.get("/auth/enrolment").status_code == 302
    assert secret not in client.get("/auth/second-factor").get_data(as_text=True)


def test_a_signed_in_agent_whose_role_needs_the_factor_is_kept_on_enrolment(db, client, create_agent, login):
    agent = create_agent(Role.MINISTRY)
    login(agent)
    # As a session opened before the factor became mandatory: the agent has none.
    db.session.execute(db.update(Agent).where(Agent.id == agent.id).values(totp_secret=None, totp_confirmed_at=None))
    db.session.commit()
    for path in ("/ministry/", "/auth/password", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/auth/enrolment", path
    enrol(client, agent)
    assert client.get("/ministry/").status_code == 200


def test_an_enrolled_agent_gives_a_code_after_the_password(client, create_agent):
    agent = create_agent(Role.MINISTRY)
    response = password_step(client, agent)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/code"
    assert client.get("/ministry/").headers["Location"].startswith("/auth/login")
    wrong = client.post("/auth/code", data={"code": "12345"})
    assert wrong.status_code == 200 and "Code incorrect" in html.unescape(wrong.get_data(as_text=True))
    response = second_step(client, agent)
    assert response.status_code == 302 and response.headers["Location"] == "/ministry/"
    assert client.get("/ministry/").status_code == 200


def test_a_code_is_not_accepted_twice(app, create_agent):
    agent = create_agent(Role.ADMIN)
    code = fresh_totp_code(agent.email)
    first, second = new_client(app), new_client(app)
    password_step(first, agent)
    assert first.post("/auth/code", data={"code": code}).status_code == 302
    password_step(second, agent)
    replayed = second.post("/auth/code", data={"code": code})
    assert replayed.status_code == 200 and "déjà utilisé" in html.unescape(replayed.get_data(as_text=True))


def test_the_code_step_waits_five_minutes_at_most(client, create_agent):
    agent = create_agent(Role.MINISTRY)
    password_step(client, agent)
    with client.session_transaction() as session:
        session["pending_login"] = session["pending_login"] | {"at": session["pending_login"]["at"]
                                                               - PENDING_LOGIN_SECONDS - 1}
    response = client.post("/auth/code", data={"code": fresh_totp_code(agent.email)})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"


def test_a_password_change_meanwhile_voids_the_first_step(db, client, create_agent):
    agent = create_agent(Role.MINISTRY)
    password_step(client, agent)
    db.session.get(Agent, agent.id).end_all_sessions()
    db.session.commit()
    assert second_step(client, agent).headers["Location"] == "/auth/login"


def test_a_recovery_code_stands_in_for_the_app_once(db, app, create_agent):
    agent = create_agent(Role.MINISTRY, second_factor=False)
    browser = new_client(app)
    password_step(browser, agent)
    codes = enrol(browser, agent)
    other = new_client(app)
    password_step(other, agent)
    response = other.post("/auth/code", data={"code": codes[3].lower().replace("-", " ")})
    assert response.status_code == 302 and response.headers["Location"] == "/ministry/"
    home = html.unescape(other.get("/ministry/").get_data(as_text=True))
    assert f"il vous en reste {RECOVERY_CODE_COUNT - 1}" in home
    assert [e.agent_id for e in events(db, "agent.use_recovery_code")] == [agent.id]
    third = new_client(app)
    password_step(third, agent)
    assert third.post("/auth/code", data={"code": codes[3]}).status_code == 200


def test_the_factor_is_optional_for_other_roles(db, client, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    assert password_step(client, agent).headers["Location"] == "/prefecture/"
    page = client.get("/auth/second-factor").get_data(as_text=True)
    assert "n&#39;est pas activée" in page or "n'est pas activée" in page
    page = client.get("/auth/enrolment").get_data(as_text=True)
    assert "la double authentification est obligatoire" not in page
    assert len(enrol(client, agent)) == RECOVERY_CODE_COUNT
    # Still signed in; the next login asks the code.
    assert "est activée" in client.get("/auth/second-factor").get_data(as_text=True)
    browser = new_client(client.application)
    assert password_step(browser, agent).headers["Location"] == "/auth/code"


def test_wrong_codes_bring_growing_delays(app, create_agent):
    agent = create_agent(Role.MINISTRY)
    browser = new_client(app)
    password_step(browser, agent)
    for n in range(FREE_FAILURES + 1):
        response = browser.post("/auth/code", data={"code": "000000"}, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
        assert response.status_code == 200
    waiting = second_step(browser, agent)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert "Trop d'essais de code" in html.unescape(waiting.get_data(as_text=True))
    time.sleep(1.1)
    assert second_step(browser, agent).status_code == 302


def test_an_admin_resets_an_agents_factor_journaled(db, app, client, create_agent, login):
    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.MINISTRY)
    db.session.add(RecoveryCode(agent_id=agent.id, code_hash="0" * 64))
    db.session.commit()
    victim = new_client(app)
    password_step(victim, agent)
    second_step(victim, agent)
    login(admin)
    page = client.get("/admin/agents").get_data(as_text=True)
    assert f"/admin/agents/{agent.id}/second-factor/reset" in page
    assert f"/admin/agents/{admin.id}/second-factor/reset" not in page

    response = client.post(f"/admin/agents/{agent.id}/second-factor/reset")

    assert response.status_code == 302
    db.session.expire_all()
    reset = db.session.get(Agent, agent.id)
    assert reset.totp_secret is None and not reset.has_second_factor
    assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0
    [event] = events(db, "agent.reset_second_factor")
    assert event.agent_id == admin.id and event.object_id == str(agent.id)
    # The sessions held with the lost authenticator end; the next login enrols again.
    assert victim.get("/ministry/").headers["Location"].startswith("/auth/login")
    assert password_step(victim, agent).headers["Location"] == "/auth/enrolment"


def test_an_admin_never_resets_their_own_factor(db, client, create_agent, login):
    admin = create_agent(Role.ADMIN)
    login(admin)
    response = client.post(f"/admin/agents/{admin.id}/second-factor/reset", follow_redirects=True)
    assert "un autre administrateur" in html.unescape(response.get_data(as_text=True))
    assert db.session.get(Agent, admin.id).has_second_factor
    assert events(db, "agent.reset_second_factor") == []


def test_only_admins_reset_a_factor(db, client, create_agent, login):
    agent = create_agent(Role.MINISTRY)
    login(create_agent(Role.PREFECTURE, department="13"))
    assert client.post(f"/admin/agents/{agent.id}/second-factor/reset").status_code == 403
    assert db.session.get(Agent, agent.id).has_second_factor


def test_codes_of_the_previous_and_next_step_pass_older_ones_do_not(db, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    start_enrolment(agent)
    totp, now = pyotp.TOTP(agent.totp_secret), 1_800_000_000
    with pytest.raises(AgentError):
        confirm_enrolment(agent, totp.at(now - 60), now=now)
    assert len(confirm_enrolment(agent, totp.at(now - 30), now=now)) == RECOVERY_CODE_COUNT
    assert verify_second_factor(agent, totp.at(now), now=now) == "totp"
    # The step just used and the ones before it are spent; the next one is not.
    with pytest.raises(AgentError):
        verify_second_factor(agent, totp.at(now), now=now + 10)
    assert verify_second_factor(agent, totp.at(now + 30), now=now) == "totp"


def test_reset_needs_a_factor_to_reset(db, create_agent):
    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.PREFECTURE, department="13")
    with pytest.raises(AgentError, match="pas de double authentification"):
        reset_second_factor(agent, admin)
