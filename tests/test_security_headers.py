"""Security headers on every public page, and the session cookie flags in production."""
import re
from html.parser import HTMLParser

import pytest

from forums import create_app

#: Every public page, including a page that does not exist.
PUBLIC_PAGES = [
    "/",
    "/mentions-legales",
    "/donnees-personnelles",
    "/accessibilite",
    "/gestion-des-cookies",
    "/plan-du-site",
    "/cette-page-n-existe-pas",
]


class InlineScripts(HTMLParser):
    """Collect the nonce attribute of every inline script (a script without src)."""

    def __init__(self):
        super().__init__()
        self.nonces = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.nonces.append(attrs.get("nonce"))


def csp_directives(response):
    """Return the Content-Security-Policy of ``response`` as {directive: [values]}."""
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def header_nonce(response):
    """Return the nonce the CSP header allows for scripts."""
    (nonce,) = [v for v in csp_directives(response)["script-src"] if v.startswith("'nonce-")]
    return nonce[len("'nonce-"):-1]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == (404 if "n-existe-pas" in path else 200)
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_have_no_inline_script(client, path):
    # Scripts are files: a cached public page could not carry the nonce of a later request.
    response = client.get(path)
    parser = InlineScripts()
    parser.feed(response.get_data(as_text=True))
    assert parser.nonces == []
    assert header_nonce(response)


def test_nonce_changes_on_every_request(client):
    nonces = {header_nonce(client.get("/mentions-legales")) for _ in range(3)}
    assert len(nonces) == 3
    assert all(len(nonce) >= 16 for nonce in nonces)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_inline_style_attribute_that_the_policy_would_block(client, path):
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"\sstyle\s*=", html)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/mentions-legales").headers
    secure = client.get("/mentions-legales", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(re.search(r"max-age=(\d+)", secure.headers["Strict-Transport-Security"]).group(1)) >= 31536000


def test_production_warns_when_mail_is_only_logged(caplog):
    create_app({"ENV": "production", "SECRET_KEY": "a-long-production-secret-for-tests",
                "DATABASE_URL": "sqlite://", "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
                "MAIL_BACKEND": "log"})

    assert "FORUMS_MAIL_BACKEND is log" in caplog.text


def test_session_cookie_is_httponly_lax_and_secure_in_production():
    app = create_app({"ENV": "production", "SECRET_KEY": "a-long-production-secret-for-tests",
                      "DATABASE_URL": "sqlite://", "RATELIMIT_STORAGE_URL": "memory://"})
    # The login form stores its CSRF token in the session, which sets the cookie.
    response = app.test_client().get("/auth/login", base_url="https://localhost")
    assert response.status_code == 200
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie")
                 if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" in attributes


def test_session_cookie_is_not_marked_secure_outside_production(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False
