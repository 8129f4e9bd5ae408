"""Clearing a department's queue by groups: pending questions that say the same thing, decided at once.

The groups are read from the front of the queue, never from the whole department: among the WINDOW
oldest pending questions, a chunk at a time until the page is full, the questions not yet placed
are looked up in the similarity index (``duplicates.repeats``: exact repeats share a fingerprint,
near ones most of their terms). In
queue order, the oldest question not yet placed opens a group, which takes every pending question
repeating it (at most GROUP_MAX: a decision applies to what the moderator saw) and the published
question it repeats, if any. Very short texts that repeat nothing form one group of their own.
Deciding a group clears it from the queue; the next groups come forward.

A decision covers the whole group or nothing: every member is locked and checked first, so that a
decision a colleague took meanwhile is seen and refused, then decided through ``services.moderation``
(``approve``, ``merge``, ``reject``: supports carried over, audit log), whose conditional claim
stays the last guard. Each member's citizen is told by e-mail when they left an address; the
follow-up page shows the new status anyway. Operations flush, never commit.
"""
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Consultation, Question, QuestionStatus, RejectionReason
from . import duplicates
from .moderation import ModerationError, approve, decision_mail, merge, reject

#: Pending questions read from the front of the queue to form a page of groups.
WINDOW = 200
#: Groups shown on a page.
GROUPS_PER_PAGE = 20
#: Pending questions whose repeats are looked up together: the index's answer grows with each one.
CHUNK = 20
#: Most questions in one group; the rest of a larger set of repeats forms the next groups.
GROUP_MAX = 100

#: Decisions a group may receive: publish the best member and merge the others into it, merge
#: every member into the published original, reject every member for one reason of the charter.
ACTIONS = ("publish", "merge", "reject")


class GroupKind(Enum):
    """Why the questions of a group go together."""

    PUBLISHED = "published"
    EXACT = "exact"
    NEAR = "near"
    SHORT = "short"
    SINGLE = "single"

    @property
    def label(self):
        """Return the French name shown on the group."""
        return {
            "published": "Répète une question publiée", "exact": "Doublons exacts", "near": "Doublons proches",
            "short": "Textes très courts", "single": "Question seule",
        }[self.value]


@dataclass(frozen=True)
class QuestionGroup:
    """Pending questions decided together: the representative first, then the others, oldest first."""

    kind: GroupKind
    members: tuple
    #: The published question the members repeat, into which they may all be merged.
    original: Question | None = None

    @property
    def representative(self):
        """Return the member shown in full, published by a "publish" decision unless another is chosen."""
        return self.members[0]

    @property
    def others(self):
        """Return the members folded under the representative."""
        return self.members[1:]

    @property
    def size(self):
        """Return the number of questions of the group."""
        return len(self.members)

    @property
    def actions(self):
        """Return the decisions that make sense for this group, in the order they are offered."""
        if self.kind is GroupKind.SHORT:
            # Short texts that repeat nothing say different things: none stands for the others.
            return ("reject",)
        return (("merge",) if self.original is not None else ()) + ("publish", "reject")


@dataclass(frozen=True)
class GroupsPage:
    """The first groups of a department's queue, and how many questions wait in all."""

    groups: list
    pending: int

    @property
    def questions_shown(self):
        """Return the number of questions in the groups shown."""
        return sum(group.size for group in self.groups)


@dataclass(frozen=True)
class GroupDecision:
    """What one group decision did: the questions decided and the citizens' notifications queued."""

    action: str
    questions: list
    mails: list
    kept: Question | None = None


def _pending(department_code):
    """Return the conditions of the department's pending questions of the current consultation."""
    return (Question.department_code == department_code, Question.status == QuestionStatus.PENDING,
            Question.consultation_id == select(Consultation.id).where(Consultation.is_current.is_(True))
            .scalar_subquery())


_SHOWN = (joinedload(Question.theme), joinedload(Question.subtopic), joinedload(Question.forum))


def pending_groups(department_code, limit=GROUPS_PER_PAGE, window=None):
    """Return a GroupsPage: the first ``limit`` groups of the department's pending questions, in queue order.

    ``window`` (default WINDOW) pending questions are read from the front of the queue. At most
    3 + 2 × ⌈window / CHUNK⌉ statements, whatever the size of the department; usually 5 to 7.
    """
    front = db.session.scalars(
        select(Question).where(*_pending(department_code)).options(*_SHOWN)
        .order_by(Question.submitted_at, Question.id).limit(window or WINDOW)
    ).unique().all()
    if not front:
        return GroupsPage([], 0)
    placed, drafts, short = set(), [], None
    # Repeats are looked up a chunk at a time, for the questions not placed yet, until the page is full.
    for start in range(0, len(front), CHUNK):
        chunk = [question for question in front[start:start + CHUNK] if question.id not in placed]
        if len(drafts) >= limit:
            break
        if not chunk:
            continue
        found = duplicates.repeats(chunk, [QuestionStatus.PUBLISHED, QuestionStatus.PENDING])
        for question in chunk:
            if len(drafts) >= limit:
                break
            if question.id in placed:
                continue
            rows = found[question.id]
            members = [question.id] + [row.id for row in rows
                                       if row.status is QuestionStatus.PENDING and row.id not in placed]
            members = members[:GROUP_MAX]
            placed.update(members)
            original_id = next((row.id for row in rows if row.status is QuestionStatus.PUBLISHED), None)
            if len(members) == 1 and original_id is None and duplicates.is_short(question.public_text):
                if short is None:
                    short = [GroupKind.SHORT, [], None]
                    drafts.append(short)
                if len(short[1]) < GROUP_MAX:
                    short[1].append(question.id)
                continue
            drafts.append([None, members, original_id])
    loaded = {question.id: question for question in front}
    missing = {member for _, members, _ in drafts for member in members} - loaded.keys()
    missing |= {original_id for _, _, original_id in drafts if original_id is not None}
    if missing:
        loaded.update((question.id, question) for question in db.session.scalars(
            select(Question).where(Question.id.in_(missing)).options(*_SHOWN)
        ).unique())
    groups = []
    for kind, member_ids, original_id in drafts:
        # A member decided since the index answered is left for the next page.
        members = [loaded[member] for member in member_ids
                   if member in loaded and loaded[member].status is QuestionStatus.PENDING]
        if not members:
            continue
        members.sort(key=lambda question: (question.submitted_at, question.id))
        original = loaded.get(original_id)
        groups.append(QuestionGroup(kind or _kind(members, original), tuple(_best_first(members)), original))
    return GroupsPage(groups, db.session.scalar(select(func.count(Question.id)).where(*_pending(department_code))))


