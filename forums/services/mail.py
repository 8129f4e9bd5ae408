"""Sending e-mail through the outbox: queue in the caller's transaction, send after it commits.

``queue_mail`` only adds a row, so a mail server that is down can never undo what the mail
announces; ``send_mails`` tries to deliver queued rows and records failures, which
``send_pending`` (``flask mail send``, run by cron) retries on a widening schedule. With
``MAIL_BACKEND = "log"`` (the development default) messages are written to the log instead.
"""
import smtplib
import ssl
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..applog import clean, get_logger
from ..extensions import db
from ..models import MailStatus, OutgoingMail
from ..text import single_line
from ..timeutils import utcnow

log = get_logger("mail")

#: When each attempt may be made, counted from queueing: at once, then ever further apart, so that
#: a mail server down for an afternoon delays messages without losing them.
RETRY_DELAYS = (timedelta(0), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=12))
#: After this many failed attempts a message is marked failed and no longer retried.
MAX_ATTEMPTS = len(RETRY_DELAYS)

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}

#: Refusals about one message only: the next message of the batch may still go.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)


class MailServerUnavailable(Exception):
    """The mail server cannot be reached or refuses us: no message of the batch can go now."""


def queue_mail(kind, recipient, subject, body, question=None, dedupe_key=None):
    """Add a message to the outbox (flush only) and return it.

    When another message already carries ``dedupe_key``, nothing is added and None is returned:
    a message meant to go once (a daily digest) is never queued twice, even by two runs at once.
    """
    values = {
        "kind": kind, "recipient": recipient, "subject": subject, "body": body,
        "question_id": question.id if question is not None else None, "dedupe_key": dedupe_key,
    }
    if dedupe_key is None:
        mail = OutgoingMail(**values)
        db.session.add(mail)
        db.session.flush()
        return mail
    # The unique constraint settles races; ON CONFLICT keeps the caller's transaction usable.
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = (insert(OutgoingMail).values(**values)
                 .on_conflict_do_nothing(index_elements=[OutgoingMail.dedupe_key])
                 .returning(OutgoingMail))
    return db.session.scalars(statement).first()


def send_mails(mails):
    """Try to send ``mails`` (committed outbox rows) now; commit their new status. Return the number sent.

    Each message is first claimed (its attempt counted and committed), so that two senders running
    at once (a request and ``flask mail send``) never both deliver it. When the mail server cannot
    be reached, the rest of the batch is left untouched for a later run.
    """
    sent = 0
    with _transport() as transport:
        for mail in mails:
            if not _claim(mail):
                continue
            try:
                transport.send(build_message(mail))
            except MailServerUnavailable as error:
                _record_failure(mail, error.__cause__ or error, permanent=False)
                db.session.commit()
                break
            except MESSAGE_ERRORS as error:
                _record_failure(mail, error, permanent=_is_permanent(error))
            except ValueError as error:
                # A header the e-mail library refuses (a line break in the address): never sendable.
                _record_failure(mail, error, permanent=True)
            else:
                mail.status = MailStatus.SENT
                mail.sent_at = utcnow()
                mail.last_error = ""
                sent += 1
            db.session.commit()
    return sent


def send_pending(limit=500, now=None):
    """Send the pending messages whose next attempt is due, oldest first; return (sent, still pending)."""
    now = now or utcnow()
    # A sender that died between claiming a last attempt and recording it leaves such rows behind.
    db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.status == MailStatus.PENDING, OutgoingMail.attempts >= MAX_ATTEMPTS)
        .values(status=MailStatus.FAILED)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    due = or_(*(and_(OutgoingMail.attempts == done, OutgoingMail.created_at <= now - delay)
                for done, delay in enumerate(RETRY_DELAYS)))
    mails = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.status == MailStatus.PENDING, due)
        .order_by(OutgoingMail.id).limit(limit)
    ).all()
    sent = send_mails(mails)
    return sent, outbox_counts()[MailStatus.PENDING]


def outbox_counts():
    """Return the number of outbox messages in each status."""
    counts = dict.fromkeys(MailStatus, 0)
    rows = db.session.execute(select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status))
    counts.update({status: count for status, count in rows})
    return counts


