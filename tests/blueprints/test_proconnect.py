"""Sign-in with ProConnect against a real OpenID provider on loopback: the flow and its failures."""
import html
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from forums.config import ConfigurationError
from forums.models import Role

from ..conftest import new_client
from ..oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, RunningProvider

CALLBACK = "http://localhost/auth/proconnect/retour"


@pytest.fixture
def provider(other_app):
    """Run the provider on loopback; ``provider.app`` is a Forums app configured to use it."""
    provider = Provider()
    with RunningProvider(provider):
        provider.redirect_uri = CALLBACK
        provider.app = other_app(PROCONNECT_CLIENT_ID=CLIENT_ID, PROCONNECT_CLIENT_SECRET=CLIENT_SECRET,
                                 PROCONNECT_DISCOVERY_URL=f"{provider.url}/.well-known/openid-configuration")
        yield provider


def leave_for_provider(browser, provider, **query):
    """Start the sign-in on ``browser``; return the provider's redirection back to Forums, unfollowed."""
    response = browser.get("/auth/proconnect", query_string=query)
    assert response.status_code == 302
    authorize = response.headers["Location"]
    assert authorize.startswith(f"{provider.url}/authorize?")
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return urlsplit(answer.headers["Location"])


def come_back(browser, back, **changes):
    """Follow the provider's redirection to the callback, some parameters changed."""
    params = {name: values[0] for name, values in parse_qs(back.query).items()} | changes
    return browser.get(back.path, query_string=params)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def test_proconnect_is_off_by_default(client):
    assert client.get("/auth/proconnect").status_code == 404
    assert client.get("/auth/proconnect/retour?code=x&state=y").status_code == 404
    assert "ProConnect" not in client.get("/auth/login").get_data(as_text=True)


def test_a_client_id_without_its_secret_is_refused_at_start(other_app):
    with pytest.raises(ConfigurationError, match="FORUMS_PROCONNECT_CLIENT_SECRET"):
        other_app(PROCONNECT_CLIENT_ID=CLIENT_ID)


def test_an_agent_signs_in_with_proconnect_matched_by_email(db, provider, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr")
    browser = new_client(provider.app)
    assert "S'identifier avec ProConnect" in text(browser.get("/auth/login"))
    response = browser.get("/auth/proconnect", query_string={"next": "/auth/password"})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["redirect_uri"] == [CALLBACK]
    back = urlsplit(requests.get(response.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])

    response = come_back(browser, back)

    assert response.status_code == 302 and response.headers["Location"] == "/auth/password"
    assert browser.get("/auth/password").status_code == 200
    assert db.session.get(type(agent), agent.id).last_login_at is not None


def test_a_ministry_agent_from_proconnect_is_not_asked_the_local_second_factor(provider, create_agent):
    create_agent(Role.MINISTRY, email="camille.martin@interieur.gouv.fr", second_factor=False)
    browser = new_client(provider.app)
    response = come_back(browser, leave_for_provider(browser, provider))
    assert response.headers["Location"] == "/ministry/"
    assert browser.get("/ministry/").status_code == 200


def test_a_wrong_state_is_refused(provider, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr")
    browser = new_client(provider.app)
    response = come_back(browser, leave_for_provider(browser, provider), state="un-autre-etat")
    assert response.status_code == 400 and "ProConnect n'a pas abouti" in text(response)
    assert browser.get("/auth/password").headers["Location"].startswith("/auth/login")


def test_a_replayed_code_is_refused(provider, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr")
    first = new_client(provider.app)
    back = leave_for_provider(first, provider)
    assert come_back(first, back).status_code == 302
    # The same answer again, in the same browser, then in another one that started its own sign-in.
    assert come_back(first, back).status_code == 400
    thief = new_client(provider.app)
    own = leave_for_provider(thief, provider)
    stolen_code = parse_qs(back.query)["code"][0]
    response = come_back(thief, own, code=stolen_code)
    assert response.status_code == 400
    assert thief.get("/auth/password").headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("forged", ["id_token", "userinfo"])
def test_a_bad_signature_is_refused(provider, create_agent, forged):
    create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr")
    provider.forge = forged
    browser = new_client(provider.app)
    response = come_back(browser, leave_for_provider(browser, provider))
    assert response.status_code == 400
    assert browser.get("/auth/password").headers["Location"].startswith("/auth/login")


def test_an_expired_id_token_is_refused(provider, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr")
    provider.id_token_lifetime = -600
    browser = new_client(provider.app)
    assert come_back(browser, leave_for_provider(browser, provider)).status_code == 400


@pytest.mark.parametrize("active", [None, False])
def test_an_unknown_or_disabled_identity_gets_a_clear_refusal(provider, create_agent, active):
    if active is False:
        create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr", active=False)
    else:
        create_agent(Role.PREFECTURE, department="13", email="quelquun.dautre@interieur.gouv.fr")
    browser = new_client(provider.app)
    response = come_back(browser, leave_for_provider(browser, provider))
    assert response.status_code == 403
    assert "Aucun compte d'agent actif" in text(response) and "camille.martin@interieur.gouv.fr" in text(response)
    assert browser.get("/auth/password").headers["Location"].startswith("/auth/login")


def test_logout_ends_the_provider_session_too(provider, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="camille.martin@interieur.gouv.fr")
    browser = new_client(provider.app)
    come_back(browser, leave_for_provider(browser, provider))

    response = browser.post("/auth/logout")

    end_session = urlsplit(response.headers["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == provider.url and end_session.path == "/session/end"
    hint = parse_qs(end_session.query)["id_token_hint"][0]
    assert browser.get("/auth/password").headers["Location"].startswith("/auth/login")
    back = urlsplit(requests.get(response.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    assert provider.logouts == [hint]
    response = come_back(browser, back)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "y compris de ProConnect" in text(browser.get("/auth/login"))
    assert come_back(browser, back).status_code == 400


def test_a_password_login_logs_out_locally_only(provider, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    browser = new_client(provider.app)
    browser.post("/auth/login", data={"email": agent.email, "password": "mot-de-passe-de-test-1"})
    assert browser.post("/auth/logout").headers["Location"] == "/auth/login"
    assert provider.logouts == []


LOADED_LIBRARIES = """
import sys
from forums import create_app
create_app({"ENV": "testing", "DATABASE_URL": "sqlite://", **dict(%r)})
print(sorted(name for name in ("authlib", "joserfc", "requests", "cryptography") if name in sys.modules))
"""


@pytest.mark.parametrize("settings, loaded", [
    ({}, "[]"),
    ({"PROCONNECT_CLIENT_ID": "c", "PROCONNECT_CLIENT_SECRET": "s"}, "['authlib', 'cryptography', 'joserfc', 'requests']"),
])
def test_the_identity_libraries_load_only_when_proconnect_is_configured(settings, loaded):
    # A fresh interpreter: this one has long imported them for the tests.
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-c", LOADED_LIBRARIES % (sorted(settings.items()),)], cwd=root,
                         capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(root)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == loaded
