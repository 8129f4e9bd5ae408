"""Helpers of the browser tests: find controls as a user does (by their labels), follow links, sign in and out.

Imported once selenium is known to be installed (``pytest.importorskip`` in each browser test module).
"""
from urllib.parse import urlencode

from selenium.common.exceptions import JavascriptException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ..conftest import PASSWORD, fresh_totp_code
from .conftest import WAIT_SECONDS


def literal(value):
    """Quote ``value`` as an XPath string (French labels hold apostrophes, none holds both quotes)."""
    return f"'{value}'" if '"' in value else f'"{value}"'


def label(scope, text, exact=True):
    """Return the label reading ``text`` (or starting with it) in ``scope``, the page or a part of it."""
    own_text = "normalize-space(text()[1])"
    test = f"{own_text}={literal(text)}" if exact else f"starts-with({own_text}, {literal(text)})"
    return scope.find_element(By.XPATH, f".//label[{test}]")


def field(scope, text):
    """Return the control whose label reads ``text``, through the label's ``for``."""
    return scope.find_element(By.ID, label(scope, text).get_attribute("for"))


def button(scope, text):
    """Return the visible button reading ``text`` (the DSFR copies header buttons into a hidden mobile menu)."""
    found = [element for element in scope.find_elements(By.XPATH, f".//button[normalize-space()={literal(text)}]")
             if element.is_displayed()]
    assert found, f"no visible button « {text} »"
    return found[0]


def section(driver, element_id):
    """Return the visible text of the element ``element_id``, spaces collapsed."""
    return " ".join(driver.find_element(By.ID, element_id).text.split())


def header(driver):
    """Return the visible text of the site's header, where the logged-in agent is named."""
    return " ".join(driver.find_element(By.TAG_NAME, "header").text.split())


def badge(driver, element_id):
    """Return the text of the badge ``element_id`` in lower case: the DSFR shows badges in capitals."""
    return driver.find_element(By.ID, element_id).text.casefold()


def page_text(driver):
    """Return the visible text of the page, spaces collapsed."""
    return " ".join(driver.find_element(By.TAG_NAME, "body").text.split())


def follow(driver, element):
    """Click ``element`` and wait until the page it leads to is loaded.

    The current page's window gets a mark that the next page will not have. Waiting for the old
    page's elements to go stale instead is racy: chromedriver may answer « node does not belong to
    the document » while the navigation is under way.
    """
    leaving = driver.current_url
    driver.execute_script("window.leftBehind = true")
    element.click()
    # Polled often: the default half-second poll would dominate the journey's run time.
    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05, ignored_exceptions=(JavascriptException,)).until(
        lambda d: d.execute_script("return !window.leftBehind && document.readyState === 'complete'"),
        f"the page after {leaving} did not load")


def log_in(driver, server, path, email, full_name, password=PASSWORD):
    """Log in through the login form, landing on ``path``, and check that the header names the agent."""
    driver.get(f"{server}/auth/login?{urlencode({'next': path})}")
    field(driver, "Adresse électronique").send_keys(email)
    field(driver, "Mot de passe").send_keys(password)
    follow(driver, button(driver, "Se connecter"))
    if driver.current_url == f"{server}/auth/code":
        field(driver, "Code de vérification").send_keys(fresh_totp_code(email))
        follow(driver, button(driver, "Valider"))
    assert full_name in header(driver), page_text(driver)
    assert driver.current_url == f"{server}{path}"


def log_out(driver):
    """Log out with the header's button."""
    follow(driver, button(driver, "Se déconnecter"))
    assert "Vous êtes déconnecté." in page_text(driver)
