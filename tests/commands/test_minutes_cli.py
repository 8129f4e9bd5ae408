"""`flask minutes remind`: reminders of the minutes still awaited, queued once."""
import pytest
from sqlalchemy import func, select

from forums.models import ForumStatus, Minutes, OutgoingMail, Role

from ..conftest import paris_time

PUBLIC_URL = "https://forums-securite.interieur.gouv.fr"


def count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def configure(app, monkeypatch):
    """Return a helper that changes settings of the app the runner uses, for this test only."""

    def apply(**settings):
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)

    return apply


@pytest.fixture
def awaited(create_forum, create_agent):
    """A forum of Aix held on 17 March 2009 without minutes, one of Martinique where nobody works, their agents."""
    agents = {"aix": create_agent(Role.SUBPREFECTURE, arrondissement="131"),
              "prefecture": create_agent(Role.PREFECTURE, department="13")}
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum de Fort-de-France",
                 department="972", commune="97209", cantons=[])
    return agents


def test_remind_queues_and_reports_each_forum(runner, configure, db, awaited):
    configure(PUBLIC_URL=PUBLIC_URL)

    result = runner.invoke(args=["minutes", "remind", "--now", "2009-03-24T09:00"])

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Comptes-rendus attendus le 24/03/2009 :\n"
        f"  13 – « Forum d'Aix » du 17/03/2009, rappel à 7 jours : 1 destinataire ({awaited['aix'].email}) ; "
        f"1 copie à la préfecture ({awaited['prefecture'].email}).\n"
        "2 messages préparés : « flask mail send » les envoie.\n"
    )
    assert result.stderr == ("  972 – « Forum de Fort-de-France » du 17/03/2009, rappel à 7 jours : "
                             "aucun agent actif ne peut le recevoir.\n")
    assert count(db, OutgoingMail) == 2


def test_remind_run_twice_queues_nothing_new(runner, configure, db, awaited):
    configure(PUBLIC_URL=PUBLIC_URL)
    runner.invoke(args=["minutes", "remind", "--now", "2009-03-24T09:00"])

    result = runner.invoke(args=["minutes", "remind", "--now", "2009-03-24T18:00"])

    assert result.exit_code == 0, result.output
    assert "rappel à 7 jours : 2 agents déjà prévenus." in result.stdout
    assert result.stdout.endswith("0 message préparé : « flask mail send » les envoie.\n")
    assert count(db, OutgoingMail) == 2


def test_a_dry_run_says_what_would_be_queued_and_queues_nothing(runner, db, awaited):
    result = runner.invoke(args=["minutes", "remind", "--now", "2009-03-20", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Simulation (--dry-run) : aucun message n'a été préparé.\n"
                                    "Comptes-rendus attendus le 20/03/2009 :\n")
    assert f"rappel à 3 jours : 1 destinataire ({awaited['aix'].email})." in result.stdout
    assert result.stdout.endswith("1 message serait préparé.\n")
    assert count(db, OutgoingMail) == 0


def test_nothing_to_remind(runner, configure, db, awaited, create_forum):
    configure(PUBLIC_URL=PUBLIC_URL)

    result = runner.invoke(args=["minutes", "remind", "--now", "2009-03-19T09:00"])

    assert result.exit_code == 0, result.output
    assert result.stdout == "Aucun forum tenu sans compte-rendu n'appelle de rappel le 19/03/2009.\n"
    assert count(db, Minutes) == count(db, OutgoingMail) == 0


def test_a_bad_date_is_refused_in_french(runner, db, awaited):
    result = runner.invoke(args=["minutes", "remind", "--now", "24 mars"])

    assert result.exit_code == 1
    assert "Erreur : date invalide : « 24 mars »." in result.stderr
    assert count(db, OutgoingMail) == 0


def test_without_a_public_address_nothing_is_queued(runner, configure, db, awaited):
    configure(PUBLIC_URL=None)

    result = runner.invoke(args=["minutes", "remind", "--now", "2009-03-24T09:00"])

    assert result.exit_code == 1
    assert "FORUMS_PUBLIC_URL n'est pas défini" in result.stderr
    assert count(db, OutgoingMail) == 0
