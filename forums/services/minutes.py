"""Minutes (comptes-rendus) of held forums: record, version, documents, public summary. Operations flush, never commit.

A forum gets minutes once it has started (and was neither a draft nor cancelled). Every save that
changes something writes a MinutesVersion holding the whole record as plain data; saving the same
minutes again writes nothing. Saving marks the forum held and the questions ticked as taken up at
it. While the department's synthesis is submitted to the ministry, its minutes are locked, until
the ministry reopens the synthesis. Every change is written to the audit log.
"""
from dataclasses import dataclass, field

from babel.dates import format_datetime
from babel.numbers import format_decimal
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..file_storage import delete_stored, store_upload
from ..file_types import DocumentRefused
from ..models import (
    AttachmentKind, AttendanceCategory, DepartmentSynthesis, Forum, ForumStatus, Minutes, MinutesAttachment,
    MinutesTopic, MinutesVersion, Proposal, ProposalOrigin, Question, QuestionStatus, Subtopic, SynthesisAnnex,
    SynthesisStatus, Theme, ThemePart,
)
from ..timeutils import PARIS, utcnow
from . import moderation
from .audit import record_event
from .errors import FieldErrors
from .forums import mark_forum_held

#: Most people a forum can have gathered in one category: more is a typing mistake.
ATTENDANCE_MAX = 10_000
#: Shortest and longest actual duration of a forum, in minutes (12 hours, as for scheduling).
DURATION_MIN, DURATION_MAX = 1, 720
#: Longest strengths or weaknesses, and concerns or answers of one sub-topic.
TEXT_MAX = 10_000
#: Longest free notes (Markdown source).
NOTES_MAX = 20_000
#: Shortest and longest proposal.
PROPOSAL_MIN, PROPOSAL_MAX = 10, 2_000
#: Most proposals one set of minutes may hold.
PROPOSALS_MAX = 200

#: Forum statuses at which minutes can be written, once the forum has started.
RECORDABLE_STATUSES = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD)

#: The parts of a snapshot that are the record itself: a save that changes none of them is no new version.
RECORD_KEYS = ("attendance", "duration_minutes", "topics", "strengths", "weaknesses", "proposals", "questions",
               "notes")

LOCKED_MESSAGE = (
    "Ce compte-rendu a été transmis au ministère avec la synthèse départementale : il est verrouillé. "
    "Il redevient modifiable si le ministère rouvre la synthèse."
)


CONCURRENT_MESSAGE = (
    "Un autre agent vient d'enregistrer ce compte-rendu : vos modifications n'ont pas été enregistrées, "
    "pour ne pas effacer les siennes. Ouvrez le compte-rendu à jour, puis reportez-y vos modifications."
)


class MinutesError(FieldErrors):
    """Raised when an operation on minutes is refused; ``errors`` maps a field key (or "__all__") to French messages.

    Keys: ``attendance.<category>``, ``duration_minutes``, ``strengths``, ``weaknesses``, ``notes``,
    ``question_ids``, ``topics.<i>[.concerns|.answers]``, ``proposals.<i>[.text|.theme_id|.subtopic_id|.origin]``
    (``i`` the rank in the data given), ``document``, ``__all__``.
    """


@dataclass
class TopicData:
    """What was said about one sub-topic: the concerns raised and the answers given."""

    subtopic_id: int
    concerns: str = ""
    answers: str = ""


@dataclass
class ProposalData:
    """One proposal as entered: its theme (and sub-topic, if any), who made it, its text."""

    theme_id: int | None
    subtopic_id: int | None
    #: A ProposalOrigin or its value.
    origin: object
    text: str = ""


