"""Moderating citizens' questions under the public charter, and answering them. Operations flush, never commit.

A question goes pending → published (approved) or rejected (with a charter reason), or is merged
into an earlier question that says the same thing; a published question may still be withdrawn
(rejected with a reason) or merged. Published questions receive the prefecture's public answer
and may be marked as taken up at a forum; the citizen is notified by e-mail when they left an
address. Every decision is written to the audit log with the fields it changed.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.routing import BuildError

from ..applog import get_logger
from ..extensions import db
from ..models import (
    AuditEvent, Consultation, Forum, ForumStatus, Question, QuestionStatus, QuestionSupport,
    RejectionReason,
)
from ..publication import bump_publication_version
from ..timeutils import PARIS, utcnow
from ..text import single_line
from .audit import PERSONAL_DATA_WITHHELD, REPLACED_TEXT_WITHHELD, record_event
from .mail import external_url, queue_mail
from .questions import DISPLAY_NAME_MAX_LENGTH

log = get_logger("moderation")

#: Questions per page of the queue and of the department's list.
PAGE_SIZE = 50
#: Limits of the text shown to the public, the same as for the citizen's own text.
PUBLIC_TEXT_MIN, PUBLIC_TEXT_MAX = 20, 2000
#: Longest explanation added to a charter reason.
NOTE_MAX = 1000
#: Longest public answer (Markdown source).
ANSWER_MAX = 10_000

#: Statuses from which each decision may start.
TRANSITIONS = {
    "approve": {QuestionStatus.PENDING},
    "reject": {QuestionStatus.PENDING, QuestionStatus.PUBLISHED},
    "edit": {QuestionStatus.PENDING, QuestionStatus.PUBLISHED},
    "merge": {QuestionStatus.PENDING, QuestionStatus.PUBLISHED},
    "answer": {QuestionStatus.PUBLISHED},
    "address": {QuestionStatus.PUBLISHED},
}

#: Why each decision is refused when the question is in another status.
_REFUSALS = {
    "approve": "Seule une question en attente de modération peut être publiée",
    "reject": "Seule une question en attente ou publiée peut être refusée ou retirée",
    "edit": "Seul le texte d'une question en attente ou publiée peut être modifié",
    "merge": "Seule une question en attente ou publiée peut être regroupée",
    "answer": "Seule une question publiée peut recevoir une réponse",
    "address": "Seule une question publiée peut être marquée comme abordée lors d'un forum",
}

#: Decisions that bulk_decide applies to several questions at once.
BULK_ACTIONS = ("approve", "reject")

#: Forum statuses at which a question can have been taken up, once the forum has started.
FORUM_STATUSES_FOR_ADDRESSING = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD)


class ModerationError(ValueError):
    """Raised when a moderation decision is refused; ``field`` names the form field concerned, if any."""

    def __init__(self, message, field=None):
        self.message = message
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class QueueItem:
    """A question awaiting moderation and how long it has been waiting."""

    question: Question
    waiting: timedelta


@dataclass(frozen=True)
class QueuePage:
    """One page of a department's moderation queue; ``pagination`` is Flask-SQLAlchemy's."""

    items: list[QueueItem]
    pagination: object

    @property
    def total(self):
        """Return the number of pending questions matching the filters, on every page."""
        return self.pagination.total


@dataclass(frozen=True)
class PendingSummary:
    """How many questions wait in a department, and since when the oldest does."""

    count: int
    oldest_submitted_at: datetime | None


def _current_consultation_id():
    return select(Consultation.id).where(Consultation.is_current.is_(True)).scalar_subquery()


def moderation_queue(department_code, theme_id=None, forum_id=None, page=1, per_page=PAGE_SIZE, now=None):
    """Return a QueuePage of the department's pending questions of the current consultation, oldest first.

    ``forum_id`` 0 keeps the questions asked to the department rather than to a forum.
    """
    query = (
        select(Question)
        .where(Question.department_code == department_code, Question.status == QuestionStatus.PENDING,
               Question.consultation_id == _current_consultation_id())
        .options(joinedload(Question.theme), joinedload(Question.subtopic), joinedload(Question.forum))
        .order_by(Question.submitted_at, Question.id)
    )
    if theme_id is not None:
        query = query.where(Question.theme_id == theme_id)
    if forum_id == 0:
        query = query.where(Question.forum_id.is_(None))
    elif forum_id is not None:
        query = query.where(Question.forum_id == forum_id)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    now = now or utcnow()
    return QueuePage([QueueItem(question, now - question.submitted_at) for question in pagination.items],
                     pagination)


def pending_summary(department_code):
    """Return the PendingSummary of the department's current consultation, in one query."""
    count, oldest = db.session.execute(
        select(func.count(Question.id), func.min(Question.submitted_at))
        .where(Question.department_code == department_code, Question.status == QuestionStatus.PENDING,
               Question.consultation_id == _current_consultation_id())
    ).one()
    return PendingSummary(count, oldest)


