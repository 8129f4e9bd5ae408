"""In a real browser: a sub-prefect records minutes, the prefecture publishes and submits, the ministry sees it.

Fields are found through their visible labels, as a user finds them, so a label that stops being
tied to its control fails here too. Forms carry their CSRF token, which is checked for this test.
"""
from datetime import date, timedelta

import pytest

from forums.models import ForumStatus, Role

from ..conftest import paris_time
from ..test_file_types import pdf_bytes
from .conftest import SELENIUM_MISSING

pytest.importorskip("selenium", reason=SELENIUM_MISSING)

from selenium.webdriver.common.by import By  # noqa: E402  (only once selenium is known to be there)
from selenium.webdriver.support.ui import Select

from .browsing import badge, button, field, follow, header, label, log_in, log_out, page_text, section

pytestmark = pytest.mark.e2e

FORUM_TITLE = "Forum d'Aix"
SIGNED_NAME = "compte-rendu-signe.pdf"
CONCERNS = "Caméras en panne près de la gare."
ANSWERS = "Réparation prévue en avril."
PROPOSAL = "Installer deux caméras place de la gare."
OWN_TEXT = "Les habitants d'Aix attendent surtout des caméras qui fonctionnent."


@pytest.fixture
def department(db, consultation, create_forum, create_agent, subtopics):
    """Department 13 with one held forum (Aix, arrondissement 131) and its three agents; return their data.

    It is the department's only forum, so once its minutes are in, the synthesis may be submitted;
    the deadline is a month ahead, so the submission is on time (« Transmise », not late).
    """
    consultation.synthesis_due_on = date.today() + timedelta(days=30)
    forum = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17), title=FORUM_TITLE)
    agents = {role: create_agent(role, department="13" if role is Role.PREFECTURE else None,
                                 arrondissement="131" if role is Role.SUBPREFECTURE else None)
              for role in (Role.SUBPREFECTURE, Role.PREFECTURE, Role.MINISTRY)}
    data = {"forum_id": forum.id, **{role: (agent.email, agent.full_name) for role, agent in agents.items()}}
    # Reading the ids above opened a transaction: end it, so that no snapshot of the test's outlives
    # the setup while the server's threads write (SQLite would make them wait on it).
    db.session.close()
    return data


@pytest.fixture
def signed_pdf(tmp_path):
    """Return the path of a small valid PDF, the signed minutes to upload."""
    path = tmp_path / SIGNED_NAME
    path.write_bytes(pdf_bytes())
    return path