@dataclass
class MinutesData:
    """The minutes of a forum as entered by an agent."""

    #: {AttendanceCategory: count or None}; a category left out or None was not counted.
    attendance: dict = field(default_factory=dict)
    duration_minutes: int | None = None
    topics: list[TopicData] = field(default_factory=list)
    strengths: str = ""
    weaknesses: str = ""
    proposals: list[ProposalData] = field(default_factory=list)
    #: Ids of the published questions taken up at the forum.
    question_ids: list[int] = field(default_factory=list)
    #: Free notes, Markdown.
    notes: str = ""

    @classmethod
    def from_minutes(cls, minutes):
        """Return the data of saved minutes, for editing; the questions are those marked as taken up at the forum."""
        return cls(
            attendance={category: getattr(minutes, category.column) for category in AttendanceCategory},
            duration_minutes=minutes.duration_minutes,
            topics=[TopicData(topic.subtopic_id, topic.concerns, topic.answers) for topic in minutes.topics],
            strengths=minutes.strengths or "",
            weaknesses=minutes.weaknesses or "",
            proposals=[ProposalData(proposal.theme_id, proposal.subtopic_id, proposal.origin, proposal.text)
                       for proposal in minutes.proposals],
            question_ids=list(db.session.scalars(
                select(Question.id).where(Question.addressed_forum_id == minutes.forum_id).order_by(Question.id)
            )),
            notes=minutes.notes or "",
        )


# --- when minutes may be written --------------------------------------------------------------------

def minutes_lock_reason(forum):
    """Return why the forum's minutes are locked, or None.

    Locked once they reached the ministry — with the transmitted synthesis or in an addendum —
    and until the ministry reopens the synthesis. A forum held after an early transmission is not
    locked: its minutes go to the ministry as an addendum.
    """
    transmitted = db.session.scalar(
        select(SynthesisAnnex.id)
        .join(DepartmentSynthesis, DepartmentSynthesis.id == SynthesisAnnex.synthesis_id)
        .where(SynthesisAnnex.forum_id == forum.id, DepartmentSynthesis.status == SynthesisStatus.SUBMITTED)
        .limit(1)
    )
    return LOCKED_MESSAGE if transmitted is not None else None


def can_have_minutes(forum, now=None):
    """Return None when the forum may have minutes, else the French reason why not (no query).

    A held forum may; a published or postponed one once it has started; never a draft nor a
    cancelled forum.
    """
    if forum.status is ForumStatus.DRAFT:
        return "Ce forum n'a pas été publié : il n'a pas eu lieu et ne peut pas avoir de compte-rendu."
    if forum.status is ForumStatus.CANCELLED:
        return "Ce forum a été annulé : il n'a pas eu lieu et ne peut pas avoir de compte-rendu."
    if forum.status is ForumStatus.HELD:
        return None
    if forum.starts_at is None:
        return "Ce forum n'a pas encore de date : son compte-rendu pourra être rédigé une fois qu'il aura eu lieu."
    if forum.starts_at > (now or utcnow()):
        return (f"Ce forum n'a pas encore eu lieu (il commence le {_moment(forum.starts_at)}) : "
                "son compte-rendu pourra être rédigé à partir de son début.")
    return None


def taken_up_candidates(forum):
    """Return the questions that may be ticked as taken up at the forum, by reference.

    The forum's published questions, and any published question already marked as taken up at
    it (from the moderation pages), so that the form shows it ticked.
    """
    return db.session.scalars(
        select(Question)
        .where(Question.consultation_id == forum.consultation_id, Question.department_code == forum.department_code,
               Question.status == QuestionStatus.PUBLISHED,
               or_(Question.forum_id == forum.id, Question.addressed_forum_id == forum.id))
        .options(joinedload(Question.subtopic))
        .order_by(Question.reference)
    ).all()


# --- saving -----------------------------------------------------------------------------------------

