"""Agents' sessions end: after 30 minutes without a request, and 12 hours after the login at the latest.

The server decides from the times it wrote into the signed session and from its own clock: a
cookie kept, copied or re-signed with an old timestamp is refused whatever the browser does.
"""
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from forums.models import Role
from forums.timeutils import utcnow

from .conftest import new_client

PROTECTED = "/auth/password"


def is_sent_to_login(response):
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def shift_session(client, **ago):
    """Move the session's recorded times back: ``started``, ``seen`` as timedeltas."""
    with client.session_transaction() as session:
        for name, delta in ago.items():
            session[f"{name}_at"] = int((utcnow() - delta).timestamp())


@pytest.fixture
def agent_client(client, login, create_agent):
    login(create_agent(Role.PREFECTURE, department="13"))
    assert client.get(PROTECTED).status_code == 200
    return client


def test_an_active_session_goes_on(agent_client):
    shift_session(agent_client, started=timedelta(hours=11), seen=timedelta(minutes=29))
    assert agent_client.get(PROTECTED).status_code == 200
    # The request counted as activity: the idle clock starts again.
    with agent_client.session_transaction() as session:
        assert utcnow().timestamp() - session["seen_at"] < 60


def test_a_session_idle_for_more_than_30_minutes_ends(agent_client):
    shift_session(agent_client, seen=timedelta(minutes=31))
    response = agent_client.get(PROTECTED)
    assert is_sent_to_login(response)
    page = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session a expiré" in page


def test_a_session_ends_12_hours_after_the_login_even_when_active(agent_client):
    shift_session(agent_client, started=timedelta(hours=12, minutes=1), seen=timedelta(minutes=1))
    assert is_sent_to_login(agent_client.get(PROTECTED))


def test_a_session_without_its_times_is_refused(agent_client):
    with agent_client.session_transaction() as session:
        session.pop("started_at", None)
        session.pop("seen_at", None)
    assert is_sent_to_login(agent_client.get(PROTECTED))


def test_a_cookie_signed_30_days_ago_is_refused(app, agent_client):
    # Re-signed by someone holding the key with a 30-day-old timestamp, its own times fresh: the
    # signature's age alone ends it.
    with agent_client.session_transaction() as session:
        data = dict(session)
    serializer = app.session_interface.get_signing_serializer(app)
    old = int(time.time()) - 30 * 24 * 3600

    class Then(TimestampSigner):
        def get_timestamp(self):
            return old

    serializer.signer = Then
    cookie = serializer.dumps(data)
    thief = new_client(app)
    thief.set_cookie("forums_session", cookie)
    assert is_sent_to_login(thief.get(PROTECTED))


def test_the_limits_are_settings(other_app, create_agent):
    short = other_app(SESSION_IDLE_MINUTES="5", SESSION_LIFETIME_HOURS="1")
    assert short.config["SESSION_IDLE_MINUTES"] == 5
    assert short.permanent_session_lifetime == timedelta(hours=1)
    browser = new_client(short)
    agent = create_agent(Role.PREFECTURE, department="13")
    browser.post("/auth/login", data={"email": agent.email, "password": "mot-de-passe-de-test-1"})
    shift_session(browser, seen=timedelta(minutes=6))
    assert is_sent_to_login(browser.get(PROTECTED))
