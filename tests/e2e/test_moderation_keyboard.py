"""In a real browser, keyboard only: a moderator clears groups of the queue and decides a question of the queue.

No click: keys are sent to whatever has the focus, as a moderator without a mouse would. The
live region must say where the focus went, and the focused item must show the DSFR focus ring.
"""
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import Question, QuestionStatus, RejectionReason, Role

from ..conftest import PASSWORD
from .conftest import SELENIUM_MISSING, WAIT_SECONDS

pytest.importorskip("selenium", reason=SELENIUM_MISSING)

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402  (only once selenium is there)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.e2e

NOW = datetime.now(UTC)
ASKED = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir ?"
REPEATED = "Pourquoi les patrouilles de gendarmerie ont-elles disparu des villages du plateau depuis deux ans ?"
ALONE = "Les policiers municipaux de Marseille pourront-ils verbaliser les rodéos urbains sur les plages du Prado ?"


@pytest.fixture
def desk(db, create_agent, create_question):
    """A moderator of the Bouches-du-Rhône and a queue holding three groups; return their ids."""
    agent = create_agent(Role.MODERATOR, department="13", second_factor=False)
    original = create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=9))
    repeats = [create_question(ASKED, submitted_at=NOW - timedelta(days=5) + timedelta(hours=n)) for n in range(2)]
    exact = [create_question(REPEATED, submitted_at=NOW - timedelta(days=4) + timedelta(hours=n)) for n in range(3)]
    alone = create_question(ALONE, submitted_at=NOW - timedelta(days=3))
    data = {"email": agent.email, "original": original.id, "repeats": [q.id for q in repeats],
            "exact": [q.id for q in exact], "alone": alone.id, "alone_reference": alone.reference}
    # End the test's transaction: the server's threads write meanwhile (SQLite would make them wait).
    db.session.close()
    return data


def press(driver, *keys):
    """Send keys to the element that has the focus, as a keyboard does."""
    ActionChains(driver).send_keys(*keys).perform()


def wait_for(driver, condition, message):
    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(lambda d: condition(d), message)


def focused(driver):
    return driver.switch_to.active_element


def announced(driver):
    return driver.find_element(By.ID, "keyboard-live").get_attribute("textContent")


def load_after(driver, *keys):
    """Press ``keys`` and wait for the page they submit to be loaded."""
    driver.execute_script("window.leftBehind = true")
    press(driver, *keys)
    wait_for(driver, lambda d: d.execute_script("return !window.leftBehind && document.readyState === 'complete'"),
             "no new page after the keys")


def statuses(db, ids):
    db.session.expire_all()
    return [db.session.get(Question, question_id).status for question_id in ids]


def test_a_moderator_decides_groups_and_a_question_with_the_keyboard_only(browser, live_server, desk, db):
    browser.get(f"{live_server}/auth/login?next=/moderation/departements/13/groupes")
    browser.find_element(By.ID, "email").send_keys(desk["email"], Keys.TAB)
    load_after(browser, PASSWORD, Keys.ENTER)
    assert browser.current_url.endswith("/moderation/departements/13/groupes")
    assert browser.find_element(By.ID, "keyboard-help").is_displayed()

    # j, j, k: the second group, then back to the first; each move is said and ringed.
    press(browser, "j")
    wait_for(browser, lambda d: focused(d).get_attribute("id") == f"groupe-{desk['repeats'][0]}", "j: no first group")
    press(browser, "j")
    wait_for(browser, lambda d: "2 sur 3" in announced(d), "j: the second group was not announced")
    press(browser, "k")
    wait_for(browser, lambda d: "Groupe 1 sur 3 – Répète une question publiée : 2 questions" in announced(d),
             "k: the first group was not announced")
    assert browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle") == "solid"

    # m puts the focus on « Regrouper … avec » the original; Enter confirms.
    press(browser, "m")
    assert focused(browser).get_attribute("data-keyboard") == "merge"
    load_after(browser, Keys.ENTER)
    assert statuses(db, desk["repeats"]) == [QuestionStatus.MERGED] * 2
    assert "2 questions regroupées avec la question" in browser.find_element(By.TAG_NAME, "body").text

    # r goes to the reason: the first reason with the arrow, Tab to the note, Tab to « Refuser », Enter.
    press(browser, "j", "r")
    assert focused(browser).tag_name == "select"
    press(browser, Keys.ARROW_DOWN)
    load_after(browser, Keys.TAB, Keys.TAB, Keys.ENTER)
    assert statuses(db, desk["exact"]) == [QuestionStatus.REJECTED] * 3
    assert db.session.get(Question, desk["exact"][0]).rejection_reason is list(RejectionReason)[0]

    # On the queue, p ticks the current row and goes to « Publier la sélection ».
    browser.get(f"{live_server}/moderation/departements/13")
    press(browser, "j")
    wait_for(browser, lambda d: desk["alone_reference"] in announced(d), "j: the row was not announced")
    press(browser, "p")
    assert focused(browser).get_attribute("value") == "approve"
    load_after(browser, Keys.ENTER)
    assert statuses(db, [desk["alone"]]) == [QuestionStatus.PUBLISHED]
