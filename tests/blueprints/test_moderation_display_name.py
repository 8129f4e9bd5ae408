"""A moderator edits or removes the name a citizen chose to show: the page, the public site and the journal."""
import html

import pytest

from forums.models import AuditEvent, QuestionContact, QuestionStatus, Role
from forums.publication import publication_version

NAME = "Jean Dupuis 06 12 34 56 78"


@pytest.fixture
def moderator(create_agent, login):
    agent = create_agent(Role.MODERATOR, department="13")
    login(agent)
    return agent


def rename(client, question, name):
    return client.post(f"/moderation/questions/{question.id}/nom-affiche", data={"display_name-display_name": name})


def contact(db, question):
    db.session.expire_all()
    return db.session.get(QuestionContact, question.id)


def test_a_moderator_replaces_a_display_name_and_the_journal_keeps_neither(db, client, moderator, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED, display_name=NAME, email="jean@example.fr")
    before = publication_version(db.session)[0]

    response = rename(client, question, "  Un habitant\r\nd'Aix ")

    assert response.status_code == 303
    assert contact(db, question).display_name == "Un habitant d'Aix"
    assert contact(db, question).email == "jean@example.fr"
    assert publication_version(db.session)[0] > before
    [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "question.edit_display_name"))
    assert event.agent_id == moderator.id and event.department_code == "13"
    assert "Jean Dupuis" not in repr((event.summary, event.changes))
    assert "Un habitant" not in repr((event.summary, event.changes))
    page = html.unescape(client.get(f"/moderation/questions/{question.id}").get_data(as_text=True))
    assert "Le nom affiché est modifié." in page and "Un habitant d'Aix" in page


def test_an_empty_name_publishes_the_question_anonymously(db, client, moderator, create_question):
    question = create_question(status=QuestionStatus.PENDING, display_name=NAME)
    assert rename(client, question, "").status_code == 303
    assert contact(db, question).display_name is None


@pytest.mark.parametrize("name, message", [
    ("x" * 81, "80 caractères"),
    (NAME, "identique"),
])
def test_refusals_are_french_next_to_the_field(db, client, moderator, create_question, name, message):
    question = create_question(status=QuestionStatus.PUBLISHED, display_name=NAME)
    response = rename(client, question, name)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert contact(db, question).display_name == NAME


def test_other_roles_and_territories_may_not(db, client, login, create_agent, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED, display_name=NAME)
    login(create_agent(Role.MODERATOR, department="75"))
    assert rename(client, question, "Autre").status_code == 404
    login(create_agent(Role.MINISTRY))
    assert rename(client, question, "Autre").status_code == 403
    assert contact(db, question).display_name == NAME
