"""On a 375-pixel phone, the home page's first screen holds the forum search and the next forums."""
import pytest

from forums.models import ForumStatus

from ..conftest import paris_time
from .conftest import SELENIUM_MISSING

pytest.importorskip("selenium", reason=SELENIUM_MISSING)

from selenium.webdriver.common.by import By  # noqa: E402  (only once selenium is known to be there)

pytestmark = pytest.mark.e2e

#: An iPhone SE-sized screen, in CSS pixels.
PHONE = (375, 667)


def top_and_bottom(driver, element):
    """Return where the element starts and ends, in CSS pixels from the top of the screen."""
    return driver.execute_script("const box = arguments[0].getBoundingClientRect(); return [box.top, box.bottom];",
                                 element)


def test_the_search_field_and_the_next_forum_show_without_scrolling(browser, live_server, db, create_forum):
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17), title="Forum de sécurité d'Aix")
    db.session.close()
    width, height = PHONE
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    browser.get(live_server + "/")
    assert browser.execute_script("return window.innerHeight") == height

    search = browser.find_element(By.ID, "commune-search-input")
    first_forum = browser.find_element(By.CSS_SELECTOR, "#next-forums-list li a")
    assert first_forum.text == "Forum de sécurité d'Aix"
    assert search.is_displayed() and top_and_bottom(browser, search)[1] <= height
    assert top_and_bottom(browser, first_forum)[1] <= height
