"""The audit log: record who changed what, for every operation that changes data."""
import enum
from datetime import date, datetime

from ..extensions import db
from ..models import AuditEvent

#: Stands in the journal for a citizen's name, which the purge removes everywhere else.
PERSONAL_DATA_WITHHELD = "[donnée personnelle, non conservée au journal]"
#: Stands in the journal for a text an edit replaced: it held the personal data the edit took out.
REPLACED_TEXT_WITHHELD = "[texte remplacé, non conservé au journal]"


def record_event(action, obj_type, obj_id, by=None, department_code=None, summary="", changes=None):
    """Add an audit event for ``action`` on the object (``obj_type``, ``obj_id``); flush only."""
    event = AuditEvent(
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        agent_id=by.id if by is not None else None,
        department_code=department_code,
        summary=summary,
        changes=changes or {},
    )
    db.session.add(event)
    db.session.flush()
    return event


def diff_fields(obj, data, fields):
    """Return {"field": [old, new]} for each of ``fields`` whose value in ``data`` differs on ``obj``."""
    changes = {}
    for name in fields:
        if name not in data:
            continue
        old, new = _plain(getattr(obj, name)), _plain(data[name])
        if old != new:
            changes[name] = [old, new]
    return changes


def _plain(value):
    # Audit changes are stored as JSON: reduce enums and dates to strings.
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