def save_minutes(forum, data, by, now=None, based_on=None):
    """Write the forum's minutes from ``data`` (a MinutesData); return the Minutes.

    Everything is checked before anything is written (MinutesError with every message). A save
    that changes the record writes a new version, marks the forum held and the ticked questions
    taken up (un-ticked ones no longer are); a save that changes nothing writes nothing.
    ``based_on`` is the version number the agent's form showed (0 for none): a save made from a
    version that has since been replaced is refused rather than overwrite the newer one unseen.
    """
    now = now or utcnow()
    agent_id = by.id if by is not None else None
    refusal = can_have_minutes(forum, now) or minutes_lock_reason(forum)
    if refusal:
        raise MinutesError.single(refusal)
    outline = _Outline(forum.consultation_id)
    candidates = {question.id: question for question in taken_up_candidates(forum)}
    record = _validated_record(data, outline, candidates)
    minutes = forum.minutes
    previous = _latest_record(minutes)
    if previous is not None and previous == record:
        return minutes
    if minutes is None:
        minutes = _create_minutes(forum, now, agent_id)
    number = _claim_version(minutes, based_on)
    _write(minutes, forum, record, outline)
    minutes.updated_at = now
    minutes.updated_by_id = agent_id
    minutes.versions.append(MinutesVersion(number=number, saved_at=now, saved_by_id=agent_id,
                                           snapshot=_snapshot(record, outline, candidates, minutes, number, now, by)))
    db.session.flush()
    if forum.status in (ForumStatus.PUBLISHED, ForumStatus.POSTPONED):
        mark_forum_held(forum, by, now)
    _sync_questions(forum, set(record["questions"]), candidates, by, now)
    record_event("minutes.save", "minutes", minutes.id, by=by, department_code=forum.department_code,
                 summary=f"Compte-rendu du forum « {forum.title} » enregistré (version {number}).",
                 changes=_changes(previous, record))
    return minutes


def _create_minutes(forum, now, agent_id):
    """Add the forum's minutes row, empty; refuse when another agent has just created it."""
    try:
        # A savepoint: the unique forum_id settles two first saves at once, and the transaction stays usable.
        with db.session.begin_nested():
            minutes = Minutes(forum=forum, department_code=forum.department_code,
                              consultation_id=forum.consultation_id, created_at=now, created_by_id=agent_id,
                              summary_published=False, version_number=0)
            db.session.add(minutes)
    except IntegrityError:
        raise MinutesError.single(CONCURRENT_MESSAGE) from None
    return minutes


