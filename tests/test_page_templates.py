"""The pages the accessibility checks walk through (tests/e2e/site_pages.py) render every page template."""
import re
from pathlib import Path

import pyotp
from flask import template_rendered

from .conftest import fresh_totp_code, new_client
from .e2e.site_pages import ACCOUNTS, NOT_PAGES, PASSWORD, VISITORS, expected_status, load_demo_site, pages

TEMPLATES = Path(__file__).parent.parent / "forums" / "templates"
#: A block element inside a legend, which holds only phrasing content and headings (the HTML validator refuses it).
BLOCK_IN_LEGEND = re.compile(r"<legend\b(?:(?!</legend>).)*?<(?:p|div|ul|ol)\b", re.S)


def page_templates():
    """Return the name of every template that is not a fragment (fragments start with "_")."""
    return {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")
            if not path.name.startswith("_")}


def sign_in(client, visitor):
    """Sign the visitor's demo account in, with its code, or enrolling its second factor first."""
    email = ACCOUNTS[visitor][0]
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    if response.location == "/auth/code":
        assert client.get("/auth/code").status_code == 200
        response = client.post("/auth/code", data={"code": fresh_totp_code(email)})
    elif response.location == "/auth/enrolment":
        page = client.get("/auth/enrolment").get_data(as_text=True)
        secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
        response = client.post("/auth/enrolment", data={"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 200, "the recovery codes are shown once enrolled"
    assert response.status_code in (200, 302), (visitor, response.status_code)


def test_the_pages_checked_for_accessibility_render_every_page_template_and_no_invalid_legend(app, db, demo_territories_dir):
    site = load_demo_site(app, demo_territories_dir)
    rendered, wrong, invalid = set(), [], []

    def record(sender, template, context, **extra):
        rendered.add(template.name)

    with template_rendered.connected_to(record, app):
        for visitor in VISITORS:
            client = new_client(app)
            if visitor != "anonymous":
                sign_in(client, visitor)
            for path in pages(visitor, site):
                response = client.get(path)
                if response.status_code != expected_status(path):
                    wrong.append((visitor, path, response.status_code))
                if BLOCK_IN_LEGEND.search(response.get_data(as_text=True)):
                    invalid.append(path)

    assert not wrong, "\n".join(map(str, wrong))
    assert not invalid, f"a block element inside a <legend>: {invalid}"
    assert page_templates() - set(NOT_PAGES) - rendered == set()
