"""The moderators' daily digest: who gets it, what it says, once a day."""
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from forums.models import Consultation, MailStatus, OutgoingMail, QuestionStatus, Role
from forums.services.digests import DIGEST_KIND, queue_moderation_digests

from ..conftest import paris_time

PUBLIC_URL = "https://forums-securite.interieur.gouv.fr"
TODAY = date(2009, 3, 20)


@pytest.fixture(autouse=True)
def public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)


def queue_link(app, code):
    """Return the absolute address of a department's moderation queue."""
    with app.test_request_context():
        return PUBLIC_URL + url_for("moderation.queue", code=code)


@pytest.fixture
def backlog(create_agent, create_question):
    """Pending questions in 13 (three) and 2A (one); agents of every kind around them."""
    agents = {
        "moderator": create_agent(Role.MODERATOR, department="13"),
        "prefecture": create_agent(Role.PREFECTURE, department="13"),
        "inactive": create_agent(Role.MODERATOR, department="13", active=False),
        "subprefecture": create_agent(Role.SUBPREFECTURE, arrondissement="131"),
        "ministry": create_agent(Role.MINISTRY),
        "paris": create_agent(Role.MODERATOR, department="75"),
        "corse": create_agent(Role.PREFECTURE, department="2A"),
    }
    # 00:30 in Paris on 16 March is still 15 March in UTC: the age is counted in Paris days.
    create_question("Pourquoi la vidéo-protection ne couvre-t-elle pas la gare ?",
                    submitted_at=paris_time(2009, 3, 16, 0, 30))
    create_question(submitted_at=paris_time(2009, 3, 18))
    create_question(submitted_at=paris_time(2009, 3, 20, 9, 0))
    create_question(status=QuestionStatus.PUBLISHED, submitted_at=paris_time(2009, 3, 1))
    create_question(status=QuestionStatus.REJECTED, submitted_at=paris_time(2009, 3, 2))
    create_question(department="2A", submitted_at=paris_time(2009, 3, 19))
    return agents


def test_each_agent_who_may_moderate_gets_one_digest(db, backlog):
    run = queue_moderation_digests(today=TODAY)
    db.session.commit()

    assert sorted(mail.recipient for mail in run.mails) == sorted(
        backlog[name].email for name in ("moderator", "prefecture", "corse")
    )
    assert [(d.code, d.pending, d.oldest_days, len(d.queued)) for d in run.departments] == [
        ("13", 3, 4, 2), ("2A", 1, 1, 1),
    ]
    keys = db.session.scalars(select(OutgoingMail.dedupe_key).order_by(OutgoingMail.id)).all()
    assert keys == [f"digest:2009-03-20:{backlog[name].id}" for name in ("moderator", "prefecture", "corse")]
    assert {mail.kind for mail in run.mails} == {DIGEST_KIND}
    assert {mail.status for mail in run.mails} == {MailStatus.PENDING}


def test_the_digest_gives_the_count_the_oldest_age_and_the_queue_link(app, db, backlog):
    run = queue_moderation_digests(today=TODAY)
    by_recipient = {mail.recipient: mail for mail in run.mails}

    mail = by_recipient[backlog["moderator"].email]
    assert mail.subject == "3 questions attendent votre modération – Bouches-du-Rhône"
    assert mail.body.startswith("Bonjour Agent Modération (département),\n\n")
    assert ("3 questions déposées par des citoyens attendent une décision de modération "
            "dans le département 13 – Bouches-du-Rhône.\n") in mail.body
    assert "La plus ancienne a été déposée il y a 4 jours.\n" in mail.body
    assert "délai de traitement de 10 jours ouvrés" in mail.body
    assert f"Ouvrir la file de modération :\n{queue_link(app, '13')}\n" in mail.body
    # Counts only: never a citizen's words.
    assert "vidéo-protection" not in mail.body

    corse = by_recipient[backlog["corse"].email]
    assert corse.subject == "1 question attend votre modération – Corse-du-Sud"
    assert "1 question déposée par un citoyen attend une décision de modération" in corse.body
    assert "La question a été déposée hier.\n" in corse.body
    assert queue_link(app, "2A") in corse.body


def test_a_question_of_the_day_is_said_to_be_from_today(db, create_agent, create_question):
    create_agent(Role.MODERATOR, department="13")
    create_question(submitted_at=paris_time(2009, 3, 20, 0, 5))

    [mail] = queue_moderation_digests(today=TODAY).mails

    assert "La question a été déposée aujourd'hui." in mail.body


def test_running_twice_the_same_day_queues_nothing_new(db, backlog):
    queue_moderation_digests(today=TODAY)
    db.session.commit()

    again = queue_moderation_digests(today=TODAY)
    db.session.commit()

    assert again.mails == []
    assert [(d.code, d.already_queued) for d in again.departments] == [("13", 2), ("2A", 1)]
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 3


def test_the_next_day_brings_a_new_digest(db, backlog):
    queue_moderation_digests(today=TODAY)
    db.session.commit()

    next_day = queue_moderation_digests(today=TODAY + timedelta(days=1))

    assert len(next_day.mails) == 3
    assert all(mail.dedupe_key.startswith("digest:2009-03-21:") for mail in next_day.mails)
    assert [d.oldest_days for d in next_day.departments] == [5, 2]


def test_an_agent_added_later_in_the_day_still_gets_it(db, backlog, create_agent):
    queue_moderation_digests(today=TODAY)
    db.session.commit()
    newcomer = create_agent(Role.MODERATOR, department="13")

    run = queue_moderation_digests(today=TODAY)

    assert [mail.recipient for mail in run.mails] == [newcomer.email]


def test_a_department_where_nobody_may_moderate_is_reported(db, create_agent, create_question):
    create_agent(Role.MODERATOR, department="13", active=False)
    create_agent(Role.SUBPREFECTURE, arrondissement="131")
    create_question(department="972")
    create_question(department="13")

    run = queue_moderation_digests(today=TODAY)

    assert run.mails == []
    assert [(d.code, d.unattended) for d in run.departments] == [("13", True), ("972", True)]


def test_questions_of_another_consultation_do_not_count(db, backlog):
    Consultation.current().is_current = False
    db.session.add(Consultation(slug="2010", name="Autre consultation", meetings_start_on=date(2010, 3, 1),
                                meetings_end_on=date(2010, 4, 1), synthesis_due_on=date(2010, 4, 10),
                                is_current=True))
    db.session.commit()

    run = queue_moderation_digests(today=TODAY)

    assert run.departments == () and run.mails == []


def test_nothing_waits_nothing_is_sent(db, create_agent, create_question):
    create_agent(Role.MODERATOR, department="13")
    create_question(status=QuestionStatus.PUBLISHED)

    assert queue_moderation_digests(today=TODAY).departments == ()
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def test_counts_take_one_query_whatever_the_number_of_departments(db, backlog, create_agent, create_question,
                                                                 count_queries):
    create_agent(Role.MODERATOR, department="75")
    create_question(department="75")
    create_question(department="972")

    with count_queries() as statements:
        run = queue_moderation_digests(today=TODAY)

    assert len(run.departments) == 4
    on_questions = [s for s in statements if "FROM questions" in s or "JOIN questions" in s]
    assert len(on_questions) == 1
    assert "GROUP BY" in on_questions[0]
    # The current consultation, the counts, the agents, the keys sent before, then one insert per digest.
    assert len(statements) == 4 + len(run.mails)