def _claim_version(minutes, based_on=None):
    """Move the minutes to their next version number and return it; refuse when another save got there first.

    A conditional UPDATE, so that of two agents saving the same minutes at once (or one saving a
    form opened before the other's save), the second is told to reload the page rather than
    overwrite the first one's work unseen.
    """
    current = based_on if based_on is not None else (minutes.version_number or 0)
    claimed = db.session.execute(
        update(Minutes).where(Minutes.id == minutes.id, Minutes.version_number == current)
        .values(version_number=current + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise MinutesError.single(CONCURRENT_MESSAGE)
    set_committed_value(minutes, "version_number", current + 1)
    return current + 1


class _Outline:
    """The consultation's themes and sub-topics, loaded once to check and name what the agent chose."""

    def __init__(self, consultation_id):
        self.themes = {theme.id: theme for theme in db.session.scalars(
            select(Theme).where(Theme.consultation_id == consultation_id))}
        self.subtopics, self.theme_of = {}, {}
        for subtopic, theme_id in db.session.execute(
            select(Subtopic, ThemePart.theme_id).join(ThemePart, Subtopic.part_id == ThemePart.id)
            .join(Theme, ThemePart.theme_id == Theme.id).where(Theme.consultation_id == consultation_id)
        ):
            self.subtopics[subtopic.id] = subtopic
            self.theme_of[subtopic.id] = theme_id


def _validated_record(data, outline, candidates):
    """Return the cleaned record of ``data`` (plain data, as snapshots hold it); raise MinutesError."""
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    attendance = {}
    for category in AttendanceCategory:
        value = data.attendance.get(category)
        if value is None or value == "":
            # Not counted: unknown, which is not the same as nobody.
            value = None
        elif not isinstance(value, int) or isinstance(value, bool):
            add(f"attendance.{category.value}", "Saisissez un nombre entier en chiffres, par exemple 35.")
        elif value < 0:
            add(f"attendance.{category.value}", "Le nombre de personnes ne peut pas être négatif.")
        elif value > ATTENDANCE_MAX:
            add(f"attendance.{category.value}",
                f"Le nombre de personnes ne peut pas dépasser {_number(ATTENDANCE_MAX)} : vérifiez la saisie.")
        attendance[category.value] = value

    duration = data.duration_minutes
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)
                                 or not DURATION_MIN <= duration <= DURATION_MAX):
        add("duration_minutes", f"Indiquez une durée entre {DURATION_MIN} et {DURATION_MAX} minutes "
                                "(12 heures), par exemple 120 pour deux heures.")

    texts = {}
    for name, label, limit in (("strengths", "Les points forts", TEXT_MAX),
                               ("weaknesses", "Les points faibles", TEXT_MAX), ("notes", "Les notes", NOTES_MAX)):
        texts[name] = _clean(getattr(data, name))
        if len(texts[name]) > limit:
            add(name, f"{label} ne doivent pas dépasser {_number(limit)} caractères "
                      f"(actuellement {_number(len(texts[name]))}).")

    topics, seen = [], set()
    for index, topic in enumerate(data.topics or ()):
        concerns, answers = _clean(topic.concerns), _clean(topic.answers)
        if topic.subtopic_id not in outline.subtopics:
            add(f"topics.{index}", "Ce sous-thème n'appartient pas à la consultation du forum : rechargez la page.")
            continue
        if topic.subtopic_id in seen:
            add(f"topics.{index}", "Ce sous-thème est déjà renseigné : regroupez ce qui en a été dit.")
            continue
        seen.add(topic.subtopic_id)
        for part, value in (("concerns", concerns), ("answers", answers)):
            if len(value) > TEXT_MAX:
                add(f"topics.{index}.{part}", f"Ce texte ne doit pas dépasser {_number(TEXT_MAX)} caractères "
                                              f"(actuellement {_number(len(value))}).")
        if concerns or answers:
            topics.append({"subtopic_id": topic.subtopic_id, "concerns": concerns, "answers": answers})

    proposals = []
    if len(data.proposals or ()) > PROPOSALS_MAX:
        add("proposals", f"Un compte-rendu compte au plus {PROPOSALS_MAX} propositions : regroupez les plus proches.")
    for index, proposal in enumerate((data.proposals or ())[:PROPOSALS_MAX]):
        proposals.append(_validated_proposal(index, proposal, outline, add))

    question_ids = sorted(set(data.question_ids or ()))
    if any(question_id not in candidates for question_id in question_ids):
        add("question_ids", "Une des questions cochées ne peut pas être rattachée à ce forum : seules ses "
                            "questions publiées peuvent l'être. Rechargez la page.")

    if errors:
        raise MinutesError(errors)
    return {"attendance": attendance, "duration_minutes": duration, "topics": topics,
            "strengths": texts["strengths"], "weaknesses": texts["weaknesses"], "proposals": proposals,
            "questions": question_ids, "notes": texts["notes"]}