def test_minutes_then_synthesis_from_the_sub_prefect_to_the_ministry(browser, live_server, department, signed_pdf,
                                                                    app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    # Cached assets: without it the browser revalidates the twenty-odd DSFR files of every page.
    monkeypatch.setitem(app.config, "SEND_FILE_MAX_AGE_DEFAULT", 3600)
    forum_id = department["forum_id"]

    # 1. The sub-prefect writes the minutes of the held forum.
    log_in(browser, live_server, f"/prefecture/forums/{forum_id}", *department[Role.SUBPREFECTURE])
    assert FORUM_TITLE in section(browser, "contenu")
    follow(browser, browser.find_element(By.LINK_TEXT, "Rédiger le compte-rendu"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Rédiger le compte-rendu"
    field(browser, "Public").send_keys("85")
    field(browser, "Élus").send_keys("6")
    field(browser, "Durée réelle du forum, en minutes").send_keys("135")
    video = browser.find_element(By.XPATH, '//fieldset[legend[normalize-space()="1.A.1 – Vidéo-protection"]]')
    field(video, "Préoccupations exprimées").send_keys(CONCERNS)
    field(video, "Réponses apportées").send_keys(ANSWERS)
    row = browser.find_element(By.ID, "proposal-1")
    Select(field(row, "Thème ou sous-thème")).select_by_visible_text("1.A.1 – Vidéo-protection")
    Select(field(row, "Origine")).select_by_visible_text("Élu")
    field(row, "Proposition").send_keys(PROPOSAL)
    follow(browser, button(browser, "Enregistrer le compte-rendu"))

    assert "Le compte-rendu est enregistré." in page_text(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Compte-rendu du forum « {FORUM_TITLE} »"
    attendance = browser.find_element(By.ID, "attendance-title").find_element(By.XPATH, "following::table[1]")
    assert "Public 85" in attendance.text and "Élus 6" in attendance.text
    assert section(browser, "attendance-total") == "91"
    assert section(browser, "duration") == "Durée réelle : 2 h 15"
    assert section(browser, "concerns-1.A.1") == CONCERNS
    assert section(browser, "answers-1.A.1") == ANSWERS
    assert f"1.A.1 – Vidéo-protection Élu {PROPOSAL}" in section(browser, "proposals")
    assert badge(browser, "signed-missing") == "compte-rendu signé non joint"

    # 2. The sub-prefect attaches the signed document.
    upload = browser.find_element(By.ID, "upload-form")
    field(upload, "Document").send_keys(str(signed_pdf))
    Select(field(upload, "Nature du document")).select_by_visible_text("Compte-rendu signé")
    follow(browser, button(upload, "Joindre le document"))

    assert f"Le document « {SIGNED_NAME} » est joint au compte-rendu." in page_text(browser)
    assert f"{SIGNED_NAME} Compte-rendu signé" in section(browser, "attachments")
    assert not browser.find_elements(By.ID, "signed-missing")
    log_out(browser)

    # 3. The prefecture publishes the public summary; an anonymous visitor reads it.
    log_in(browser, live_server, f"/prefecture/forums/{forum_id}", *department[Role.PREFECTURE])
    follow(browser, browser.find_element(By.ID, "minutes-link"))
    assert badge(browser, "summary-status") == "non publiée"
    follow(browser, button(browser, "Publier la synthèse publique"))
    assert "La synthèse publique est en ligne sur la page du forum." in page_text(browser)
    assert badge(browser, "summary-status") == "en ligne"
    log_out(browser)

    browser.get(f"{live_server}/forums/{forum_id}")
    assert "Espace agents" in header(browser)
    attendance = section(browser, "summary-attendance")
    assert "Public 85" in attendance and "Total 91" in attendance
    assert CONCERNS in section(browser, "summary-concerns")
    assert f"{PROPOSAL} (Vidéo-protection — origine : Élu)" in section(browser, "summary-proposals")
    assert SIGNED_NAME not in page_text(browser)

    # 4. The prefecture prepares the departmental synthesis, writes its own text beside the computed one,
    # and submits it.
    log_in(browser, live_server, "/prefecture/departements/13/synthese", *department[Role.PREFECTURE])
    assert badge(browser, "synthesis-status") == "non commencée"
    follow(browser, button(browser, "Préparer le projet de synthèse"))
    assert "Le projet de synthèse est préparé" in page_text(browser)
    assert badge(browser, "synthesis-status") == "projet"
    assert "Tous les forums tenus ont leur compte-rendu." in section(browser, "check-minutes")
    follow(browser, browser.find_element(By.LINK_TEXT, "Rédiger le texte de la préfecture"))
    assert "Texte calculé à partir des données du département" in page_text(browser)
    field(browser, "Votre texte — Éclairage de la préfecture").send_keys(OWN_TEXT)
    follow(browser, button(browser, "Enregistrer"))
    assert "votre texte est enregistré" in page_text(browser)
    follow(browser, browser.find_element(By.LINK_TEXT, "Retour à la synthèse"))
    follow(browser, browser.find_element(By.LINK_TEXT, "Transmettre au ministère"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Transmettre la synthèse au ministère"
    assert not browser.find_elements(By.ID, "early")
    confirmation = label(browser, "Je confirme la transmission", exact=False)
    confirmation.click()
    assert browser.find_element(By.ID, confirmation.get_attribute("for")).is_selected()
    follow(browser, button(browser, "Transmettre la synthèse"))

    assert "La synthèse est transmise au ministère." in page_text(browser)
    assert badge(browser, "synthesis-status") == "transmise"
    assert "Transmise au ministère le" in section(browser, "status-banner")
    assert department[Role.PREFECTURE][1] in section(browser, "status-banner")
    log_out(browser)

    # 5. The ministry sees the synthesis submitted on its dashboard.
    log_in(browser, live_server, "/ministry/tableau-de-bord", *department[Role.MINISTRY])
    row = browser.find_element(By.ID, "departement-13")
    assert "13 – Bouches-du-Rhône" in row.text
    assert row.find_element(By.CLASS_NAME, "fr-badge").text.casefold() == "transmise"
    assert "1 synthèse transmise sur 4 départements" in page_text(browser)
    follow(browser, row.find_element(By.LINK_TEXT, "13 – Bouches-du-Rhône"))
    assert OWN_TEXT in page_text(browser)
    assert "source:" not in browser.page_source
