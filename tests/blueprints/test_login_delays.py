"""Failed passwords slow an account down without locking its agent out, on the login and the password change forms.

The per-address throttle stays (LOGIN_THROTTLE); on the account itself, failures from anywhere
bring growing delays (1, 2, 4… seconds, at most a minute) instead of a 15-minute block, so that
nobody can keep a real agent out by typing wrong passwords for their address.
"""
import time

from forums.login_delays import FREE_FAILURES, MAX_DELAY_SECONDS, delay_after
from forums.models import Role

from ..conftest import PASSWORD, new_client

NEW_PASSWORD = "une-phrase-de-passe-neuve"


def attempt(app, agent, password, address):
    return new_client(app).post("/auth/login", data={"email": agent.email, "password": password},
                                environ_base={"REMOTE_ADDR": address})


def test_delays_grow_and_stop_at_a_minute():
    assert [delay_after(n) for n in range(1, FREE_FAILURES + 1)] == [0] * FREE_FAILURES
    delays = [delay_after(FREE_FAILURES + n) for n in range(1, 10)]
    assert delays[:3] == [1, 2, 4] and delays == sorted(delays) and max(delays) == MAX_DELAY_SECONDS


def test_failures_from_everywhere_delay_the_account_but_never_lock_it(app, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    for n in range(FREE_FAILURES + 1):
        assert attempt(app, agent, "faux", f"192.0.2.{n}").status_code == 200
    # The account now waits one second: even the right password is not checked meanwhile…
    waiting = attempt(app, agent, PASSWORD, "198.51.100.7")
    assert waiting.status_code == 429
    assert "réessayez dans 1 seconde" in waiting.get_data(as_text=True)
    assert waiting.headers["Retry-After"] == "1"
    # …and once it has passed, the real agent gets in: no 15-minute block.
    time.sleep(1.1)
    assert attempt(app, agent, PASSWORD, "198.51.100.7").status_code == 302


def test_a_success_clears_the_delays(app, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    for n in range(FREE_FAILURES):
        attempt(app, agent, "faux", f"192.0.2.{n}")
    assert attempt(app, agent, PASSWORD, "192.0.2.200").status_code == 302
    for n in range(FREE_FAILURES):
        assert attempt(app, agent, "faux", f"192.0.2.{n}").status_code == 200


def test_the_per_address_limit_stays(other_app, territories):
    throttled = other_app(LOGIN_THROTTLE="3 per minute")
    browser = new_client(throttled)
    statuses = [browser.post("/auth/login", data={"email": f"n{n}@example.gouv.fr", "password": "faux"}
                             ).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def change(browser, current, address="127.0.0.1", new=NEW_PASSWORD):
    return browser.post("/auth/password", data={"current_password": current, "password": new, "confirm": new},
                        environ_base={"REMOTE_ADDR": address})


def test_the_password_change_form_is_throttled_like_the_login(app, db, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    browser = new_client(app)
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
    # A stolen session moving from address to address, to dodge the per-address limit.
    for n in range(FREE_FAILURES + 1):
        assert change(browser, "faux", f"192.0.2.{n}").status_code == 200
    # The 11th guess used to go through; now the right one waits too, with the reason next to the field.
    waiting = change(browser, PASSWORD, "198.51.100.7")
    assert waiting.status_code == 429
    assert "réessayez dans 1 seconde" in waiting.get_data(as_text=True)
    db.session.refresh(agent)
    assert agent.check_password(PASSWORD)
    time.sleep(1.1)
    assert change(browser, PASSWORD, "198.51.100.7").status_code == 302


def test_the_password_change_form_counts_per_address_too(other_app, create_agent):
    throttled = other_app(LOGIN_THROTTLE="2 per minute")
    agents = [create_agent(Role.PREFECTURE, department="13") for _ in range(3)]
    statuses = []
    for agent in agents:
        browser = new_client(throttled)
        browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD})
        statuses.append(change(browser, "faux").status_code)
    assert statuses == [200, 200, 429]
