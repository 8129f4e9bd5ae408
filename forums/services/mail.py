"""Sending e-mail through the outbox: queue in the caller's transaction, send after it commits.

``queue_mail`` only adds a row, so a mail server that is down can never undo what the mail
announces; ``send_mails`` tries to deliver queued rows and records failures for a later retry
(``flask mail send``). With ``MAIL_BACKEND = "log"`` (the development default) messages are
written to the log instead of being sent.
"""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import select

from ..applog import clean, get_logger
from ..extensions import db
from ..models import MailStatus, OutgoingMail
from ..timeutils import utcnow

log = get_logger("mail")

#: After this many failed attempts a message is marked failed and no longer retried.
MAX_ATTEMPTS = 5


def queue_mail(kind, recipient, subject, body, question=None, dedupe_key=None):
    """Add a message to the outbox (flush only) and return it."""
    mail = OutgoingMail(
        kind=kind, recipient=recipient, subject=subject, body=body,
        question_id=question.id if question is not None else None, dedupe_key=dedupe_key,
    )
    db.session.add(mail)
    db.session.flush()
    return mail


def send_mails(mails):
    """Try to send ``mails`` (committed outbox rows) now; commit their new status. Return the number sent."""
    sent = 0
    for mail in mails:
        if mail.status is not MailStatus.PENDING:
            continue
        mail.attempts += 1
        try:
            deliver(build_message(mail))
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = f"{type(error).__name__}: {error}"[:1000]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.status = MailStatus.FAILED
            log.warning("mail %s (%s) not sent, attempt %s: %s", mail.id, mail.kind, mail.attempts,
                        clean(mail.last_error))
        else:
            mail.status = MailStatus.SENT
            mail.sent_at = utcnow()
            mail.last_error = ""
            sent += 1
        db.session.commit()
    return sent


def send_pending(limit=500):
    """Send every pending message of the outbox, oldest first; return (sent, still pending)."""
    mails = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.status == MailStatus.PENDING)
        .order_by(OutgoingMail.id).limit(limit)
    ).all()
    sent = send_mails(mails)
    return sent, len(mails) - sent


def build_message(mail):
    """Return the EmailMessage for an outbox row."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def deliver(message):
    """Hand ``message`` to the configured backend: the SMTP server, or the log."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "log":
        log.info("mail (not sent, MAIL_BACKEND=log) to=%s subject=%s\n%s",
                 clean(message["To"]), clean(message["Subject"]), message.get_content())
        return
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    if _flag(config["MAIL_USE_SSL"]):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if _flag(config["MAIL_USE_TLS"]):
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")
