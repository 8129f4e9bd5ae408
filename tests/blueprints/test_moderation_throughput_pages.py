"""Throughput shown: the pace of the department's queue on the desk, the national backlog on the ministry's dashboard."""
import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import QuestionStatus, Role

NOW = datetime.now(UTC)


def page_text(response):
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def figure(page, name):
    """Return the text of the desk's figure ``name`` (pending, oldest, overdue, rate, clearing), spaces collapsed."""
    found = re.search(rf'id="throughput-{name}">(.*?)</p>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture
def busy_department(create_question):
    """Department 13: four questions waiting (two for more than three weeks), two decided within the hour."""
    for days in (1, 2, 22, 30):
        create_question(submitted_at=NOW - timedelta(days=days, hours=1))
    for minutes in (10, 40):
        create_question(status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=3),
                        moderated_at=NOW - timedelta(minutes=minutes))
    create_question(status=QuestionStatus.REJECTED, submitted_at=NOW - timedelta(days=3),
                    moderated_at=NOW - timedelta(hours=3))


def test_the_desk_shows_what_waits_and_the_pace(client, create_agent, login, busy_department):
    login(create_agent(Role.MODERATOR, department="13"))
    page = page_text(client.get("/moderation/departements/13"))
    assert figure(page, "pending") == "4 questions"
    assert figure(page, "oldest") == "30 jours"
    assert figure(page, "overdue") == "2 questions"
    assert "Au-delà du délai promis (10 jours ouvrés)" in page
    assert figure(page, "rate") == "2 décisions"
    # Four questions at two an hour.
    assert figure(page, "clearing") == "environ 2 heures"


def test_the_desk_without_decisions_or_questions(client, create_agent, login, create_question, db):
    login(create_agent(Role.PREFECTURE, department="13"))
    page = page_text(client.get("/moderation/departements/13"))
    assert (figure(page, "pending"), figure(page, "oldest"), figure(page, "overdue"), figure(page, "clearing")) == (
        "0 question", "—", "aucune", "file vide")
    create_question(submitted_at=NOW - timedelta(hours=5))
    page = page_text(client.get("/moderation/departements/13"))
    assert (figure(page, "pending"), figure(page, "rate"), figure(page, "clearing")) == (
        "1 question", "0 décision", "aucune décision depuis une heure")


def test_the_dashboard_shows_the_national_backlog_and_the_departments_furthest_behind(
        client, create_agent, login, create_question, busy_department):
    for days in (15, 16, 18):
        create_question(department="75", submitted_at=NOW - timedelta(days=days))
    create_question(department="2A", submitted_at=NOW - timedelta(days=1))
    login(create_agent(Role.MINISTRY))

    page = page_text(client.get("/ministry/tableau-de-bord"))

    section = re.search(r'<section[^>]*id="moderation">(.*?)</section>', page, re.S).group(1)
    backlog = " ".join(re.sub(r"<[^>]+>", " ", section).split()).replace(" ,", ",").replace(" ;", ";")
    assert "8 questions en attente de modération dans le pays, la plus ancienne depuis 30 jours" in backlog
    assert "5 questions au-delà du délai promis aux citoyens (10 jours ouvrés)" in backlog
    assert "2 décisions depuis une heure, soit environ 4 heures pour tout traiter à ce rythme" in backlog
    # The most late first; a department on time is not listed; the ministry may open each queue.
    assert re.findall(r'<tr id="retard-(\w+)">', page) == ["75", "13"]
    assert '<a href="/moderation/departements/75">75 – Paris</a>' in page


def test_the_dashboard_when_every_queue_is_on_time(client, create_agent, login, create_question):
    create_question(submitted_at=NOW - timedelta(days=1))
    login(create_agent(Role.ADMIN))
    page = page_text(client.get("/ministry/tableau-de-bord"))
    assert "Aucun département n'a de question en attente au-delà du délai promis." in page
    assert re.search(r'<strong id="backlog">1 question en attente de modération</strong> dans le pays', page)