def _validated_proposal(index, proposal, outline, add):
    key = f"proposals.{index}"
    text = _clean(proposal.text)
    if not text:
        add(f"{key}.text", "Rédigez la proposition, ou videz toute la ligne.")
    elif len(text) < PROPOSAL_MIN:
        add(f"{key}.text", f"Une proposition compte au moins {PROPOSAL_MIN} caractères : précisez-la.")
    elif len(text) > PROPOSAL_MAX:
        add(f"{key}.text", f"Une proposition ne doit pas dépasser {_number(PROPOSAL_MAX)} caractères "
                           f"(actuellement {_number(len(text))}) : scindez-la.")
    theme_id, subtopic_id = proposal.theme_id, proposal.subtopic_id
    if subtopic_id is not None:
        if subtopic_id not in outline.subtopics:
            add(f"{key}.subtopic_id", "Ce sous-thème n'appartient pas à la consultation du forum.")
        elif theme_id is not None and outline.theme_of[subtopic_id] != theme_id:
            add(f"{key}.subtopic_id", "Ce sous-thème n'appartient pas au thème choisi.")
        else:
            theme_id = outline.theme_of[subtopic_id]
    elif theme_id is None:
        add(f"{key}.theme_id", "Choisissez le thème ou le sous-thème de la proposition.")
    elif theme_id not in outline.themes:
        add(f"{key}.theme_id", "Ce thème n'appartient pas à la consultation du forum.")
    origin = getattr(proposal.origin, "value", proposal.origin)
    if origin not in {value.value for value in ProposalOrigin}:
        add(f"{key}.origin", "Indiquez qui a fait la proposition : public, élu, association ou forces de l'ordre.")
    return {"theme_id": theme_id, "subtopic_id": subtopic_id, "origin": origin, "text": text}


def _latest_record(minutes):
    """Return the record part of the current version's snapshot, or None without minutes."""
    if minutes is None:
        return None
    latest = next((version for version in minutes.versions if version.number == minutes.version_number), None)
    return _record_of(latest.snapshot if latest is not None else {})


def _record_of(snapshot):
    """Return the parts of a snapshot that say what the minutes are, without the names it also carries."""
    snapshot = snapshot or {}
    return {
        "attendance": snapshot.get("attendance"),
        "duration_minutes": snapshot.get("duration_minutes"),
        "topics": [{"subtopic_id": topic.get("subtopic_id"), "concerns": topic.get("concerns"),
                    "answers": topic.get("answers")} for topic in snapshot.get("topics") or ()],
        "strengths": snapshot.get("strengths"),
        "weaknesses": snapshot.get("weaknesses"),
        "proposals": [{key: proposal.get(key) for key in ("theme_id", "subtopic_id", "origin", "text")}
                      for proposal in snapshot.get("proposals") or ()],
        "questions": sorted(question["id"] if isinstance(question, dict) else question
                            for question in snapshot.get("questions") or ()),
        "notes": snapshot.get("notes"),
    }


def _write(minutes, forum, record, outline):
    """Copy the record onto the minutes, reusing topic and proposal rows by position."""
    for category in AttendanceCategory:
        setattr(minutes, category.column, record["attendance"][category.value])
    minutes.duration_minutes = record["duration_minutes"]
    minutes.strengths, minutes.weaknesses, minutes.notes = record["strengths"], record["weaknesses"], record["notes"]
    topics = list(minutes.topics)
    for position, item in enumerate(record["topics"]):
        if position < len(topics):
            row = topics[position]
        else:
            row = MinutesTopic()
            minutes.topics.append(row)
        row.subtopic = outline.subtopics[item["subtopic_id"]]
        row.position, row.concerns, row.answers = position, item["concerns"], item["answers"]
    for row in topics[len(record["topics"]):]:
        minutes.topics.remove(row)
    proposals = list(minutes.proposals)
    for position, item in enumerate(record["proposals"]):
        if position < len(proposals):
            row = proposals[position]
        else:
            # Denormalised so that the synthesis counts a department's proposals in one indexed query.
            row = Proposal(forum=forum, department_code=forum.department_code,
                           consultation_id=forum.consultation_id)
            minutes.proposals.append(row)
        row.theme = outline.themes[item["theme_id"]]
        row.subtopic = outline.subtopics[item["subtopic_id"]] if item["subtopic_id"] is not None else None
        row.origin = ProposalOrigin(item["origin"])
        row.text, row.position = item["text"], position
    for row in proposals[len(record["proposals"]):]:
        minutes.proposals.remove(row)


