"""The outbox: messages reach a real SMTP server on loopback, survive a server that is down, go once."""
import logging
import smtplib
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from forums.extensions import db as _db
from forums.models import MailStatus, OutgoingMail
from forums.services.mail import (
    MAX_ATTEMPTS, RETRY_DELAYS, external_url, outbox_counts, queue_mail, send_mails, send_pending,
)

from ..conftest import ReceivedMail, free_port

SUBJECT = "Votre question n° 13-000124 a bien été reçue — Forums de sécurité"
BODY = ("Bonjour,\n\nVotre question a été enregistrée sous la référence 13-000124.\n"
        "Suivi : https://forums-securite.interieur.gouv.fr/questions/suivi/jeton-privé\n\n"
        "Ce message est envoyé automatiquement.\n")


@pytest.fixture
def smtp_app(other_app, smtp_server):
    """Return an app that sends its mail to the loopback SMTP server."""
    return other_app(**smtp_server.settings)


@pytest.fixture
def down_app(other_app):
    """Return an app whose mail server is a loopback port where nothing listens."""
    return other_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)


def queue(app, recipient="citoyenne@example.fr", subject=SUBJECT, body=BODY, **fields):
    """Queue one message and commit it, as a view does; return its id."""
    with app.app_context():
        mail = queue_mail("acknowledgement", recipient, subject, body, **fields)
        _db.session.commit()
        return mail.id


def send(app, *ids):
    """Send the given outbox rows through ``app``; return the number sent."""
    with app.app_context():
        return send_mails([_db.session.get(OutgoingMail, mail_id) for mail_id in ids])


def row(app, mail_id):
    """Return a fresh copy of one outbox row."""
    with app.app_context():
        mail = _db.session.get(OutgoingMail, mail_id)
        _db.session.expunge(mail)
        return mail


