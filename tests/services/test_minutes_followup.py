"""Following the minutes: what is missing, with the days since each forum, and the reminders by e-mail."""
import pytest
from flask import url_for
from sqlalchemy import select

from forums.models import (
    AttachmentKind, ForumStatus, MailStatus, Minutes, MinutesAttachment, OutgoingMail, Role,
)
from forums.services.minutes_followup import REMINDER_KIND, followup, send_minutes_reminders

from ..conftest import paris_time

PUBLIC_URL = "https://forums-securite.interieur.gouv.fr"
#: Tuesday 24 March 2009, 9:00 in Paris.
NOW = paris_time(2009, 3, 24, 9, 0)


def add_minutes(db, forum, signed=False):
    minutes = Minutes(forum=forum, department_code=forum.department_code, consultation_id=forum.consultation_id,
                      version_number=1)
    db.session.add(minutes)
    kind = AttachmentKind.SIGNED if signed else AttachmentKind.OTHER
    db.session.add(MinutesAttachment(minutes=minutes, kind=kind, original_name="document.pdf",
                                     storage_name=f"{forum.id:032x}.pdf", mime_type="application/pdf", size=3,
                                     sha256="0" * 64))
    db.session.commit()
    return minutes


@pytest.fixture
def forums(db, create_forum):
    """Forums of the Bouches-du-Rhône in every situation, as of NOW."""
    made = {
        # Held, without minutes, in Aix (131) and in Arles (132).
        "aix": create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix"),
        "arles": create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 21), title="Forum d'Arles",
                              commune="13004", cantons=["1306"]),
        # Published, started yesterday, never marked held: due its minutes all the same.
        "berre": create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 23), title="Forum de Berre",
                              commune="13014", cantons=["1305"]),
        # With minutes: one without its signed document, one complete.
        "unsigned": create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 19), title="Sans signature"),
        "complete": create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 18), title="Complet"),
        # Never due: future, draft, cancelled, another department.
        "future": create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 30), title="À venir"),
        "draft": create_forum(status=ForumStatus.DRAFT, starts_at=paris_time(2009, 3, 16), title="Brouillon"),
        "cancelled": create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2009, 3, 16), title="Annulé"),
        "paris": create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum de Paris",
                              department="75", commune="75056", cantons=["7501"]),
    }
    add_minutes(db, made["unsigned"])
    add_minutes(db, made["complete"], signed=True)
    return made


def titles(items):
    return [(item.forum.title, item.days_since) for item in items]


def test_the_department_lists_forums_without_minutes_and_without_signed_document(forums, consultation):
    result = followup("13", consultation.id, now=NOW)

    # The oldest first, with the whole days elapsed since the forum began.
    assert titles(result.without_minutes) == [("Forum d'Aix", 6), ("Forum d'Arles", 2), ("Forum de Berre", 0)]
    assert titles(result.without_signed_document) == [("Sans signature", 4)]
    assert result.without_signed_document[0].minutes is forums["unsigned"].minutes
    assert result.without_minutes[0].minutes is None


def test_an_arrondissement_lists_its_own_forums(forums, consultation):
    result = followup("13", consultation.id, arrondissement_code="132", now=NOW)

    assert titles(result.without_minutes) == [("Forum d'Arles", 2)]
    assert result.without_signed_document == []


def test_the_follow_up_costs_two_queries_whatever_the_number_of_forums(db, forums, consultation, create_forum,
                                                                       count_queries):
    consultation_id = consultation.id

    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            result = followup("13", consultation_id, now=NOW)
            [(item.forum.arrondissement.name, item.forum.minutes) for item in result.without_minutes]
            [item.minutes.has_signed_document for item in result.without_signed_document]
        return len(statements)

    before = queries()
    for day in range(3):
        forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 10 + day), title=f"Forum {day}")
        add_minutes(db, forum)

    assert before == queries() == 2


# --- reminders ------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)


@pytest.fixture
def agents(create_agent):
    """Who may be reminded: sub-prefects of Aix (one inactive), the prefecture, and agents never concerned."""
    return {
        "aix": create_agent(Role.SUBPREFECTURE, arrondissement="131"),
        "aix_inactive": create_agent(Role.SUBPREFECTURE, arrondissement="131", active=False),
        "prefecture": create_agent(Role.PREFECTURE, department="13"),
        "prefecture_bis": create_agent(Role.PREFECTURE, department="13"),
        "moderator": create_agent(Role.MODERATOR, department="13"),
        "ministry": create_agent(Role.MINISTRY),
        "paris": create_agent(Role.PREFECTURE, department="75"),
    }


def outbox(db):
    db.session.expire_all()
    return db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()


def recipients(mails):
    return sorted((mail.recipient, mail.subject.startswith("Copie")) for mail in mails)


def remind(db, now, **options):
    run = send_minutes_reminders(now=now, **options)
    db.session.commit()
    return run


