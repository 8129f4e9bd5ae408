"""axe-core in a real browser, on every page template, for every visitor: no serious or critical violation.

The rules are WCAG 2.1 levels A and AA. The pages are those of tests/e2e/site_pages.py, on the demo
data; each visitor has one browser session, signed in once. axe-core comes from npm
(devDependencies of package.json, installed by `make assets`); without it the test is skipped and
says so, as without the browser.
"""
import re
from pathlib import Path

import pyotp
import pytest

from ..conftest import fresh_totp_code
from .conftest import SELENIUM_MISSING
from .site_pages import ACCOUNTS, PASSWORD, VISITORS, load_demo_site, pages

pytest.importorskip("selenium", reason=SELENIUM_MISSING)

from selenium.webdriver.common.by import By  # noqa: E402  (only once selenium is known to be there)

from .browsing import button, field, follow, header, page_text  # noqa: E402

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = "ACCESSIBILITY TESTS NOT RUN: node_modules/axe-core is missing; install it with `make assets`."
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
#: Impacts that fail the test; "minor" and "moderate" ones are left to review.
FAILING_IMPACTS = {"serious", "critical"}
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, arguments[0]).then(result => done(result.violations), error => done(String(error)));
"""


@pytest.fixture(scope="module")
def axe_source():
    """Return axe-core's script, or skip (loudly) when npm has not installed it."""
    if not AXE.is_file():
        pytest.skip(AXE_MISSING)
    return AXE.read_text(encoding="utf-8")


def serious_violations(driver, axe_source):
    """Return "rule (impact): targets" for each serious or critical violation on the current page."""
    # Each page is a new document: axe is injected again (WebDriver's scripts are not subject to the CSP).
    driver.execute_script(axe_source)
    driver.set_script_timeout(30)
    violations = driver.execute_async_script(RUN_AXE, AXE_OPTIONS)
    assert isinstance(violations, list), violations
    return [f"{violation['id']} ({violation['impact']}): "
            + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in violations if violation["impact"] in FAILING_IMPACTS]


def sign_in(driver, server, visitor, check):
    """Sign the visitor's demo account in, checking the second factor's pages on the way with ``check``.

    The ministry's account gives its code; the administrator's has no second factor yet: it enrols,
    then is shown its recovery codes.
    """
    email, full_name = ACCOUNTS[visitor]
    driver.get(f"{server}/auth/login")
    field(driver, "Adresse électronique").send_keys(email)
    field(driver, "Mot de passe").send_keys(PASSWORD)
    follow(driver, button(driver, "Se connecter"))
    if driver.current_url == f"{server}/auth/code":
        check()
        field(driver, "Code de vérification").send_keys(fresh_totp_code(email))
        follow(driver, button(driver, "Valider"))
    elif driver.current_url == f"{server}/auth/enrolment":
        check()
        secret = driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
        field(driver, "Code de vérification").send_keys(pyotp.TOTP(secret).now())
        follow(driver, button(driver, "Activer"))
        check()
    assert full_name in header(driver), page_text(driver)


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_page_has_a_serious_accessibility_violation(browser, live_server, app, db, demo_territories_dir,
                                                       axe_source, visitor, monkeypatch):
    # Cached assets: without it the browser revalidates the twenty-odd DSFR files of every page.
    monkeypatch.setitem(app.config, "SEND_FILE_MAX_AGE_DEFAULT", 3600)
    site = load_demo_site(app, demo_territories_dir)
    db.session.close()
    found = {}

    def check():
        path = re.sub(r"^https?://[^/]+", "", browser.current_url)
        found[path] = serious_violations(browser, axe_source)

    if visitor != "anonymous":
        sign_in(browser, live_server, visitor, check)
    for path in pages(visitor, site):
        browser.get(live_server + path)
        check()

    failing = {path: violations for path, violations in found.items() if violations}
    assert not failing, "\n".join(f"{path}\n  " + "\n  ".join(violations) for path, violations in failing.items())


def test_the_check_fails_on_a_serious_violation(browser, axe_source):
    browser.get("data:text/html;charset=utf-8,<html lang='fr'><title>Essai</title><main><img src='x.png'></main></html>")

    assert serious_violations(browser, axe_source) == ["image-alt (critical): img"]
