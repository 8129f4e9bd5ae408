"""The audit log service and the append-only rule."""
import pytest

from forums.models import AuditEvent, Role
from forums.models.audit import AuditLogIsAppendOnly
from forums.services.audit import diff_fields, record_event


def test_record_event_stores_who_what_and_changes(db, create_agent):
    admin = create_agent(Role.ADMIN)
    event = record_event("agent.update", "agent", 42, by=admin, department_code="13",
                         summary="Compte modifié.", changes={"role": ["moderator", "prefecture"]})
    db.session.commit()
    stored = db.session.get(AuditEvent, event.id)
    assert (stored.action, stored.object_type, stored.object_id) == ("agent.update", "agent", "42")
    assert stored.agent_id == admin.id
    assert stored.department_code == "13"
    assert stored.changes == {"role": ["moderator", "prefecture"]}
    assert stored.occurred_at is not None


def test_record_event_without_agent_is_the_system(db, territories):
    event = record_event("territories.load", "department", "13")
    assert event.agent_id is None and event.changes == {}


def test_diff_fields_reports_only_changed_fields_as_plain_values(db, create_agent):
    agent = create_agent(Role.MODERATOR, department="13")
    data = {"role": Role.PREFECTURE, "department_code": "13", "full_name": "Nouveau nom"}
    changes = diff_fields(agent, data, ["role", "department_code", "full_name", "email"])
    assert changes == {"role": ["moderator", "prefecture"],
                       "full_name": [agent.full_name, "Nouveau nom"]}


@pytest.mark.parametrize("change", ["update", "delete"])
def test_audit_events_are_append_only(db, territories, change):
    event = record_event("agent.create", "agent", 1, summary="Créé.")
    db.session.commit()
    if change == "update":
        event.summary = "Réécrit."
    else:
        db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).summary == "Créé."