def department_questions(department_code, status=None, awaiting_answer=False, reference=None, page=1,
                         per_page=PAGE_SIZE):
    """Return a page (Flask-SQLAlchemy Pagination) of the department's questions of the current consultation.

    Newest first; ``awaiting_answer`` keeps published questions neither answered nor taken up at a forum.
    """
    query = (
        select(Question)
        .where(Question.department_code == department_code,
               Question.consultation_id == _current_consultation_id())
        .options(joinedload(Question.theme), joinedload(Question.subtopic), joinedload(Question.forum),
                 joinedload(Question.merged_into))
        .order_by(Question.submitted_at.desc(), Question.id.desc())
    )
    if status is not None:
        query = query.where(Question.status == status)
    if awaiting_answer:
        query = query.where(Question.status == QuestionStatus.PUBLISHED, Question.answered_at.is_(None),
                            Question.addressed_at.is_(None))
    if reference:
        query = query.where(Question.reference == reference)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def next_pending(question):
    """Return the pending question to look at after ``question``: the next one in the queue, else the oldest."""
    waiting = (
        select(Question)
        .where(Question.department_code == question.department_code, Question.status == QuestionStatus.PENDING,
               Question.consultation_id == question.consultation_id, Question.id != question.id)
        .order_by(Question.submitted_at, Question.id)
        .limit(1)
    )
    later = waiting.where(or_(Question.submitted_at > question.submitted_at,
                              and_(Question.submitted_at == question.submitted_at, Question.id > question.id)))
    return db.session.scalar(later) or db.session.scalar(waiting)


def question_by_reference(department_code, reference):
    """Return the department's question with this reference ("13-000124"), or None."""
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return db.session.scalar(
        select(Question).where(Question.reference == reference, Question.department_code == department_code)
    )


def question_history(question):
    """Return the question's audit events, oldest first, with their agents."""
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "question", AuditEvent.object_id == str(question.id))
        .options(selectinload(AuditEvent.agent))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()


def forums_for_addressing(department_code, consultation_id, now=None):
    """Return the department's forums at which a question can have been taken up: started, not cancelled."""
    now = now or utcnow()
    return db.session.scalars(
        select(Forum)
        .where(Forum.department_code == department_code, Forum.consultation_id == consultation_id,
               Forum.status.in_(FORUM_STATUSES_FOR_ADDRESSING),
               or_(Forum.status == ForumStatus.HELD, Forum.starts_at <= now))
        .order_by(Forum.starts_at.desc(), Forum.id)
    ).all()


# --- decisions ------------------------------------------------------------------------------------

def approve(question, by):
    """Publish a pending question: it appears on the public site."""
    _check_transition(question, "approve")
    _claim(question, QuestionStatus.PUBLISHED, by)
    record_event("question.approve", "question", question.id, by=by, department_code=question.department_code,
                 summary=f"Question {question.reference} publiée.",
                 changes={"status": [QuestionStatus.PENDING.value, QuestionStatus.PUBLISHED.value]})
    return question


def reject(question, reason, note, by, original=None):
    """Refuse a pending question, or withdraw a published one, for a rule of the charter.

    ``original`` (a DUPLICATE only) is the earlier question it repeats; its reference is added to
    the note that the citizen reads on the follow-up page.
    """
    _check_transition(question, "reject")
    reason = _reason(reason)
    note = _note(note)
    if original is not None:
        if reason is not RejectionReason.DUPLICATE:
            raise ModerationError("Indiquez une question d'origine seulement pour le motif « Doublon ».", "original")
        _check_original(question, original)
        pointer = f"La même question a déjà été posée : {original.reference}."
        note = f"{pointer} {note}" if note else pointer
    was = _claim(question, QuestionStatus.REJECTED, by)
    question.rejection_reason = reason
    question.rejection_note = note
    changes = {"status": [was.value, QuestionStatus.REJECTED.value], "rejection_reason": [None, reason.value]}
    if note:
        changes["rejection_note"] = ["", note]
    if was is QuestionStatus.PUBLISHED:
        action, summary = "question.unpublish", f"Question {question.reference} retirée du site : {reason.label}."
    else:
        action, summary = "question.reject", f"Question {question.reference} non publiée : {reason.label}."
    record_event(action, "question", question.id, by=by, department_code=question.department_code,
                 summary=summary, changes=changes)
    return question