def _kind(members, original):
    if original is not None:
        return GroupKind.PUBLISHED
    if len(members) == 1:
        return GroupKind.SINGLE
    if len({question.fingerprint for question in members}) == 1:
        return GroupKind.EXACT
    return GroupKind.NEAR


def _best_first(members):
    """Put first the member best fit to stand for the others: most supported, then fullest, then oldest."""
    def merit(indexed):
        position, question = indexed
        return (-question.support_count, -len(set((question.search_text or "").split())),
                duplicates.is_short(question.public_text), position)
    best = min(enumerate(members), key=merit)[1]
    return [best] + [question for question in members if question is not best]


# --- decisions ------------------------------------------------------------------------------------

def decide_group(department_code, question_ids, action, by, keep_id=None, original_id=None, reason=None,
                 note=""):
    """Decide a whole group at once and return a GroupDecision; refuse with a ModerationError, changing nothing.

    ``question_ids`` are the members the moderator saw. ``action`` "publish" publishes ``keep_id``
    (a member) and merges the others into it; "merge" merges them all into ``original_id``, a
    published question of the department; "reject" rejects them all for ``reason`` with ``note``.
    The caller rolls back on error: a member claimed by a colleague meanwhile stops the whole group.
    """
    if action not in ACTIONS:
        raise ModerationError("Choisissez une décision pour le groupe : publier, regrouper ou refuser.", "action")
    ids = _ids(question_ids)
    if not ids:
        raise ModerationError("Ce groupe est vide : aucune question n'a été envoyée. Rechargez la page des groupes.",
                              "question_ids")
    if len(ids) > GROUP_MAX:
        raise ModerationError(f"Un groupe compte au plus {GROUP_MAX} questions : rechargez la page des groupes.",
                              "question_ids")
    # Locked in one order, read afresh: of two decisions on the same questions the second waits,
    # then sees what the first changed (SQLite, which has no row locks, serialises every write).
    questions = db.session.scalars(
        select(Question).where(Question.id.in_(ids), Question.department_code == department_code)
        .options(joinedload(Question.contact)).order_by(Question.id).with_for_update(of=Question)
        .execution_options(populate_existing=True)
    ).unique().all()
    questions.sort(key=lambda question: (question.submitted_at, question.id))
    if len(questions) != len(ids):
        # Unknown ids and ids of another department read the same: nothing leaks about them.
        raise ModerationError("Certaines questions du groupe sont introuvables dans ce département : "
                              "rechargez la page des groupes.", "question_ids")
    changed = [question for question in questions if question.status is not QuestionStatus.PENDING]
    if changed:
        listed = ", ".join(f"{question.reference} ({question.status.label.lower()})" for question in changed)
        raise ModerationError(f"Le groupe a changé depuis l'affichage de la page : {listed}. "
                              "Aucune décision n'a été enregistrée ; rechargez la page des groupes.")
    kept = None
    if action == "publish":
        kept = next((question for question in questions if question.id == _id(keep_id)), None)
        if kept is None:
            raise ModerationError("Choisissez, parmi les questions du groupe, celle à publier.", "keep")
        approve(kept, by)
        for question in questions:
            if question is not kept:
                merge(question, kept, by)
    elif action == "merge":
        original = _published_original(department_code, original_id, questions)
        for question in questions:
            merge(question, original, by)
        kept = original
    else:
        if reason in (None, ""):
            raise ModerationError("Choisissez le motif de la charte de modération.", "reason")
        for question in questions:
            reject(question, reason, note, by)
    mails = [mail for mail in (decision_mail(question, kept) for question in questions) if mail is not None]
    return GroupDecision(action, questions, mails, kept)


def _ids(values):
    ids = {_id(value) for value in values or ()}
    if None in ids:
        raise ModerationError("La liste des questions du groupe n'est pas valide : rechargez la page des groupes.",
                              "question_ids")
    return ids


def _id(value):
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _published_original(department_code, original_id, questions):
    original = None
    if _id(original_id) is not None:
        # Locked too: a colleague withdrawing it meanwhile would leave the group merged into a refused question.
        original = db.session.get(Question, _id(original_id), with_for_update=True, populate_existing=True)
    if original is None or original.department_code != department_code:
        raise ModerationError("La question d'origine est introuvable dans ce département.", "original")
    if original in questions:
        raise ModerationError(f"La question {original.reference} fait partie du groupe : choisissez "
                              "« publier » pour la garder et y regrouper les autres.", "original")
    if original.status is not QuestionStatus.PUBLISHED:
        raise ModerationError(f"La question {original.reference} est « {original.status.label.lower()} » : "
                              "on ne regroupe des questions qu'avec une question publiée.", "original")
    return original

