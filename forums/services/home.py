"""What the home page puts first: the next forums, nationally or in the visitor's department."""
from datetime import datetime, time

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Department, Forum
from ..timeutils import PARIS
from .agenda import SCHEDULED_STATUSES, paris_today

#: How many forums the home page lists: enough to choose from, few enough to stay near the top.
NEXT_FORUMS_SHOWN = 5


def next_forums(consultation, department_code=None, limit=NEXT_FORUMS_SHOWN, now=None):
    """Return the consultation's next announced forums from today on, soonest first, in one query.

    Only forums still to take place (published or postponed) are listed, with their commune and
    department loaded; with ``department_code``, only that department's.
    """
    start = datetime.combine(paris_today(now), time(), tzinfo=PARIS)
    query = (
        db.select(Forum)
        .where(Forum.consultation_id == consultation.id, Forum.status.in_(SCHEDULED_STATUSES),
               Forum.starts_at >= start)
        .options(joinedload(Forum.commune), joinedload(Forum.department))
        .order_by(Forum.starts_at, Forum.id)
        .limit(limit)
    )
    if department_code is not None:
        query = query.where(Forum.department_code == department_code)
    return db.session.scalars(query).all()


def department_choices():
    """Return (code, name) of every department, in code order, for the home page's chooser."""
    return db.session.execute(db.select(Department.code, Department.name).order_by(Department.code)).all()
