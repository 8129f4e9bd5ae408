"""Following the minutes: forums held without minutes, minutes without their signed document, and reminders.

A forum is due its minutes once it has taken place: held, or published (or postponed) with its
start passed. ``flask minutes remind``, run daily by cron, reminds the sub-prefecture of the
forum's arrondissement 3 and then 7 days after a forum still without minutes (Paris calendar
days), with the prefecture in copy at 7 days. Each reminder goes once per forum, stage and agent,
however often the command runs.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_date
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Agent, Consultation, Forum, ForumStatus, Minutes, OutgoingMail, Role
from ..timeutils import PARIS, utcnow
from .mail import external_url, queue_mail

#: The outbox kind of a reminder.
REMINDER_KIND = "minutes_reminder"
#: Days after the forum (Paris calendar days) at which the sub-prefecture is reminded; the
#: prefecture is copied at the last one.
REMINDER_DAYS = (3, 7)


@dataclass(frozen=True)
class MissingItem:
    """A forum that has taken place and lacks its minutes or their signed document."""

    forum: Forum
    #: Whole days elapsed since the forum started.
    days_since: int
    #: The minutes, when only the signed document is missing.
    minutes: Minutes | None = None


@dataclass(frozen=True)
class FollowUp:
    """What is missing in a department or arrondissement, the oldest forum first in each list."""

    without_minutes: list[MissingItem]
    without_signed_document: list[MissingItem]


def due_forums_condition(now):
    """Return the SQL condition of forums that have taken place: held, or published/postponed and started."""
    return or_(
        Forum.status == ForumStatus.HELD,
        and_(Forum.status.in_((ForumStatus.PUBLISHED, ForumStatus.POSTPONED)), Forum.starts_at <= now),
    )


def followup(department_code, consultation_id, arrondissement_code=None, now=None):
    """Return the FollowUp of the department (or of one of its arrondissements), in two queries."""
    now = now or utcnow()
    query = (
        select(Forum)
        .where(Forum.department_code == department_code, Forum.consultation_id == consultation_id,
               Forum.starts_at.is_not(None), due_forums_condition(now))
        .options(joinedload(Forum.arrondissement), joinedload(Forum.minutes).selectinload(Minutes.attachments))
        .order_by(Forum.starts_at, Forum.id)
    )
    if arrondissement_code is not None:
        query = query.where(Forum.arrondissement_code == arrondissement_code)
    without_minutes, without_signed = [], []
    for forum in db.session.scalars(query).unique():
        days = max(0, (now - forum.starts_at).days)
        if forum.minutes is None:
            without_minutes.append(MissingItem(forum, days))
        elif not forum.minutes.has_signed_document:
            without_signed.append(MissingItem(forum, days, forum.minutes))
    return FollowUp(without_minutes, without_signed)


# --- reminders --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForumReminder:
    """The reminder one forum is due today, and to whom it went (or, in a dry run, would go)."""

    forum: Forum
    #: The stage: 3 or 7 days after the forum.
    days: int
    #: Addresses of the agents reminded by this run (sub-prefecture, or prefecture when it has nobody).
    queued: tuple[str, ...]
    #: Addresses of the prefecture agents copied by this run (7 days only).
    copied: tuple[str, ...]
    #: Agents who already had this reminder.
    already: int

    @property
    def unattended(self):
        """Tell whether no active agent can receive the reminder."""
        return not self.queued and not self.copied and not self.already


@dataclass(frozen=True)
class ReminderRun:
    """What ``send_minutes_reminders`` found and did."""

    day: date
    dry_run: bool
    reminders: tuple[ForumReminder, ...]
    #: The outbox rows queued (none in a dry run).
    mails: tuple[OutgoingMail, ...]

    @property
    def queued_count(self):
        """Return the number of messages queued (or, in a dry run, that would be)."""
        return sum(len(reminder.queued) + len(reminder.copied) for reminder in self.reminders)

    @property
    def already_count(self):
        """Return the number of reminders not queued again because they already went."""
        return sum(reminder.already for reminder in self.reminders)


def reminder_key(forum, days, agent):
    """Return the outbox dedupe key of one agent's reminder about a forum at a stage."""
    return f"minutes-reminder:{forum.id}:{days}:{agent.id}"


