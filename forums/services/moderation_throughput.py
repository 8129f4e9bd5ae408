"""How fast moderation queues move: what waits, since when, past the promised delay, and the last hour's pace.

Citizens are promised a decision within ``QUESTION_HANDLING_DAYS`` working days (the charter, the
acknowledgement e-mail, the follow-up page): these figures tell a department's moderators and the
ministry where that promise holds. A working day is Monday to Friday; public holidays are not
deducted, so a question may be counted late one day early around a holiday, never one day too late.

Every figure is counted in SQL over the partial index of pending questions and the index of
moderation times: one query for a department's desk, two grouped ones for the ministry's dashboard,
whatever the number of departments or questions.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import numpy as np
from flask import current_app
from sqlalchemy import case, func, select

from ..extensions import db
from ..models import Consultation, Question, QuestionStatus
from ..timeutils import PARIS, utcnow

#: The window over which the pace of decisions is measured.
RATE_WINDOW = timedelta(hours=1)
#: How many departments the ministry's dashboard lists as furthest behind the promise.
FURTHEST_BEHIND = 10


@dataclass(frozen=True)
class Pace:
    """A moderation queue at one moment: what waits, since when, how much is late, and the last hour's decisions."""

    pending: int
    oldest_submitted_at: datetime | None
    #: Pending questions that have waited longer than the promised handling time.
    overdue: int
    #: Questions decided (published, refused or merged) within the last RATE_WINDOW.
    decided_last_hour: int
    now: datetime

    @property
    def oldest_wait(self):
        """Return how long the oldest pending question has waited, or None when nothing waits."""
        return self.now - self.oldest_submitted_at if self.oldest_submitted_at is not None else None

    @property
    def clearing_time(self):
        """Return how long clearing the queue would take at the last hour's pace; None if nothing was decided."""
        if not self.pending:
            return timedelta(0)
        if not self.decided_last_hour:
            return None
        return RATE_WINDOW * self.pending / self.decided_last_hour


def handling_cutoff(now, days):
    """Return the moment before which a question submitted has waited more than ``days`` working days at ``now``.

    Days are counted from the day after submission, in Paris: a question sent on a Monday with 10
    days promised is due by the Monday two weeks later, and late from the Tuesday.
    """
    today = np.datetime64(now.astimezone(PARIS).date(), "D")
    # Working days before today, from each earlier day: the first day not yet late is the cutoff.
    days_back = today - np.arange(0, 3 * days + 7)
    late = np.busday_count(days_back, today) > days
    cutoff = days_back[~late].min().astype(datetime)
    return datetime.combine(cutoff, time(0), tzinfo=PARIS).astimezone(UTC)


def department_pace(department_code, now=None):
    """Return the Pace of a department's queue in the current consultation, in one query."""
    now = now or utcnow()
    consultation_id = select(Consultation.id).where(Consultation.is_current.is_(True)).scalar_subquery()
    decided = (select(func.count()).where(*_decided(consultation_id, [department_code], now))
               .scalar_subquery())
    row = db.session.execute(
        select(*_waiting_columns(now), decided).where(*_waiting(consultation_id, [department_code]))
    ).one()
    return Pace(row[0], row[1], row[2] or 0, row[3], now)


def paces(consultation_id, codes, now=None):
    """Return {department code: Pace} for the consultation's queues of these departments, in two queries."""
    now = now or utcnow()
    waiting = {code: (count, oldest, overdue) for code, count, oldest, overdue in db.session.execute(
        select(Question.department_code, *_waiting_columns(now)).where(*_waiting(consultation_id, codes))
        .group_by(Question.department_code)
    )}
    decided = dict(db.session.execute(
        select(Question.department_code, func.count()).where(*_decided(consultation_id, codes, now))
        .group_by(Question.department_code)
    ).all())
    return {code: Pace(*waiting.get(code, (0, None, 0)), decided_last_hour=decided.get(code, 0), now=now)
            for code in codes}


def _waiting(consultation_id, codes):
    return (Question.consultation_id == consultation_id, Question.status == QuestionStatus.PENDING,
            Question.department_code.in_(codes))


def _waiting_columns(now):
    """Return the columns of what waits: how many, since when, how many past the promised delay."""
    cutoff = handling_cutoff(now, current_app.config["QUESTION_HANDLING_DAYS"])
    return (func.count(), func.min(Question.submitted_at),
            func.coalesce(func.sum(case((Question.submitted_at < cutoff, 1), else_=0)), 0))


def _decided(consultation_id, codes, now):
    # A decision sets moderated_at: the question leaves the queue then (a later withdrawal or merge sets it again).
    return (Question.consultation_id == consultation_id, Question.moderated_at >= now - RATE_WINDOW,
            Question.department_code.in_(codes))


def national_pace(by_department, now=None):
    """Return the Pace of all the given departments together (``by_department``: {code: Pace})."""
    paces_ = list(by_department.values())
    oldest = [pace.oldest_submitted_at for pace in paces_ if pace.oldest_submitted_at is not None]
    return Pace(
        pending=sum(pace.pending for pace in paces_),
        oldest_submitted_at=min(oldest) if oldest else None,
        overdue=sum(pace.overdue for pace in paces_),
        decided_last_hour=sum(pace.decided_last_hour for pace in paces_),
        now=now or (paces_[0].now if paces_ else utcnow()),
    )


def furthest_behind(by_department, limit=FURTHEST_BEHIND):
    """Return [(code, Pace)] of the departments with late questions, the most late first (then the oldest wait)."""
    late = [(code, pace) for code, pace in by_department.items() if pace.overdue]
    late.sort(key=lambda item: (-item[1].overdue, item[1].oldest_submitted_at, item[0]))
    return late[:limit]
