"""The moderators' daily digest: where questions wait, every agent who may moderate them gets one e-mail.

Run once a day by cron (``flask questions digest``); running it again the same day queues nothing.
The digest gives counts only, never a citizen's text or contact.
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Agent, Consultation, Department, OutgoingMail, Question, QuestionStatus, Role
from ..permissions import can_moderate_questions
from ..timeutils import PARIS, utcnow
from .mail import external_url, queue_mail

#: The outbox kind of a digest.
DIGEST_KIND = "moderation_digest"


@dataclass(frozen=True)
class DepartmentDigest:
    """One department's waiting questions and the digests about them."""

    code: str
    name: str
    #: Questions waiting for moderation.
    pending: int
    #: Whole days since the oldest of them was submitted (0: today).
    oldest_days: int
    #: Digests queued by this run.
    queued: tuple[OutgoingMail, ...]
    #: Agents who already had today's digest.
    already_queued: int

    @property
    def unattended(self):
        """Tell whether no active agent may moderate the department's questions."""
        return not self.queued and not self.already_queued


@dataclass(frozen=True)
class DigestRun:
    """What ``queue_moderation_digests`` found and did."""

    day: date
    departments: tuple[DepartmentDigest, ...]

    @property
    def mails(self):
        """Return the digests queued by this run."""
        return [mail for department in self.departments for mail in department.queued]


def queue_moderation_digests(today=None):
    """Queue today's digest for each agent who may moderate a department where questions wait; flush only.

    Only questions of the current consultation count. A digest goes once per agent and day
    (``dedupe_key`` "digest:<date>:<agent id>"), whoever runs the command and however often.
    """
    today = today or utcnow().astimezone(PARIS).date()
    consultation = Consultation.current()
    if consultation is None:
        return DigestRun(today, ())
    backlogs = db.session.execute(
        select(Department.code, Department.name, func.count(Question.id), func.min(Question.submitted_at))
        .join(Question, Question.department_code == Department.code)
        .where(Question.consultation_id == consultation.id, Question.status == QuestionStatus.PENDING)
        .group_by(Department.code, Department.name)
        .order_by(Department.code)
    ).all()
    if not backlogs:
        return DigestRun(today, ())
    agents = db.session.scalars(
        select(Agent)
        .where(Agent.is_active.is_(True), Agent.role.in_((Role.MODERATOR, Role.PREFECTURE)),
               Agent.department_code.in_([code for code, *_ in backlogs]))
        .order_by(Agent.id)
    ).all()
    keys = {agent.id: f"digest:{today.isoformat()}:{agent.id}" for agent in agents}
    sent_before = set(db.session.scalars(
        select(OutgoingMail.dedupe_key).where(OutgoingMail.dedupe_key.in_(keys.values()))
    ))
    departments = []
    for code, name, pending, oldest in backlogs:
        oldest_days = max(0, (today - oldest.astimezone(PARIS).date()).days)
        queued, already = [], 0
        for agent in agents:
            if not can_moderate_questions(agent, code):
                continue
            mail = None
            if keys[agent.id] not in sent_before:
                subject, body = compose_digest(agent, code, name, pending, oldest_days)
                # None when a run at the same moment queued it first.
                mail = queue_mail(DIGEST_KIND, agent.email, subject, body, dedupe_key=keys[agent.id])
            if mail is None:
                already += 1
            else:
                queued.append(mail)
        departments.append(DepartmentDigest(code, name, pending, oldest_days, tuple(queued), already))
    return DigestRun(today, tuple(departments))


def compose_digest(agent, code, name, pending, oldest_days):
    """Return the French subject and body of one agent's digest."""
    if pending == 1:
        subject = f"1 question attend votre modération – {name}"
        waiting = "1 question déposée par un citoyen attend une décision de modération"
    else:
        subject = f"{pending} questions attendent votre modération – {name}"
        waiting = f"{pending} questions déposées par des citoyens attendent une décision de modération"
    oldest = "La question" if pending == 1 else "La plus ancienne"
    greeting = f"Bonjour {agent.full_name}," if agent.full_name else "Bonjour,"
    handling_days = current_app.config["QUESTION_HANDLING_DAYS"]
    body = (
        f"{greeting}\n\n"
        f"{waiting} dans le département {code} – {name}.\n"
        f"{oldest} a été déposée {_age(oldest_days)}.\n\n"
        "Aucune question n'est publiée avant d'avoir été modérée ; les citoyens ont été informés "
        f"d'un délai de traitement de {handling_days} jours ouvrés.\n\n"
        "Ouvrir la file de modération :\n"
        f"{external_url('moderation.queue', code=code)}\n\n"
        "Vous recevez ce message chaque jour où des questions attendent une modération dans votre "
        "département.\n"
        "Ce message est envoyé automatiquement : merci de ne pas y répondre.\n"
    )
    return subject, body


def _age(days):
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "hier"
    return f"il y a {days} jours"