def send_minutes_reminders(now=None, dry_run=False):
    """Queue today's minutes reminders (flush only) and return a ReminderRun; with ``dry_run``, queue nothing.

    A forum of the current consultation that took place at least 3 Paris calendar days ago and
    has no minutes is due the latest stage it has reached: the 3-day reminder, or from the 7th
    day the 7-day one (so a forum found late gets the 7-day reminder only). It goes to the active
    sub-prefecture agents of the forum's arrondissement, or the prefecture's when there are none;
    at 7 days the prefecture's agents are copied. Bodies need FORUMS_PUBLIC_URL (or a request).
    """
    now = now or utcnow()
    today = now.astimezone(PARIS).date()
    consultation = Consultation.current()
    if consultation is None:
        return ReminderRun(today, dry_run, (), ())
    # Forums that started before the day after "3 days ago" began, in Paris.
    cutoff = datetime.combine(today - timedelta(days=REMINDER_DAYS[0] - 1), time(0), tzinfo=PARIS)
    forums = db.session.scalars(
        select(Forum)
        .outerjoin(Minutes, Minutes.forum_id == Forum.id)
        .where(Forum.consultation_id == consultation.id, Minutes.id.is_(None), Forum.starts_at < cutoff,
               due_forums_condition(now))
        .options(joinedload(Forum.commune), joinedload(Forum.department))
        .order_by(Forum.department_code, Forum.starts_at, Forum.id)
    ).all()
    if not forums:
        return ReminderRun(today, dry_run, (), ())
    agents = db.session.scalars(
        select(Agent)
        .where(Agent.is_active.is_(True), Agent.role.in_((Role.SUBPREFECTURE, Role.PREFECTURE)),
               Agent.department_code.in_({forum.department_code for forum in forums}))
        .order_by(Agent.id)
    ).all()
    plans = []
    for forum in forums:
        days = _stage(today, forum)
        prefecture = [agent for agent in agents
                      if agent.role is Role.PREFECTURE and agent.department_code == forum.department_code]
        responsible = [agent for agent in agents if agent.role is Role.SUBPREFECTURE
                       and forum.arrondissement_code is not None
                       and agent.arrondissement_code == forum.arrondissement_code] or prefecture
        copied = [agent for agent in prefecture if agent not in responsible] if days == REMINDER_DAYS[-1] else []
        plans.append((forum, days, responsible, copied))
    keys = [reminder_key(forum, days, agent) for forum, days, responsible, copied in plans
            for agent in responsible + copied]
    sent_before = set(db.session.scalars(select(OutgoingMail.dedupe_key).where(OutgoingMail.dedupe_key.in_(keys))))
    reminders, mails = [], []
    for forum, days, responsible, copied in plans:
        queued = {False: [], True: []}
        already = 0
        for agent, is_copy in [(agent, False) for agent in responsible] + [(agent, True) for agent in copied]:
            key = reminder_key(forum, days, agent)
            if key in sent_before:
                already += 1
                continue
            if not dry_run:
                subject, body = compose_reminder(agent, forum, days, is_copy)
                mail = queue_mail(REMINDER_KIND, agent.email, subject, body, dedupe_key=key)
                if mail is None:
                    # A run at the same moment queued it first.
                    already += 1
                    continue
                mails.append(mail)
            queued[is_copy].append(agent.email)
        reminders.append(ForumReminder(forum, days, tuple(queued[False]), tuple(queued[True]), already))
    return ReminderRun(today, dry_run, tuple(reminders), tuple(mails))


def _stage(today, forum):
    age = (today - forum.starts_at.astimezone(PARIS).date()).days
    return max(stage for stage in REMINDER_DAYS if stage <= age)


def compose_reminder(agent, forum, days, is_copy):
    """Return the French subject and body of one agent's reminder about a forum without minutes."""
    day = format_date(forum.starts_at.astimezone(PARIS), "EEEE d MMMM y", locale="fr")
    where = f" à {forum.commune.name}" if forum.commune is not None else ""
    subject = f"Compte-rendu attendu : forum « {forum.title} » du {day}"
    if days == REMINDER_DAYS[-1]:
        subject = "Rappel – " + subject
    if is_copy:
        subject = "Copie – " + subject
    greeting = f"Bonjour {agent.full_name}," if agent.full_name else "Bonjour,"
    copy = ("Vous recevez ce message en copie, pour la préfecture : la sous-préfecture de l'arrondissement "
            "a reçu le même rappel.\n\n") if is_copy else ""
    body = (
        f"{greeting}\n\n"
        f"Le forum de sécurité « {forum.title} » s'est tenu le {day}{where}, il y a {days} jours. "
        "Son compte-rendu n'a pas encore été enregistré.\n\n"
        f"{copy}"
        "Le compte-rendu (participation, sujets abordés, propositions) et le document signé sont annexés "
        f"à la synthèse départementale ({forum.department.label}).\n\n"
        "Rédiger le compte-rendu :\n"
        f"{external_url('minutes.edit', forum_id=forum.id)}\n\n"
        "Ce message est envoyé automatiquement : merci de ne pas y répondre.\n"
    )
    return subject, body
