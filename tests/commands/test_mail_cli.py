"""`flask mail send | test`."""
from sqlalchemy import select, update

from forums.extensions import db as _db
from forums.models import MailStatus, OutgoingMail
from forums.services.mail import queue_mail

from ..conftest import free_port


def queue(app, count=1, recipient="citoyen@example.fr"):
    with app.app_context():
        for number in range(count):
            queue_mail("acknowledgement", recipient, f"Accusé de réception {number}", "Votre question est reçue.")
        _db.session.commit()


def statuses(app):
    with app.app_context():
        return _db.session.scalars(select(OutgoingMail.status).order_by(OutgoingMail.id)).all()


def test_send_delivers_the_outbox_and_says_so(other_app, smtp_server):
    app = other_app(**smtp_server.settings)
    queue(app, count=2)

    result = app.test_cli_runner().invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert result.output == ("2 messages envoyés ; 0 message en attente d'un nouvel essai ; "
                             "0 message en échec définitif.\n")
    assert [message["Subject"] for message in smtp_server.messages] == ["Accusé de réception 0",
                                                                         "Accusé de réception 1"]
    assert statuses(app) == [MailStatus.SENT, MailStatus.SENT]


def test_send_with_the_server_down_keeps_the_messages(other_app):
    app = other_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    queue(app, count=2)
    with app.app_context():
        _db.session.add(OutgoingMail(kind="answer", recipient="x@example.fr", subject="S", body="B",
                                     status=MailStatus.FAILED, attempts=5))
        _db.session.commit()

    result = app.test_cli_runner().invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert result.output == ("0 message envoyé ; 2 messages en attente d'un nouvel essai ; "
                             "1 message en échec définitif.\n")
    assert statuses(app) == [MailStatus.PENDING, MailStatus.PENDING, MailStatus.FAILED]


def test_send_respects_its_limit(other_app, smtp_server):
    app = other_app(**smtp_server.settings)
    queue(app, count=3)

    result = app.test_cli_runner().invoke(args=["mail", "send", "--limit", "2"])

    assert result.output.startswith("2 messages envoyés ; 1 message en attente")
    assert len(smtp_server.messages) == 2


def test_send_does_not_retry_before_the_next_attempt_is_due(other_app, smtp_server):
    app = other_app(**smtp_server.settings)
    queue(app)
    with app.app_context():
        # A first attempt failed a moment ago: the next one waits five minutes.
        _db.session.execute(update(OutgoingMail).values(attempts=1, last_error="ConnectionRefusedError"))
        _db.session.commit()

    result = app.test_cli_runner().invoke(args=["mail", "send"])

    assert result.output.startswith("0 message envoyé ; 1 message en attente")
    assert smtp_server.messages == []


def test_send_with_the_log_backend_says_nothing_left(runner, db):
    queue_mail("acknowledgement", "citoyen@example.fr", "Accusé", "Corps")
    db.session.commit()

    result = runner.invoke(args=["mail", "send"])

    assert result.output == ("1 message envoyé (MAIL_BACKEND=log : écrits dans le journal, non envoyés) ; "
                             "0 message en attente d'un nouvel essai ; 0 message en échec définitif.\n")


def test_test_message_reaches_the_server(other_app, smtp_server):
    app = other_app(**smtp_server.settings)

    result = app.test_cli_runner().invoke(args=["mail", "test", " Agent.Test@Example.gouv.fr "])

    assert result.exit_code == 0, result.output
    assert result.output == (f"Message d'essai remis à 127.0.0.1:{smtp_server.port} pour "
                             "Agent.Test@example.gouv.fr.\n")
    [message] = smtp_server.messages
    assert message["Subject"] == "Message d'essai des Forums de sécurité"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "flask mail test" in message.get_content()
    assert statuses(app) == []


def test_test_message_with_the_server_down_fails_clearly(other_app):
    port = free_port()
    app = other_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)

    result = app.test_cli_runner().invoke(args=["mail", "test", "agent@example.gouv.fr"])

    assert result.exit_code == 1
    assert result.output.startswith(f"Erreur : le serveur 127.0.0.1:{port} n'a pas accepté le message "
                                    "(ConnectionRefusedError")


def test_test_message_refuses_a_bad_address(runner):
    result = runner.invoke(args=["mail", "test", "pas-une-adresse"])

    assert result.exit_code == 1
    assert result.output == "Erreur : adresse électronique invalide : « pas-une-adresse ».\n"


def test_test_message_with_the_log_backend_says_nothing_was_sent(runner):
    result = runner.invoke(args=["mail", "test", "agent@example.gouv.fr"])

    assert result.exit_code == 0
    assert "écrit dans le journal (MAIL_BACKEND=log) : rien n'a été envoyé" in result.output