def external_url(endpoint, **values):
    """Return the absolute URL of ``endpoint`` for a message, read far from any request.

    PUBLIC_URL (e.g. https://forums-securite.interieur.gouv.fr) wins when set: a command run by cron
    has no request to take the host from, and a request behind a proxy may see an internal one.
    """
    public_url = current_app.config.get("PUBLIC_URL")
    if not public_url:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(public_url)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def build_message(mail):
    """Return the EmailMessage for an outbox row."""
    # The same on every attempt: a message delivered twice after a crash is recognisably one.
    return compose_message(mail.recipient, mail.subject, mail.body,
                           message_id=f"forums.{mail.id}.{mail.created_at:%Y%m%d%H%M%S}")


def compose_message(recipient, subject, body, message_id):
    """Return an EmailMessage from the site; ``message_id`` is the part of the Message-ID before the @."""
    sender = current_app.config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    # One line whatever was stored: a line break would make every attempt fail.
    message["Subject"] = single_line(subject)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    # Out-of-office replies to a no-reply address would only bounce (Exchange honours this header).
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = "fr"
    # Quoted-printable passes through any relay, 8BITMIME or not.
    message.set_content(body, cte="quoted-printable")
    return message


def deliver(message):
    """Hand one message to the configured backend at once (a test message, for instance)."""
    with _transport() as transport:
        transport.send(message)


def _claim(mail):
    attempts = mail.attempts
    if mail.status is not MailStatus.PENDING:
        return False
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail.id, OutgoingMail.status == MailStatus.PENDING,
               OutgoingMail.attempts == attempts)
        .values(attempts=attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _record_failure(mail, error, permanent):
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        mail.status = MailStatus.FAILED
    log.warning("mail %s (%s) not sent, attempt %s%s: %s", mail.id, mail.kind, mail.attempts,
                ", given up" if mail.status is MailStatus.FAILED else "", clean(mail.last_error))


def _is_permanent(error):
    # A 5xx answer about this message (unknown mailbox, content refused) will not change on retry,
    # nor will a server without SMTPUTF8 accept an address with accents.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, smtplib.SMTPNotSupportedError)


@contextmanager
def _transport():
    config = current_app.config
    transport = _LogTransport(config) if config["MAIL_BACKEND"] == "log" else _SmtpTransport(config)
    try:
        yield transport
    finally:
        transport.close()


class _LogTransport:
    """Writes messages to the log instead of sending them: development only."""

    def __init__(self, config):
        self.production = config["ENV"] == "production"

    def send(self, message):
        if self.production:
            # Bodies carry private follow-up links: in production they never reach the logs.
            log.warning("mail %s not sent: MAIL_BACKEND=log in production", clean(message["Message-ID"]))
            return
        log.info("mail (not sent, MAIL_BACKEND=log) to=%s subject=%s\n%s",
                 clean(message["To"]), clean(message["Subject"]), message.get_content())

    def close(self):
        pass


class _SmtpTransport:
    """One SMTP session for a batch of messages, opened on first use."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def send(self, message):
        reused = self.smtp is not None
        if not reused:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except MESSAGE_ERRORS:
            raise
        except OSError as error:
            # SMTPException is an OSError too: any other refusal (our own sender address, a lost
            # connection…) would hit every message of the batch.
            self.close()
            if reused and _session_ended(error):
                # Servers end sessions after so many messages or seconds: open a new one, once.
                return self.send(message)
            raise MailServerUnavailable() from error

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except OSError:
                self.smtp.close()
            self.smtp = None

    def _connect(self):
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
        try:
            if _flag(config["MAIL_USE_SSL"]):
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
            try:
                if _flag(config["MAIL_USE_TLS"]):
                    smtp.starttls(context=ssl.create_default_context())
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            except BaseException:
                smtp.close()
                raise
        except OSError as error:
            raise MailServerUnavailable() from error
        return smtp


def _session_ended(error):
    return isinstance(error, smtplib.SMTPServerDisconnected) or (
        isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421
    )


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")
