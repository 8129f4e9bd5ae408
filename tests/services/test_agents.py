"""Agent account operations: validation, scope, self-protection, sessions and audit."""
import pytest

from forums.models import Agent, AuditEvent, Role
from forums.services.agents import (
    AgentError, authenticate_agent, change_password, disable_agent, enable_agent,
    set_agent_password, update_agent, validate_scope,
)
from forums.services.agents import create_agent as create_account

from ..conftest import PASSWORD

NEW_PASSWORD = "une-phrase-de-passe-neuve"


def data(**extra):
    values = {"email": "agent@interieur.gouv.fr", "role": "prefecture", "department_code": "13",
              "password": NEW_PASSWORD, "full_name": "Camille Martin"}
    values.update(extra)
    return values


def actions(db):
    return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize("role, department, arrondissement, expected", [
    ("prefecture", "13", None, ("13", None)),
    ("moderator", "2a", "", ("2A", None)),
    ("subprefecture", None, "132", ("13", "132")),
    ("subprefecture", "13", "131", ("13", "131")),
    ("ministry", "", None, (None, None)),
    (Role.ADMIN, None, None, (None, None)),
])
def test_validate_scope_accepts_and_derives(territories, role, department, arrondissement, expected):
    assert validate_scope(role, department, arrondissement) == expected


@pytest.mark.parametrize("role, department, arrondissement, field, words", [
    ("prefect", "13", None, "role", "Rôle inconnu"),
    ("prefecture", None, None, "department_code", "demande un département"),
    ("prefecture", "99", None, "department_code", "Département inconnu : « 99 »"),
    ("moderator", "13", "131", "arrondissement_code", "ne choisissez pas d'arrondissement"),
    ("subprefecture", "13", None, "arrondissement_code", "demande un arrondissement"),
    ("subprefecture", None, "999", "arrondissement_code", "Arrondissement inconnu : « 999 »"),
    ("subprefecture", "75", "131", "department_code", "n'appartient pas"),
    ("ministry", "13", None, "department_code", "national"),
    ("admin", None, "131", "arrondissement_code", "national"),
])
def test_validate_scope_refuses_with_the_field_named(territories, role, department, arrondissement,
                                                     field, words):
    with pytest.raises(AgentError) as caught:
        validate_scope(role, department, arrondissement)
    assert caught.value.field == field
    assert words in caught.value.message


def test_create_agent_normalises_email_and_records_an_event(db, create_agent):
    admin = create_agent(Role.ADMIN)
    agent = create_account(data(email="  Camille.Martin@Interieur.GOUV.fr "), by=admin)
    db.session.commit()
    assert agent.email == "camille.martin@interieur.gouv.fr"
    assert agent.check_password(NEW_PASSWORD) and agent.password_hash.startswith("scrypt:")
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert (event.action, event.agent_id, event.object_id) == ("agent.create", admin.id, str(agent.id))
    assert event.department_code == "13"
    assert event.changes == {"email": [None, "camille.martin@interieur.gouv.fr"],
                             "role": [None, "prefecture"], "department_code": [None, "13"]}


@pytest.mark.parametrize("values, field, words", [
    (data(email="pas-une-adresse"), "email", "adresse électronique valide"),
    (data(email=" "), "email", "Saisissez une adresse"),
    (data(password="trop-court"), "password", "au moins 12 caractères"),
    (data(role="superuser"), "role", "Rôle inconnu"),
    (data(department_code="99"), "department_code", "Département inconnu"),
])
def test_create_agent_refuses_bad_input_and_writes_nothing(db, territories, values, field, words):
    with pytest.raises(AgentError) as caught:
        create_account(values)
    assert caught.value.field == field and words in caught.value.message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Agent.id))) == 0


def test_create_agent_refuses_a_duplicate_email_whatever_its_case(db, create_agent):
    create_agent(Role.PREFECTURE, department="13", email="agent@interieur.gouv.fr")
    with pytest.raises(AgentError, match="existe déjà") as caught:
        create_account(data(email="AGENT@interieur.gouv.fr"))
    assert caught.value.field == "email"