def test_three_days_after_a_forum_the_sub_prefecture_is_reminded(db, app, create_forum, agents):
    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")

    run = remind(db, paris_time(2009, 3, 20, 7, 0))

    [mail] = outbox(db)
    assert (mail.recipient, mail.kind, mail.status) == (agents["aix"].email, REMINDER_KIND, MailStatus.PENDING)
    assert mail.dedupe_key == f"minutes-reminder:{forum.id}:3:{agents['aix'].id}"
    assert mail.subject == "Compte-rendu attendu : forum « Forum d'Aix » du mardi 17 mars 2009"
    with app.test_request_context():
        link = PUBLIC_URL + url_for("minutes.edit", forum_id=forum.id)
    assert f"{link}\n" in mail.body
    assert "il y a 3 jours" in mail.body and "Aix-en-Provence" in mail.body
    [reminder] = run.reminders
    assert (reminder.forum, reminder.days, reminder.queued, reminder.copied, reminder.already) == (
        forum, 3, (agents["aix"].email,), (), 0)
    assert run.queued_count == 1 and [m.id for m in run.mails] == [mail.id]


def test_seven_days_after_the_prefecture_is_copied(db, create_forum, agents):
    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    remind(db, paris_time(2009, 3, 20, 7, 0))

    run = remind(db, paris_time(2009, 3, 24, 7, 0))

    mails = outbox(db)[1:]
    assert recipients(mails) == sorted([(agents["aix"].email, False), (agents["prefecture"].email, True),
                                        (agents["prefecture_bis"].email, True)])
    assert all(mail.subject.startswith(("Rappel", "Copie – Rappel")) for mail in mails)
    assert all(f":{forum.id}:7:" in mail.dedupe_key for mail in mails)
    copy = next(mail for mail in mails if mail.recipient == agents["prefecture"].email)
    assert "en copie" in copy.body
    [reminder] = run.reminders
    assert (reminder.days, len(reminder.queued), len(reminder.copied)) == (7, 1, 2)


def test_reminders_go_to_the_prefecture_when_the_arrondissement_has_no_agent(db, create_forum, agents):
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), commune="13004", cantons=["1306"])

    remind(db, paris_time(2009, 3, 20, 7, 0))
    remind(db, paris_time(2009, 3, 24, 7, 0))

    # Responsible at both stages, the prefecture gets each reminder once, never an extra copy.
    assert sorted((m.recipient, m.dedupe_key.split(":")[2]) for m in outbox(db)) == sorted(
        (agents[name].email, days) for name in ("prefecture", "prefecture_bis") for days in ("3", "7"))


def test_running_twice_queues_nothing_new(db, create_forum, agents):
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    remind(db, paris_time(2009, 3, 20, 7, 0))

    again = remind(db, paris_time(2009, 3, 20, 18, 0))
    two_days_later = remind(db, paris_time(2009, 3, 22, 7, 0))

    assert len(outbox(db)) == 1
    assert again.queued_count == two_days_later.queued_count == 0
    assert again.already_count == two_days_later.already_count == 1


def test_a_forum_found_late_gets_the_seven_day_reminder_only_once(db, create_forum, agents):
    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 15))

    remind(db, paris_time(2009, 3, 24, 7, 0))
    remind(db, paris_time(2009, 3, 25, 7, 0))

    keys = [mail.dedupe_key for mail in outbox(db)]
    assert len(keys) == 3
    assert all(key.startswith(f"minutes-reminder:{forum.id}:7:") for key in keys)


def test_days_are_paris_calendar_days(db, create_forum, agents):
    # 23:30 on the 17th in Paris (22:30 UTC): at 00:30 on the 20th, only 25 hours have passed, but three days.
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17, 23, 30))

    assert remind(db, paris_time(2009, 3, 19, 23, 59)).reminders == ()
    assert remind(db, paris_time(2009, 3, 20, 0, 30)).reminders[0].days == 3


def test_no_reminder_for_minutes_written_nor_for_forums_not_due(db, create_forum, agents):
    with_minutes = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    add_minutes(db, with_minutes)
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 19))
    create_forum(status=ForumStatus.DRAFT, starts_at=paris_time(2009, 3, 16))
    create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2009, 3, 16))
    started = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 16))

    run = remind(db, paris_time(2009, 3, 20, 7, 0))

    assert [(reminder.forum, reminder.days) for reminder in run.reminders] == [(started, 3)]


def test_a_dry_run_lists_without_queueing(db, create_forum, agents):
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))

    run = send_minutes_reminders(now=paris_time(2009, 3, 24, 7, 0), dry_run=True)

    assert run.dry_run and run.mails == ()
    assert run.queued_count == 3
    assert outbox(db) == []


def test_a_forum_nobody_can_be_reminded_of_is_reported(db, create_forum, consultation):
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))

    [reminder] = remind(db, paris_time(2009, 3, 20, 7, 0)).reminders

    assert reminder.unattended
    assert outbox(db) == []
