"""`flask users`: create, list, disable, set-password, reset-second-factor; refusals write nothing."""
import pytest

from forums.models import Agent, AuditEvent, Role

PASSWORD = "une-phrase-de-passe-cli"


def agents(db):
    db.session.expire_all()
    return db.session.scalars(db.select(Agent).order_by(Agent.id)).all()


@pytest.mark.parametrize("args, role, department, arrondissement", [
    (["--role", "ministry"], Role.MINISTRY, None, None),
    (["--role", "admin"], Role.ADMIN, None, None),
    (["--role", "prefecture", "--department", "13"], Role.PREFECTURE, "13", None),
    (["--role", "moderator", "--department", "2a"], Role.MODERATOR, "2A", None),
    (["--role", "subprefecture", "--arrondissement", "132"], Role.SUBPREFECTURE, "13", "132"),
])
def test_create_each_role(db, runner, territories, args, role, department, arrondissement):
    result = runner.invoke(args=["users", "create", "--email", "Agent@Interieur.gouv.fr",
                                 "--name", "Camille Martin", "--password", PASSWORD, *args])
    assert result.exit_code == 0, result.output
    assert "Compte créé : agent@interieur.gouv.fr" in result.output
    [agent] = agents(db)
    assert (agent.email, agent.role, agent.department_code, agent.arrondissement_code) == (
        "agent@interieur.gouv.fr", role, department, arrondissement)
    assert agent.full_name == "Camille Martin" and agent.check_password(PASSWORD)
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert event.action == "agent.create" and event.agent_id is None


def test_create_reads_the_password_from_the_environment(db, runner, territories, monkeypatch):
    monkeypatch.setenv("FORUMS_NEW_USER_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", "--email", "m@example.gouv.fr", "--role", "ministry"])
    assert result.exit_code == 0, result.output
    assert agents(db)[0].check_password(PASSWORD)


def test_create_prompts_twice_for_the_password(db, runner, territories, monkeypatch):
    monkeypatch.delenv("FORUMS_NEW_USER_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create", "--email", "m@example.gouv.fr", "--role", "ministry"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert agents(db)[0].check_password(PASSWORD)


def test_create_without_any_password_source_fails_clearly(db, runner, territories, monkeypatch):
    monkeypatch.delenv("FORUMS_NEW_USER_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create", "--email", "m@example.gouv.fr", "--role", "ministry"],
                           input="")
    assert result.exit_code != 0
    assert "Erreur : Mot de passe manquant" in result.stderr
    assert agents(db) == []


@pytest.mark.parametrize("args, message", [
    (["--role", "prefet", "--department", "13"], "Rôle inconnu : « prefet »"),
    (["--role", "prefecture", "--department", "99"], "Département inconnu : « 99 »"),
    (["--role", "prefecture"], "demande un département"),
    (["--role", "subprefecture", "--arrondissement", "999"], "Arrondissement inconnu : « 999 »"),
    (["--role", "subprefecture", "--department", "13"], "demande un arrondissement"),
    (["--role", "ministry", "--department", "13"], "national"),
    (["--role", "ministry", "--password", "court"], "au moins 12 caractères"),
    (["--role", "ministry", "--name", "x" * 151], "ne peut pas dépasser 150 caractères"),
])
def test_create_refuses_bad_input_in_one_line_and_writes_nothing(db, runner, territories, args, message):
    extra = [] if "--password" in args else ["--password", PASSWORD]
    result = runner.invoke(args=["users", "create", "--email", "a@example.gouv.fr", *args, *extra])
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Erreur : ")
    assert message in result.stderr
    assert agents(db) == []
    assert db.session.scalars(db.select(AuditEvent)).all() == []


def test_create_refuses_a_duplicate_email(db, runner, create_agent):
    create_agent(Role.MINISTRY, email="m@example.gouv.fr")
    result = runner.invoke(args=["users", "create", "--email", "M@example.gouv.fr", "--role", "admin",
                                 "--password", PASSWORD])
    assert result.exit_code != 0
    assert "existe déjà" in result.stderr
    assert [a.role for a in agents(db)] == [Role.MINISTRY]


def test_list_shows_every_account(db, runner, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="p@example.gouv.fr")
    create_agent(Role.SUBPREFECTURE, arrondissement="131", email="s@example.gouv.fr", active=False)
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split("\t")[1:] for line in lines] == [
        ["p@example.gouv.fr", "prefecture", "13", "actif"],
        ["s@example.gouv.fr", "subprefecture", "131", "désactivé"],
    ]


def test_disable_ends_sessions(db, runner, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13", email="p@example.gouv.fr")
    version = agent.session_version
    result = runner.invoke(args=["users", "disable", "--email", "P@example.gouv.fr"])
    assert result.exit_code == 0, result.output
    [agent] = agents(db)
    assert not agent.is_active and agent.session_version == version + 1


def test_disable_unknown_email_fails(db, runner, territories):
    result = runner.invoke(args=["users", "disable", "--email", "personne@example.gouv.fr"])
    assert result.exit_code != 0
    assert result.stderr == "Erreur : Aucun compte pour l'adresse personne@example.gouv.fr.\n"


def test_set_password(db, runner, create_agent):
    create_agent(Role.MINISTRY, email="m@example.gouv.fr")
    result = runner.invoke(args=["users", "set-password", "--email", "m@example.gouv.fr"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert agents(db)[0].check_password(PASSWORD)


def test_set_password_refuses_a_short_one(db, runner, create_agent):
    agent = create_agent(Role.MINISTRY, email="m@example.gouv.fr")
    old_hash = agent.password_hash
    result = runner.invoke(args=["users", "set-password", "--email", "m@example.gouv.fr",
                                 "--password", "court"])
    assert result.exit_code != 0 and "au moins 12" in result.stderr
    assert agents(db)[0].password_hash == old_hash


def test_reset_second_factor_from_the_command_line_is_journaled(db, runner, create_agent):
    agent = create_agent(Role.ADMIN, email="seul.admin@example.gouv.fr")
    version = agent.session_version
    result = runner.invoke(args=["users", "reset-second-factor", "--email", "seul.admin@example.gouv.fr"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    agent = db.session.get(Agent, agent.id)
    assert not agent.has_second_factor and agent.totp_secret is None and agent.session_version == version + 1
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "agent.reset_second_factor"))
    assert event.agent_id is None and event.object_id == str(agent.id)
    again = runner.invoke(args=["users", "reset-second-factor", "--email", "seul.admin@example.gouv.fr"])
    assert again.exit_code != 0 and "pas de double authentification" in again.stderr
