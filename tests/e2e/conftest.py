"""End-to-end fixtures: the test app served over real HTTP, and a headless Chromium driven by Selenium.

The browser is Debian's: ``chromium`` and ``chromedriver`` from PATH, or the paths in
FORUMS_TEST_CHROMIUM and FORUMS_TEST_CHROMEDRIVER. Selenium Manager is never asked to download
one: without them the tests are skipped, and the skip says what is missing.
"""
import importlib.util
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

#: Why the browser tests are skipped when Selenium itself is missing.
SELENIUM_MISSING = ("BROWSER TESTS NOT RUN: the Python package selenium is not installed "
                    "(.venv/bin/pip install -e '.[dev]').")
#: How long a page may take to load or change, in seconds: generous for 2 shared cores.
WAIT_SECONDS = 10


def browser_paths():
    """Return (chromium, chromedriver) as found on this machine; an entry is None when it is missing."""
    found = []
    for variable, command in (("FORUMS_TEST_CHROMIUM", "chromium"), ("FORUMS_TEST_CHROMEDRIVER", "chromedriver")):
        given = os.environ.get(variable)
        if given:
            found.append(given if Path(given).is_file() else None)
        else:
            found.append(shutil.which(command))
    return tuple(found)


def missing_browser_reason():
    """Return why the browser tests cannot run (naming what is missing and how to get it), or None."""
    if importlib.util.find_spec("selenium") is None:
        return SELENIUM_MISSING
    chromium, chromedriver = browser_paths()
    missing = [f"{name} ({os.environ.get(variable) or 'not on PATH'})"
               for name, variable, path in (("chromium", "FORUMS_TEST_CHROMIUM", chromium),
                                            ("chromedriver", "FORUMS_TEST_CHROMEDRIVER", chromedriver))
               if path is None]
    if missing:
        return (f"BROWSER TESTS NOT RUN: {' and '.join(missing)} missing; install them with "
                "`make browser` (Debian packages chromium and chromium-driver).")
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot and the page's HTML when a browser test fails, and name them in the report."""
    report = yield
    driver = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and driver is not None:
        folder = item.funcargs["tmp_path"]
        screenshot, source = folder / "failure.png", folder / "failure.html"
        try:
            driver.save_screenshot(str(screenshot))
            source.write_text(driver.page_source, encoding="utf-8")
        except Exception as error:  # a dead browser must not hide the test's own failure
            report.sections.append(("browser at failure", f"no screenshot: {error!r}"))
        else:
            report.sections.append(("browser at failure", f"{driver.current_url}\nscreenshot: {screenshot}\n"
                                                          f"page: {source}"))
    return report


class PageRequestHandler(WSGIRequestHandler):
    """Log the pages the browser asks for, shown when a test fails, not the dozens of assets each one pulls."""

    def log_request(self, code="-", size="-"):
        if not self.path.startswith("/static/"):
            super().log_request(code, size)


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 in a background thread; yield its base URL.

    The server shares the process, hence the app and its engine, with the test: what the test
    commits is what the server reads, and the `_clean_state` fixture empties the same database
    afterwards. Its requests run in their own app contexts, so they get their own sessions.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PageRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(WAIT_SECONDS)
        server.server_close()


@pytest.fixture
def browser(tmp_path):
    """Yield a headless Chromium driven by Selenium; skip the test, loudly, when the browser is missing.

    A browser that is installed but does not start is an error, not a skip.
    """
    reason = missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # No sandbox and no /dev/shm: containers and CI runners often lack both.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     # Wide enough for the DSFR's desktop header, where « Se déconnecter » is shown.
                     "--window-size=1280,1024",
                     f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(argument)
    # An explicit driver path keeps Selenium Manager, which would download a driver, out of the way.
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield driver
    finally:
        driver.quit()