def _snapshot(record, outline, candidates, minutes, number, now, by):
    """Return the version's snapshot: the record with the names it uses, the documents then attached, who and when."""
    topics = []
    for item in record["topics"]:
        subtopic = outline.subtopics[item["subtopic_id"]]
        topics.append(item | {"subtopic_code": subtopic.code, "subtopic_title": subtopic.title})
    proposals = []
    for item in record["proposals"]:
        theme = outline.themes[item["theme_id"]]
        subtopic = outline.subtopics.get(item["subtopic_id"])
        proposals.append(item | {
            "theme_code": theme.code, "theme_title": theme.title,
            "subtopic_code": subtopic.code if subtopic else None,
            "subtopic_title": subtopic.title if subtopic else None,
        })
    return {
        **record,
        "topics": topics,
        "proposals": proposals,
        "questions": [{"id": question_id, "reference": candidates[question_id].reference}
                      for question_id in record["questions"]],
        "attachments": [{"original_name": attachment.original_name, "kind": attachment.kind.value,
                         "size": attachment.size} for attachment in minutes.attachments],
        "number": number,
        "saved_at": now.isoformat(),
        "saved_by": (by.full_name or by.email) if by is not None else None,
    }


def _sync_questions(forum, ticked, candidates, by, now):
    """Mark the ticked questions taken up at the forum; clear those un-ticked since."""
    for question_id, question in candidates.items():
        if question_id in ticked and question.addressed_forum_id != forum.id:
            moderation.mark_addressed(question, forum, by, now)
        elif question_id not in ticked and question.addressed_forum_id == forum.id:
            moderation.clear_addressed(question, by)


def _changes(previous, record):
    """Return the audit changes: for each part of the record that changed, its number of items or its value."""
    if previous is None:
        return {"created": True}
    changes = {}
    for key in RECORD_KEYS:
        if previous.get(key) != record[key]:
            old, new = previous.get(key), record[key]
            changes[key] = [len(old or ()), len(new)] if isinstance(new, list) else [old, new]
    return changes


# --- versions ---------------------------------------------------------------------------------------

def version_snapshot(minutes, number):
    """Return the MinutesVersion numbered ``number`` of the minutes (its ``snapshot`` is the record), or None."""
    if minutes is None:
        return None
    return next((version for version in minutes.versions if version.number == number), None)


# --- documents --------------------------------------------------------------------------------------

def attach_document(minutes, file_storage, kind, by, directory, max_bytes):
    """Store an uploaded document in ``directory`` and attach it to the minutes; return the MinutesAttachment.

    Refused (MinutesError, nothing stored) while the minutes are locked, and for a file
    store_upload refuses (key ``document``). The caller deletes the stored file if its commit fails.
    """
    lock = minutes_lock_reason(minutes.forum)
    if lock:
        raise MinutesError.single(lock)
    try:
        kind = AttachmentKind(kind)
    except ValueError:
        raise MinutesError.single("Indiquez la nature du document.", "kind") from None
    try:
        stored = store_upload(file_storage, directory, max_bytes)
    except DocumentRefused as refusal:
        raise MinutesError.single(refusal.message, "document") from None
    attachment = MinutesAttachment(
        kind=kind, original_name=stored.original_name, storage_name=stored.storage_name,
        mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256, uploaded_at=utcnow(),
        uploaded_by_id=by.id if by is not None else None,
    )
    minutes.attachments.append(attachment)
    try:
        db.session.flush()
        record_event("minutes.attach", "minutes", minutes.id, by=by, department_code=minutes.department_code,
                     summary=f"Document « {stored.original_name} » ({kind.label.lower()}) joint au compte-rendu "
                             f"du forum « {minutes.forum.title} ».",
                     changes={"attachment": [None, stored.original_name], "sha256": stored.sha256})
    except Exception:
        # The row will not exist: a file nobody can reach must not stay on the disk.
        delete_stored(directory, stored.storage_name)
        raise
    return attachment