def edit_public_text(question, new_text, by):
    """Replace the text shown to the public (to remove personal data); the citizen's text is kept as written."""
    _check_transition(question, "edit")
    text = _clean_text(new_text)
    if len(text) < PUBLIC_TEXT_MIN:
        raise ModerationError(f"Le texte public doit compter au moins {PUBLIC_TEXT_MIN} caractères.", "public_text")
    if len(text) > PUBLIC_TEXT_MAX:
        raise ModerationError(f"Le texte public ne doit pas dépasser {_number(PUBLIC_TEXT_MAX)} caractères.",
                              "public_text")
    if text == question.public_text:
        raise ModerationError("Ce texte est identique au texte public actuel : rien n'a été modifié.", "public_text")
    agent_id = _agent_id(by)
    question.set_public_text(text)
    question.edited_at = utcnow()
    question.edited_by_id = agent_id
    # The replaced text is what the edit took personal data out of: the journal keeps only the new one.
    record_event("question.edit", "question", question.id, by=by, department_code=question.department_code,
                 summary=f"Texte public de la question {question.reference} modifié.",
                 changes={"public_text": [REPLACED_TEXT_WITHHELD, text]})
    return question


def edit_display_name(question, new_name, by):
    """Replace or remove (empty ``new_name``) the name the citizen chose to show beside their question.

    For a name that identifies someone or breaks the charter. The journal records the change, not
    the names: they are personal data, which the purge removes everywhere else.
    """
    _check_transition(question, "edit")
    contact = question.contact
    if contact is None or not contact.display_name:
        raise ModerationError("Cette question est publiée anonymement : il n'y a pas de nom à modifier.",
                              "display_name")
    name = single_line(new_name)
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ModerationError(f"Le nom affiché ne doit pas dépasser {DISPLAY_NAME_MAX_LENGTH} caractères "
                              f"(il en compte {len(name)}).", "display_name")
    if name == contact.display_name:
        raise ModerationError("Ce nom est identique au nom affiché actuel : rien n'a été modifié.", "display_name")
    contact.display_name = name or None
    if question.status is QuestionStatus.PUBLISHED:
        # The name is shown beside the published question: the public pages change.
        bump_publication_version(db.session)
    record_event("question.edit_display_name", "question", question.id, by=by,
                 department_code=question.department_code,
                 summary=f"Nom affiché de la question {question.reference} "
                         + ("modifié." if name else "retiré : la question paraît anonymement."),
                 changes={"display_name": [PERSONAL_DATA_WITHHELD, PERSONAL_DATA_WITHHELD if name else None]})
    return question


