"""The append-only audit log: who did what, to which object, when."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutils import utcnow
from .types import UTCDateTime
from .agents import Agent


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The agent who acted; None for the system or a command-line run without an agent.
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    #: What happened, as a dotted verb: "agent.create", "forum.publish".
    action: Mapped[str] = mapped_column(String(60))
    #: The kind and id of the object acted upon, e.g. ("agent", "12").
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    #: The department concerned, so that territorial agents see their own history only.
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    #: One French sentence for people.
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Field-level changes: {"field": [old, new]}.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    agent: Mapped[Agent | None] = relationship()

    def __repr__(self):
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a recorded audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditLogIsAppendOnly("Audit events cannot be modified.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditLogIsAppendOnly("Audit events cannot be deleted.")
