"""`flask questions digest | purge-personal-data`."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forums.models import AuditEvent, OutgoingMail, QuestionContact, QuestionStatus, QuestionSupport, Role
from forums.services.mail import queue_mail
from forums.timeutils import PARIS, utcnow

from ..conftest import free_port, paris_time

PUBLIC_URL = "https://forums-securite.interieur.gouv.fr"


def count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def configure(app, monkeypatch):
    """Return a helper that changes settings of the app the runner uses, for this test only.

    (The ``db`` fixture keeps the test app's context pushed, so a command invoked on another app
    would still run in this one.)
    """

    def apply(**settings):
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)

    return apply


@pytest.fixture
def waiting(create_agent, create_question):
    """Two pending questions in 13 (one of them three days old), one in 972 where nobody moderates."""
    agents = [create_agent(Role.MODERATOR, department="13"), create_agent(Role.PREFECTURE, department="13")]
    three_days_ago = utcnow().astimezone(PARIS).date() - timedelta(days=3)
    create_question(submitted_at=paris_time(three_days_ago.year, three_days_ago.month, three_days_ago.day, 12, 0))
    create_question()
    create_question(department="972")
    return agents


def test_digest_queues_sends_and_summarises(runner, configure, smtp_server, db, waiting):
    configure(PUBLIC_URL=PUBLIC_URL, **smtp_server.settings)

    result = runner.invoke(args=["questions", "digest"])

    assert result.exit_code == 0, result.output
    today = utcnow().astimezone(PARIS).date()
    assert result.stdout == (
        f"Questions en attente de modération le {today:%d/%m/%Y} :\n"
        "  13 – Bouches-du-Rhône : 2 questions, la plus ancienne en attente depuis 3 jours ; "
        "2 messages préparés.\n"
        "2 messages envoyés sur 2.\n"
    )
    assert result.stderr == ("  972 – Martinique : 1 question, déposée aujourd'hui ; "
                             "aucun agent actif ne peut les modérer.\n")
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(agent.email for agent in waiting)
    message = smtp_server.messages[0]
    assert message["Subject"] == "2 questions attendent votre modération – Bouches-du-Rhône"
    assert f"{PUBLIC_URL}/" in message.get_content()


def test_digest_run_twice_sends_nothing_new(runner, configure, smtp_server, db, waiting):
    configure(PUBLIC_URL=PUBLIC_URL, **smtp_server.settings)
    runner.invoke(args=["questions", "digest"])

    result = runner.invoke(args=["questions", "digest"])

    assert result.exit_code == 0, result.output
    assert "2 agents déjà prévenus aujourd'hui." in result.stdout
    assert "0 message envoyé sur 0." in result.stdout
    assert len(smtp_server.messages) == 2
    assert count(db, OutgoingMail) == 2


def test_digest_with_the_server_down_leaves_the_digests_queued(runner, configure, db, waiting):
    configure(PUBLIC_URL=PUBLIC_URL, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
              MAIL_TIMEOUT=2)

    result = runner.invoke(args=["questions", "digest"])

    assert result.exit_code == 0, result.output
    assert ("0 message envoyé sur 2. Les autres restent dans la file d'envoi : « flask mail send » "
            "les réessaiera.") in result.stdout
    assert count(db, OutgoingMail) == 2


def test_digest_without_waiting_questions_says_so(runner, configure, db, create_agent):
    configure(PUBLIC_URL=PUBLIC_URL)
    create_agent(Role.MODERATOR, department="13")

    result = runner.invoke(args=["questions", "digest"])

    assert result.exit_code == 0
    assert result.output == "Aucune question en attente de modération : aucun message à envoyer.\n"


def test_digest_needs_the_public_url(runner, db, waiting):
    result = runner.invoke(args=["questions", "digest"])

    assert result.exit_code == 1
    assert result.output.startswith("Erreur : FORUMS_PUBLIC_URL n'est pas défini")
    assert count(db, OutgoingMail) == 0


@pytest.fixture
def contacts(db, create_question):
    """Two questions of the 2009 consultation with contacts, one support, one acknowledgement."""
    question = create_question(status=QuestionStatus.PUBLISHED, email="camille@example.fr", display_name="Camille",
                               support_count=1)
    create_question(email="dominique@example.fr")
    db.session.add(QuestionSupport(question_id=question.id, supporter_hash="a" * 64))
    queue_mail("acknowledgement", "camille@example.fr", "Accusé de réception", "…", question=question)
    db.session.commit()


def test_purge_removes_and_reports(runner, db, contacts):
    result = runner.invoke(args=["questions", "purge-personal-data", "--consultation", "2009"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Données personnelles supprimées pour la consultation 2009 :\n"
        "  - 2 coordonnées de citoyens (2 adresses électroniques, 1 nom affiché) ;\n"
        "  - 1 courriel adressé aux citoyens ;\n"
        "  - 1 soutien (identifiants de navigateur ; le nombre de soutiens de chaque question est conservé).\n"
        "Sont conservés : les questions et les réponses telles que modérées, les nombres de soutiens, "
        "les communes et codes postaux (statistiques).\n"
    )
    assert (count(db, QuestionContact), count(db, OutgoingMail), count(db, QuestionSupport)) == (0, 0, 0)
    assert count(db, AuditEvent) == 1


def test_purge_dry_run_removes_nothing(runner, db, contacts):
    result = runner.invoke(args=["questions", "purge-personal-data", "--consultation", "2009", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Simulation (--dry-run) : rien n'a été supprimé. Pour la consultation 2009, la purge supprimerait :\n"
        "  - 2 coordonnées de citoyens (2 adresses électroniques, 1 nom affiché) ;\n"
    )
    assert (count(db, QuestionContact), count(db, OutgoingMail), count(db, QuestionSupport)) == (2, 1, 1)
    assert count(db, AuditEvent) == 0


def test_purge_with_nothing_left_says_so(runner, db, contacts):
    runner.invoke(args=["questions", "purge-personal-data", "--consultation", "2009"])

    result = runner.invoke(args=["questions", "purge-personal-data", "--consultation", "2009"])

    assert result.exit_code == 0
    assert result.output == "Aucune donnée personnelle à supprimer pour la consultation 2009.\n"


def test_purge_refuses_an_open_consultation_unless_forced(runner, db, consultation, contacts):
    due = utcnow().astimezone(PARIS).date() + timedelta(days=10)
    consultation.synthesis_due_on = due
    db.session.commit()

    refused = runner.invoke(args=["questions", "purge-personal-data", "--consultation", "2009"])

    assert refused.exit_code == 1
    assert refused.output.startswith("Erreur : la consultation 2009 n'est pas terminée")
    assert f"le {due:%d/%m/%Y}" in refused.output and "--force" in refused.output
    assert count(db, QuestionContact) == 2

    forced = runner.invoke(args=["questions", "purge-personal-data", "--consultation", "2009", "--force"])

    assert forced.exit_code == 0, forced.output
    assert count(db, QuestionContact) == 0


def test_purge_of_an_unknown_consultation_fails(runner, db, consultation):
    result = runner.invoke(args=["questions", "purge-personal-data", "--consultation", "1999"])

    assert result.exit_code == 1
    assert result.output == "Erreur : consultation inconnue « 1999 ».\n"


def test_purge_needs_the_consultation(runner, db):
    result = runner.invoke(args=["questions", "purge-personal-data"])

    assert result.exit_code == 2
    assert "--consultation" in result.output