def test_rescoping_ends_sessions_and_records_the_diff(db, create_agent):
    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.MODERATOR, department="13")
    version = agent.session_version
    changes = update_agent(agent, {"role": "subprefecture", "department_code": "",
                                   "arrondissement_code": "132", "full_name": agent.full_name},
                           by=admin)
    db.session.commit()
    assert (agent.role, agent.department_code, agent.arrondissement_code) == (
        Role.SUBPREFECTURE, "13", "132")
    assert agent.session_version == version + 1
    assert changes == {"role": ["moderator", "subprefecture"], "arrondissement_code": [None, "132"]}
    assert actions(db) == ["agent.update"]


def test_renaming_only_keeps_sessions(db, create_agent):
    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.PREFECTURE, department="13")
    version = agent.session_version
    update_agent(agent, {"full_name": "Nouveau Nom", "role": "prefecture", "department_code": "13",
                         "arrondissement_code": ""}, by=admin)
    assert agent.full_name == "Nouveau Nom" and agent.session_version == version


def test_update_without_change_records_nothing(db, create_agent):
    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.PREFECTURE, department="13")
    assert update_agent(agent, {"role": "prefecture", "department_code": "13"}, by=admin) == {}
    assert actions(db) == []


def test_admin_cannot_remove_their_own_admin_role(db, create_agent):
    admin = create_agent(Role.ADMIN)
    with pytest.raises(AgentError, match="propre rôle") as caught:
        update_agent(admin, {"role": "ministry"}, by=admin)
    assert caught.value.field == "role"
    assert admin.role is Role.ADMIN


def test_another_admin_may_change_an_admin_role(db, create_agent):
    admin, other = create_agent(Role.ADMIN), create_agent(Role.ADMIN)
    update_agent(other, {"role": "ministry"}, by=admin)
    assert other.role is Role.MINISTRY


def test_disable_and_enable(db, create_agent):
    admin = create_agent(Role.ADMIN)
    agent = create_agent(Role.PREFECTURE, department="13")
    version = agent.session_version
    disable_agent(agent, admin)
    assert not agent.is_active and agent.session_version == version + 1
    with pytest.raises(AgentError, match="déjà désactivé"):
        disable_agent(agent, admin)
    enable_agent(agent, admin)
    assert agent.is_active
    with pytest.raises(AgentError, match="déjà actif"):
        enable_agent(agent, admin)
    assert actions(db) == ["agent.disable", "agent.enable"]


def test_admin_cannot_disable_themselves(db, create_agent):
    admin = create_agent(Role.ADMIN)
    with pytest.raises(AgentError, match="propre compte"):
        disable_agent(admin, admin)
    assert admin.is_active


def test_change_password_checks_the_current_one_and_ends_sessions(db, create_agent):
    agent = create_agent(Role.PREFECTURE, department="13")
    version = agent.session_version
    with pytest.raises(AgentError) as caught:
        change_password(agent, "pas le bon", NEW_PASSWORD)
    assert caught.value.field == "current_password"
    with pytest.raises(AgentError, match="au moins 12") as caught:
        change_password(agent, PASSWORD, "court")
    assert caught.value.field == "password"
    with pytest.raises(AgentError, match="différent"):
        change_password(agent, PASSWORD, PASSWORD)
    assert agent.session_version == version
    change_password(agent, PASSWORD, NEW_PASSWORD)
    assert agent.check_password(NEW_PASSWORD) and agent.session_version == version + 1
    assert actions(db) == ["agent.change_password"]


def test_set_agent_password_applies_the_policy(db, create_agent):
    agent = create_agent(Role.MINISTRY)
    with pytest.raises(AgentError, match="au moins 12"):
        set_agent_password(agent, "court")
    set_agent_password(agent, NEW_PASSWORD)
    assert agent.check_password(NEW_PASSWORD)
    assert actions(db) == ["agent.set_password"]


@pytest.mark.parametrize("email, password, active, failure", [
    ("ok@example.gouv.fr", PASSWORD, True, None),
    (" OK@example.gouv.fr ", PASSWORD, True, None),
    ("ok@example.gouv.fr", "mauvais mot de passe", True, "password"),
    ("personne@example.gouv.fr", PASSWORD, True, "unknown"),
    ("pas une adresse", PASSWORD, True, "unknown"),
    ("ok@example.gouv.fr", PASSWORD, False, "disabled"),
])
def test_authenticate_agent(db, create_agent, email, password, active, failure):
    create_agent(Role.PREFECTURE, department="13", email="ok@example.gouv.fr", active=active)
    agent, reason = authenticate_agent(email, password)
    assert reason == failure
    assert (agent is None) == (failure == "unknown")