def test_message_reaches_the_server_with_its_headers(smtp_app, smtp_server):
    mail_id = queue(smtp_app)

    assert send(smtp_app, mail_id) == 1

    [message] = smtp_server.messages
    assert message.envelope_recipients == ["citoyenne@example.fr"]
    assert message["From"] == "Forums de sécurité <ne-pas-repondre@forums-securite.interieur.gouv.fr>"
    assert message["To"] == "citoyenne@example.fr"
    assert message["Subject"] == SUBJECT
    assert abs(parsedate_to_datetime(message["Date"]) - datetime.now(UTC)) < timedelta(minutes=1)
    sent = row(smtp_app, mail_id)
    assert message["Message-ID"] == (
        f"<forums.{mail_id}.{sent.created_at:%Y%m%d%H%M%S}@forums-securite.interieur.gouv.fr>"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    # SMTP carries lines ended by CRLF.
    assert message.get_content().replace("\r\n", "\n") == BODY
    assert (sent.status, sent.attempts, sent.last_error) == (MailStatus.SENT, 1, "")
    assert sent.sent_at is not None


def test_a_server_that_is_down_leaves_the_batch_pending(down_app):
    first, second = queue(down_app), queue(down_app, recipient="autre@example.fr")

    assert send(down_app, first, second) == 0

    failed = row(down_app, first)
    assert (failed.status, failed.attempts) == (MailStatus.PENDING, 1)
    assert "ConnectionRefusedError" in failed.last_error
    # The server is down for every message: the second is not even tried, its attempts are intact.
    untouched = row(down_app, second)
    assert (untouched.status, untouched.attempts, untouched.last_error) == (MailStatus.PENDING, 0, "")


def test_pending_messages_are_retried_on_schedule_then_given_up(down_app):
    mail_id = queue(down_app)
    created = row(down_app, mail_id).created_at

    with down_app.app_context():
        for attempt, delay in enumerate(RETRY_DELAYS, start=1):
            if delay:
                # Just before the next attempt is due nothing happens…
                assert send_pending(now=created + delay - timedelta(seconds=1)) == (0, 1)
                assert row(down_app, mail_id).attempts == attempt - 1
            # …and when it is due, it is made.
            sent, pending = send_pending(now=created + delay)
            assert sent == 0
            assert row(down_app, mail_id).attempts == attempt
        assert pending == 0
        assert send_pending(now=created + timedelta(days=30)) == (0, 0)

    given_up = row(down_app, mail_id)
    assert (given_up.status, given_up.attempts) == (MailStatus.FAILED, MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in given_up.last_error


def test_a_message_that_waited_goes_when_the_server_is_back(down_app, smtp_app, smtp_server):
    mail_id = queue(down_app)
    send(down_app, mail_id)
    created = row(smtp_app, mail_id).created_at

    with smtp_app.app_context():
        assert send_pending(now=created + RETRY_DELAYS[1]) == (1, 0)

    [message] = smtp_server.messages
    assert message["Subject"] == SUBJECT
    sent = row(smtp_app, mail_id)
    assert (sent.status, sent.attempts, sent.last_error) == (MailStatus.SENT, 2, "")


def test_send_pending_takes_the_oldest_first_within_its_limit(smtp_app, smtp_server):
    ids = [queue(smtp_app, subject=f"Message {number}") for number in range(3)]

    with smtp_app.app_context():
        assert send_pending(limit=2) == (2, 1)

    assert [message["Subject"] for message in smtp_server.messages] == ["Message 0", "Message 1"]
    assert row(smtp_app, ids[2]).status is MailStatus.PENDING


def test_a_row_left_claimed_by_a_crashed_sender_is_given_up(smtp_app, smtp_server):
    mail_id = queue(smtp_app)
    with smtp_app.app_context():
        _db.session.execute(update(OutgoingMail).values(attempts=MAX_ATTEMPTS))
        _db.session.commit()

        assert send_pending() == (0, 0)

    assert row(smtp_app, mail_id).status is MailStatus.FAILED
    assert smtp_server.messages == []


def test_a_message_claimed_by_another_sender_is_not_sent_twice(smtp_app, smtp_server):
    mail_id = queue(smtp_app)
    with smtp_app.app_context():
        stale = _db.session.get(OutgoingMail, mail_id)
        assert stale.attempts == 0
        # Another process (a request, or cron) claims the message between our read and our send.
        with _db.engine.begin() as connection:
            connection.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(attempts=1))

        assert send_mails([stale]) == 0

    assert smtp_server.messages == []
    assert row(smtp_app, mail_id).attempts == 1


def test_a_sent_message_is_not_sent_again(smtp_app, smtp_server):
    mail_id = queue(smtp_app)
    send(smtp_app, mail_id)

    assert send(smtp_app, mail_id) == 0
    with smtp_app.app_context():
        assert send_pending() == (0, 0)

    assert len(smtp_server.messages) == 1


class RefusingMail(ReceivedMail):
    """A server that refuses some recipients: "inconnu…" for good (5xx), "plein…" for now (4xx)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("inconnu"):
            return "550 5.1.1 Mailbox unknown"
        if address.startswith("plein"):
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_server():
    handler = RefusingMail()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
    try:
        yield handler
    finally:
        controller.stop()


def test_refused_recipients_fail_alone_and_the_batch_goes_on(other_app, refusing_server):
    app = other_app(**refusing_server.settings)
    unknown = queue(app, recipient="inconnu@example.fr")
    full = queue(app, recipient="plein@example.fr")
    good = queue(app, recipient="citoyen@example.fr")

    assert send(app, unknown, full, good) == 1

    # A 5xx answer will not change: given up at once. A 4xx answer may: retried later.
    refused = row(app, unknown)
    assert (refused.status, refused.attempts) == (MailStatus.FAILED, 1)
    assert "550" in refused.last_error and "SMTPRecipientsRefused" in refused.last_error
    assert row(app, full).status is MailStatus.PENDING
    assert "452" in row(app, full).last_error
    assert [message["To"] for message in refusing_server.messages] == ["citoyen@example.fr"]


def test_a_recipient_that_would_inject_headers_is_never_sent(smtp_app, smtp_server):
    forged = queue(smtp_app, recipient="victime@example.fr\nBcc: tous@example.fr")
    good = queue(smtp_app)

    assert send(smtp_app, forged, good) == 1

    assert row(smtp_app, forged).status is MailStatus.FAILED
    assert "linefeed" in row(smtp_app, forged).last_error
    [message] = smtp_server.messages
    assert message.envelope_recipients == ["citoyenne@example.fr"]


def test_one_session_carries_a_batch(smtp_app, smtp_server, monkeypatch):
    connections = []
    real_connect = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        connections.append(args)
        return real_connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    ids = [queue(smtp_app, subject=f"Message {number}") for number in range(4)]

    assert send(smtp_app, *ids) == 4

    assert len(connections) == 1
    assert len(smtp_server.messages) == 4


class TiringMail(ReceivedMail):
    """A server that ends each session after two messages, as many relays do (421 on the next one)."""

    def __init__(self):
        super().__init__()
        self.per_session = {}

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        sent = self.per_session.get(id(session), 0)
        if sent == 2:
            return "421 4.7.0 Too many messages in this session, reconnect"
        self.per_session[id(session)] = sent + 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


def test_a_session_ended_by_the_server_is_reopened(other_app):
    handler = TiringMail()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = other_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        ids = [queue(app, subject=f"Message {number}") for number in range(5)]

        assert send(app, *ids) == 5
    finally:
        controller.stop()

    assert [message["Subject"] for message in handler.messages] == [f"Message {number}" for number in range(5)]
    assert sorted(handler.per_session.values()) == [1, 2, 2]


def test_a_dedupe_key_queues_a_message_once(db):
    first = queue_mail("moderation_digest", "moderatrice@example.gouv.fr", "Synthèse", "Corps",
                       dedupe_key="digest:2009-03-20:7")
    again = queue_mail("moderation_digest", "moderatrice@example.gouv.fr", "Synthèse", "Corps",
                       dedupe_key="digest:2009-03-20:7")
    # The transaction is still usable after the conflict.
    other = queue_mail("acknowledgement", "citoyen@example.fr", "Accusé", "Corps")
    db.session.commit()

    assert first is not None and first.id is not None
    assert again is None
    assert other.id is not None
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 2


def test_the_log_backend_writes_the_message_to_the_log_and_sends_nothing(app, db, caplog):
    assert app.config["MAIL_BACKEND"] == "log"
    mail = queue_mail("acknowledgement", "citoyenne@example.fr", SUBJECT, BODY)
    db.session.commit()

    with caplog.at_level(logging.INFO, logger="forums.mail"):
        assert send_mails([mail]) == 1

    [record] = [r for r in caplog.records if r.name == "forums.mail"]
    text = record.getMessage()
    assert "not sent, MAIL_BACKEND=log" in text
    assert "to=citoyenne@example.fr" in text and f"subject={SUBJECT}" in text
    assert "Votre question a été enregistrée sous la référence 13-000124." in text
    assert db.session.get(OutgoingMail, mail.id).status is MailStatus.SENT


PRODUCTION_KEY = "a-long-production-secret-for-the-tests"


def test_production_sends_by_smtp_unless_told_otherwise(other_app):
    assert other_app(ENV="production", SECRET_KEY=PRODUCTION_KEY).config["MAIL_BACKEND"] == "smtp"


def test_the_log_backend_in_production_keeps_bodies_out_of_the_log(other_app, caplog):
    production = other_app(ENV="production", SECRET_KEY=PRODUCTION_KEY, MAIL_BACKEND="log")
    mail_id = queue(production)

    with caplog.at_level(logging.INFO, logger="forums.mail"):
        assert send(production, mail_id) == 1

    [record] = [r for r in caplog.records if r.name == "forums.mail"]
    assert record.levelno == logging.WARNING
    assert "MAIL_BACKEND=log in production" in record.getMessage()
    assert "jeton-privé" not in caplog.text and "citoyenne@example.fr" not in caplog.text


def test_outbox_counts_every_status(db):
    for status, number in ((MailStatus.PENDING, 2), (MailStatus.SENT, 1), (MailStatus.FAILED, 1)):
        for _ in range(number):
            db.session.add(OutgoingMail(kind="acknowledgement", recipient="a@example.fr", subject="S",
                                        body="B", status=status))
    db.session.commit()

    assert outbox_counts() == {MailStatus.PENDING: 2, MailStatus.SENT: 1, MailStatus.FAILED: 1}


def test_external_url_uses_the_public_url_outside_requests(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://forums-securite.interieur.gouv.fr")
    assert external_url("public.personal_data") == "https://forums-securite.interieur.gouv.fr/donnees-personnelles"

    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://www.interieur.gouv.fr/forums/")
    assert external_url("public.personal_data") == "https://www.interieur.gouv.fr/forums/donnees-personnelles"


def test_external_url_takes_the_request_host_without_a_public_url(app):
    with app.test_request_context("/", base_url="http://forums.test"):
        assert external_url("public.personal_data") == "http://forums.test/donnees-personnelles"


def test_a_subject_with_line_breaks_is_sent_on_one_line(app):
    # Forums titled before single-line fields were cleaned: their reminders must still go out.
    from forums.services.mail import compose_message

    with app.app_context():
        message = compose_message("agent@example.gouv.fr", "Compte-rendu attendu : forum « Aix\r\nBcc: x@y »",
                                  "Corps", "test.1")
    assert message["Subject"] == "Compte-rendu attendu : forum « Aix Bcc: x@y »"