def merge(duplicate, original, by):
    """Merge ``duplicate`` into ``original``: its supports, and its author as one more, go to the original.

    Supports of browsers that already support the original are not counted twice. Questions
    merged earlier into the duplicate now point to the original, so no chain forms.
    """
    _check_transition(duplicate, "merge")
    _check_original(duplicate, original)
    was = _claim(duplicate, QuestionStatus.MERGED, by)
    # Claimed, the row is locked until commit: its count can no longer move under us.
    db.session.refresh(duplicate, ["support_count"])
    conflicting = select(QuestionSupport.supporter_hash).where(QuestionSupport.question_id == original.id)
    duplicated = db.session.execute(
        delete(QuestionSupport)
        .where(QuestionSupport.question_id == duplicate.id, QuestionSupport.supporter_hash.in_(conflicting))
    ).rowcount
    db.session.execute(
        update(QuestionSupport).where(QuestionSupport.question_id == duplicate.id).values(question_id=original.id)
    )
    repointed = db.session.execute(
        update(Question).where(Question.merged_into_id == duplicate.id).values(merged_into_id=original.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    added = duplicate.support_count - duplicated + 1
    old_duplicate_count, old_original_count = duplicate.support_count, original.support_count
    duplicate.merged_into_id = original.id
    duplicate.support_count = 0
    # An SQL increment: supports given meanwhile by citizens are not overwritten.
    original.support_count = Question.support_count + added
    db.session.flush()
    changes = {"status": [was.value, QuestionStatus.MERGED.value], "merged_into": [None, original.reference],
               "support_count": [old_duplicate_count, 0]}
    record_event("question.merge", "question", duplicate.id, by=by, department_code=duplicate.department_code,
                 summary=f"Question {duplicate.reference} regroupée avec la question {original.reference}.",
                 changes=changes)
    summary = (f"La question {duplicate.reference} a été regroupée avec celle-ci : "
               f"{_supports(added)} ajouté{'s' if added > 1 else ''}.")
    if repointed:
        summary += f" Questions qui lui étaient déjà regroupées, désormais rattachées à celle-ci : {repointed}."
    record_event("question.absorb", "question", original.id, by=by, department_code=original.department_code,
                 summary=summary, changes={"support_count": [old_original_count, original.support_count]})
    log.info("question %s merged into %s: %s supports added", duplicate.id, original.id, added)
    return original


def bulk_decide(questions, action, by, reason=None, note=""):
    """Approve or reject several questions: all are checked before any changes; one audit event each."""
    if action not in BULK_ACTIONS:
        raise ModerationError("Choisissez de publier ou de refuser les questions sélectionnées.", "action")
    if not questions:
        raise ModerationError("Sélectionnez au moins une question.", "question_ids")
    if action == "reject":
        reason, note = _reason(reason), _note(note)
    refused = [q.reference for q in questions if q.status not in TRANSITIONS[action]]
    if refused:
        raise ModerationError(
            f"{_REFUSALS[action]} : {', '.join(sorted(refused))} "
            f"{'a' if len(refused) == 1 else 'ont'} changé d'état entretemps. Aucune décision n'a été enregistrée."
        )
    for question in questions:
        if action == "approve":
            approve(question, by)
        else:
            reject(question, reason, note, by)
    return len(questions)


# --- answers --------------------------------------------------------------------------------------

def answer(question, markdown_text, by):
    """Publish or correct the prefecture's answer (Markdown); return the citizen's notification, or None.

    The first answer sets ``answered_at`` and notifies the citizen; a correction keeps that time,
    as the answer the citizen was told about, and is recorded in the audit log.
    """
    _check_transition(question, "answer")
    text = _clean_text(markdown_text)
    if not text:
        raise ModerationError("Rédigez la réponse avant de la publier.", "answer")
    if len(text) > ANSWER_MAX:
        raise ModerationError(f"La réponse ne doit pas dépasser {_number(ANSWER_MAX)} caractères.", "answer")
    old = question.answer_text
    if text == old:
        raise ModerationError("Cette réponse est identique à la réponse publiée : rien n'a été modifié.", "answer")
    first, agent_id = question.answered_at is None, _agent_id(by)
    question.answer_text = text
    if first:
        question.answered_at = utcnow()
        question.answered_by_id = agent_id
    record_event("question.answer" if first else "question.answer_update", "question", question.id, by=by,
                 department_code=question.department_code,
                 summary=(f"Réponse publiée à la question {question.reference}." if first
                          else f"Réponse à la question {question.reference} corrigée."),
                 changes={"answer_text": [old, text]})
    if not first:
        return None
    return _notify(question, "answer", f"answer:{question.id}",
                   f"Réponse à votre question {question.reference}", lambda: _answer_body(question))


def mark_addressed(question, forum, by, now=None):
    """Record that a published question was taken up at a forum that has started; return the notification, or None."""
    _check_transition(question, "address")
    now = now or utcnow()
    if forum is None or forum.department_code != question.department_code \
            or forum.consultation_id != question.consultation_id:
        raise ModerationError("Choisissez un forum du département pour cette consultation.", "forum")
    started = forum.status is ForumStatus.HELD or (forum.starts_at is not None and forum.starts_at <= now)
    if forum.status not in FORUM_STATUSES_FOR_ADDRESSING or not started:
        raise ModerationError("Choisissez un forum qui a déjà eu lieu : celui-ci n'a pas encore commencé "
                              "ou n'est pas public.", "forum")
    if question.addressed_forum_id == forum.id:
        raise ModerationError(f"La question est déjà marquée comme abordée lors du forum « {forum.title} ».",
                              "forum")
    old = question.addressed_forum
    question.addressed_forum = forum
    question.addressed_at = now
    record_event("question.address", "question", question.id, by=by, department_code=question.department_code,
                 summary=f"Question {question.reference} abordée lors du forum « {forum.title} » "
                         f"du {_day(forum.starts_at)}.",
                 changes={"addressed_forum": [old.title if old else None, forum.title]})
    return _notify(question, "addressed", f"addressed:{question.id}:{forum.id}",
                   f"Votre question {question.reference} a été abordée lors d'un forum",
                   lambda: _addressed_body(question, forum))


def clear_addressed(question, by):
    """Withdraw the mention that a question was taken up at a forum (un-ticked in the forum's minutes).

    The citizen, who may have been told by e-mail, is not written to again: the page simply no
    longer says so. The former forum is kept in the audit log.
    """
    if question.addressed_at is None and question.addressed_forum_id is None:
        raise ModerationError(f"La question {question.reference} n'est marquée comme abordée lors d'aucun forum.",
                              "forum")
    old = question.addressed_forum
    question.addressed_forum = None
    question.addressed_at = None
    record_event("question.clear_addressed", "question", question.id, by=by,
                 department_code=question.department_code,
                 summary=f"La question {question.reference} n'est plus marquée comme abordée lors du forum"
                         + (f" « {old.title} »." if old else "."),
                 changes={"addressed_forum": [old.title if old else None, None]})
    return question


def public_question_url(question):
    """Return the absolute address of the question's public page, or None when it cannot be built.

    Notifications must never block a decision: without a public page (an application that does
    not serve one), or without a host to name (a command run without FORUMS_PUBLIC_URL), the
    message simply carries no link.
    """
    try:
        return external_url("public.question", reference=question.reference)
    except (BuildError, RuntimeError):
        log.warning("no public address for question %s: notification sent without a link", question.id)
        return None


# --- helpers --------------------------------------------------------------------------------------

def _check_transition(question, action):
    if question.status not in TRANSITIONS[action]:
        raise ModerationError(
            f"{_REFUSALS[action]} : la question {question.reference} est « {question.status.label.lower()} »."
        )


def _check_original(question, original):
    if original is None:
        raise ModerationError("Aucune question de ce département ne porte cette référence.", "original")
    if original.id == question.id:
        raise ModerationError("Une question ne peut pas être regroupée avec elle-même.", "original")
    if original.department_code != question.department_code or original.consultation_id != question.consultation_id:
        raise ModerationError(f"La question {original.reference} n'appartient pas au même département "
                              "et à la même consultation.", "original")
    if original.status is QuestionStatus.MERGED:
        target = original.merged_into.reference if original.merged_into else "une autre question"
        raise ModerationError(f"La question {original.reference} est elle-même regroupée avec {target} : "
                              "choisissez cette dernière.", "original")
    if original.status is not QuestionStatus.PUBLISHED and original.status is not QuestionStatus.PENDING:
        raise ModerationError(f"La question {original.reference} n'a pas été publiée : choisissez une question "
                              "publiée ou en attente.", "original")


def _claim(question, status, by):
    """Move the question from the status it was read in to ``status``; return that former status.

    A conditional UPDATE, so that of two agents deciding at the same time only the first one
    wins: a bulk approval must never publish a question a colleague has just refused.
    """
    agent_id, now, was = _agent_id(by), utcnow(), question.status
    claimed = db.session.execute(
        update(Question).where(Question.id == question.id, Question.status == was)
        .values(status=status, moderated_at=now, moderated_by_id=agent_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ModerationError(f"La question {question.reference} vient d'être traitée par un autre agent : "
                              "rechargez la page pour voir sa situation. Aucune décision n'a été enregistrée.")
    for name, value in (("status", status), ("moderated_at", now), ("moderated_by_id", agent_id)):
        set_committed_value(question, name, value)
    db.session.expire(question, ["updated_at"])
    # A Core UPDATE escapes the automatic bump: public pages change when a question enters or leaves them.
    if QuestionStatus.PUBLISHED in (was, status):
        bump_publication_version(db.session)
    return was


def _agent_id(by):
    # Read before changing anything: loading an expired agent would flush a half-made change.
    return by.id if by is not None else None


def _reason(reason):
    if isinstance(reason, RejectionReason):
        return reason
    try:
        return RejectionReason(reason)
    except ValueError:
        raise ModerationError("Choisissez le motif de la charte de modération.", "reason") from None


def _note(note):
    note = _clean_text(note)
    if len(note) > NOTE_MAX:
        raise ModerationError(f"La précision ne doit pas dépasser {_number(NOTE_MAX)} caractères.", "note")
    return note


def _clean_text(text):
    # Browsers send "\r\n": store one kind of line break so that lengths and comparisons are fair.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _number(value):
    return format_decimal(value, locale="fr")


def _supports(count):
    return f"{count} soutien{'s' if count > 1 else ''}"


def _day(value):
    return format_date(value.astimezone(PARIS), "d MMMM y", locale="fr")


def _prefecture(department):
    # "Département des Bouches-du-Rhône" → "la préfecture des Bouches-du-Rhône".
    prefix = "Département "
    if department.full_name.startswith(prefix):
        return "la préfecture " + department.full_name[len(prefix):]
    return f"la préfecture ({department.label})"


def _notify(question, kind, dedupe_key, subject, make_body):
    # The body is built only for a citizen who left an address: it needs a URL, hence a request or PUBLIC_URL.
    contact = question.contact
    if contact is None or not contact.email:
        return None
    # Back at a forum already announced (A, then B, then A again): queue_mail keeps the first message only.
    return queue_mail(kind, contact.email, subject, make_body(), question=question, dedupe_key=dedupe_key)


def decision_mail(question, kept=None):
    """Queue the e-mail telling a citizen who left an address what the moderation decided; return it or None.

    ``kept`` is the question a merged one joined. One message per question and status.
    """
    status = question.status
    link = None
    if status is QuestionStatus.PUBLISHED:
        subject = f"Votre question {question.reference} est publiée"
        news = "a été publiée, au regard de la charte de modération."
        link = (question, "Elle est en ligne")
    elif status is QuestionStatus.MERGED:
        subject = f"Votre question {question.reference} rejoint une question déjà posée"
        news = (f"dit la même chose que la question {kept.reference} : elle lui a été regroupée, "
                "et votre soutien lui est compté.")
        link = (kept, "La question à laquelle elle est regroupée est en ligne")
    else:
        subject = f"Votre question {question.reference} n'est pas publiée"
        news = ("n'a pas été publiée, au regard de la charte de modération : "
                f"{RejectionReason(question.rejection_reason).label}.")
        if question.rejection_note:
            news += f"\n\nPrécision de la modération : {question.rejection_note}"

    def body():
        return (f"Bonjour,\n\nVotre question {question.reference} {news}\n\n"
                + (_link_paragraph(*link) if link else "") + _SIGNATURE)

    return _notify(question, "decision", f"decision:{question.id}:{status.value}", subject, body)


def _link_paragraph(question, sentence):
    url = public_question_url(question)
    return f"{sentence} :\n{url}\n\n" if url else ""


_SIGNATURE = (
    "Pour suivre votre question, utilisez le lien personnel reçu lors de son envoi.\n\n"
    "Ce message est envoyé automatiquement : merci de ne pas y répondre. Ce site n'est pas un service "
    "d'urgence : en cas d'urgence, composez le 17 ou le 112.\n\n"
    "Forums de sécurité – Vos libertés, votre sécurité : parlons-en ensemble\n"
)


def _answer_body(question):
    prefecture = _prefecture(question.department)
    return (
        "Bonjour,\n\n"
        f"Vous avez posé la question {question.reference} le {_day(question.submitted_at)}. "
        f"{prefecture[0].upper()}{prefecture[1:]} y a répondu publiquement.\n\n"
        f"Votre question, telle que publiée :\n{question.public_text}\n\n"
        f"La réponse :\n{question.answer_text}\n\n"
        + _link_paragraph(question, "La question et sa réponse sont en ligne")
        + _SIGNATURE
    )


def _addressed_body(question, forum):
    where = f" à {forum.commune.name}" if forum.commune is not None else ""
    return (
        "Bonjour,\n\n"
        f"Vous avez posé la question {question.reference} le {_day(question.submitted_at)}. "
        f"Elle a été abordée lors du forum de sécurité « {forum.title} » du {_day(forum.starts_at)}{where}, "
        f"organisé par {_prefecture(question.department)}.\n\n"
        f"Votre question, telle que publiée :\n{question.public_text}\n\n"
        + _link_paragraph(question, "Retrouvez votre question en ligne")
        + _SIGNATURE
    )