def remove_document(attachment, by, directory):
    """Remove a document from the minutes: its row and its file. Refused while the minutes are locked."""
    minutes = attachment.minutes
    lock = minutes_lock_reason(minutes.forum)
    if lock:
        raise MinutesError.single(lock)
    name, storage_name = attachment.original_name, attachment.storage_name
    minutes.attachments.remove(attachment)
    db.session.flush()
    record_event("minutes.remove_document", "minutes", minutes.id, by=by, department_code=minutes.department_code,
                 summary=f"Document « {name} » retiré du compte-rendu du forum « {minutes.forum.title} ».",
                 changes={"attachment": [name, None]})
    # Deleted once the row is gone from the transaction: if the commit then failed, the row would
    # point to a missing file, which downloads answer with a 404, rather than leave an orphan file.
    delete_stored(directory, storage_name)


# --- the public summary -----------------------------------------------------------------------------

def publish_summary(minutes, by, show_names=False):
    """Show the summary of the minutes on the forum's public page; the animator is named only if ``show_names``."""
    was = minutes.summary_published
    minutes.summary_published = True
    minutes.summary_shows_names = bool(show_names)
    if not was:
        minutes.summary_published_at = utcnow()
    record_event("minutes.publish_summary", "minutes", minutes.id, by=by, department_code=minutes.department_code,
                 summary=f"Synthèse publique du compte-rendu du forum « {minutes.forum.title} » publiée"
                         + (", avec le nom de l'animateur." if show_names else ", sans aucun nom."),
                 changes={"summary_published": [was, True], "summary_shows_names": bool(show_names)})
    return minutes


def unpublish_summary(minutes, by):
    """Withdraw the summary of the minutes from the forum's public page."""
    if not minutes.summary_published:
        raise MinutesError.single("La synthèse publique de ce compte-rendu n'est pas en ligne.")
    minutes.summary_published = False
    record_event("minutes.unpublish_summary", "minutes", minutes.id, by=by, department_code=minutes.department_code,
                 summary=f"Synthèse publique du compte-rendu du forum « {minutes.forum.title} » retirée.",
                 changes={"summary_published": [True, False]})
    return minutes


# --- proposals --------------------------------------------------------------------------------------

def department_proposals(department_code, consultation_id, theme_id=None, subtopic_id=None, origin=None,
                         forum_id=None):
    """Return the department's proposals for the consultation, by forum date then rank, with forum, theme and sub-topic.

    Each filter given narrows the list; ``origin`` is a ProposalOrigin or its value.
    """
    query = (
        select(Proposal)
        .join(Forum, Proposal.forum_id == Forum.id)
        .where(Proposal.department_code == department_code, Proposal.consultation_id == consultation_id)
        .options(joinedload(Proposal.forum), joinedload(Proposal.theme), joinedload(Proposal.subtopic))
        .order_by(Forum.starts_at, Forum.id, Proposal.position, Proposal.id)
    )
    if theme_id is not None:
        query = query.where(Proposal.theme_id == theme_id)
    if subtopic_id is not None:
        query = query.where(Proposal.subtopic_id == subtopic_id)
    if origin is not None:
        query = query.where(Proposal.origin == ProposalOrigin(origin))
    if forum_id is not None:
        query = query.where(Proposal.forum_id == forum_id)
    return db.session.scalars(query).all()


# --- helpers ----------------------------------------------------------------------------------------

def _clean(text):
    # Browsers send "\r\n": store one kind of line break so that lengths and comparisons are fair.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _number(value):
    return format_decimal(value, locale="fr")


def _moment(value):
    # "mardi 17 mars 2009 à 18 h 30", in Paris.
    return format_datetime(value.astimezone(PARIS), "EEEE d MMMM y 'à' H 'h' mm", locale="fr")
