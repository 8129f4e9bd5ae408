"""The departmental synthesis: draft, write, check readiness, transmit, add an addendum, reopen. Operations flush, never commit.

A synthesis goes draft → submitted; the ministry may reopen a submitted synthesis (reopened),
which the prefecture amends and submits again. What the engine writes (figures, generated
sentences, annexes) is stored apart from what the prefecture writes (its text, section by
section): a draft's generated content is recomputed whenever the department's data changed
(:func:`current_generated`), and once more at transmission, so that no sentence can disagree
with the figures beside it. Transmission freezes both. The minutes it carried are locked; a forum
held after an early transmission gets its minutes all the same, and the prefecture sends them
as an addendum (:func:`transmit_addendum`) without reopening anything.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload

from synthesis.drafting import forum_label, join_fr
from synthesis.national import department_result
from synthesis.records import ForumRecord
from synthesis.typography import department_name, format_date, format_number, natural_key

from ..extensions import db
from ..models import (
    AttachmentKind, Department, DepartmentSynthesis, Forum, ForumStatus, Minutes, MinutesAttachment, Question,
    QuestionStatus, SynthesisAnnex, SynthesisStatus,
)
from ..timeutils import PARIS, utcnow
from .audit import record_event
from .coverage import department_coverage
from .errors import FieldErrors
from .synthesis_content import (
    SECTION_MAX_LENGTH, Generated, SectionTexts, concern_members, department_stamp, read_generated, read_texts,
)
from .synthesis_inputs import compile_department

REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 2000

LOCKED_MESSAGE = "La synthèse a été transmise : elle ne peut plus être modifiée."

#: What a synthesis can be, as the dashboard and the pages name it.
NOT_STARTED, DRAFT, SUBMITTED, LATE, REOPENED = "not_started", "draft", "submitted", "late", "reopened"
STATUS_LABELS = {
    NOT_STARTED: "Non commencée",
    DRAFT: "Projet",
    SUBMITTED: "Transmise",
    LATE: "Transmise en retard",
    REOPENED: "Rouverte",
}


class SynthesisError(FieldErrors):
    """Raised when a synthesis operation is refused; ``errors`` maps a field (or "__all__") to French messages."""


class MissingMinutes(SynthesisError):
    """Raised when submitting while held forums have no minutes; ``forums`` lists them."""

    def __init__(self, forums, errors=None):
        self.forums = list(forums)
        errors = dict(errors or {})
        errors.setdefault("__all__", []).insert(0, missing_minutes_message(self.forums))
        super().__init__(errors)


class TextConflict(SynthesisError):
    """Raised when a colleague changed a section since the form was opened; ``current`` holds their texts."""

    def __init__(self, current):
        self.current = dict(current)
        super().__init__({key: ["Un autre agent a modifié cette section pendant que vous écriviez : son texte est "
                                "affiché ci-dessous, le vôtre est conservé dans le champ. Reprenez-le puis "
                                "enregistrez de nouveau."] for key in self.current})


@dataclass(frozen=True)
class SynthesisState:
    """Where a department's synthesis stands: its status key and label, and whether it is overdue."""

    key: str
    label: str
    #: Not transmitted although the consultation's deadline has passed.
    is_overdue: bool


def department_synthesis(consultation, department_code):
    """Return the department's synthesis for the consultation, or None when none was prepared."""
    return db.session.scalar(
        db.select(DepartmentSynthesis).where(DepartmentSynthesis.consultation_id == consultation.id,
                                             DepartmentSynthesis.department_code == department_code)
    )


# --- the generated content ------------------------------------------------------------------------

def compute_generated(consultation, department_code):
    """Return (CompiledDepartment, Generated) of a department computed from its data now."""
    stamp = department_stamp(consultation, department_code)
    compiled = compile_department(consultation, department_code)
    return compiled, Generated(compiled.draft, compiled.figures, stamp, concern_members(compiled.concerns))


def _store(synthesis, generated, now):
    synthesis.generated = generated.to_dict()
    synthesis.generated_at = now


def refreshed_generated(synthesis, now=None):
    """Return (Generated content of a synthesis, whether it was just recomputed).

    A draft or reopened synthesis is always current: one query tells whether its data changed
    since the content was computed, and only then is it computed again and stored (the caller
    commits). A transmitted synthesis keeps what it transmitted.
    """
    generated = read_generated(synthesis.generated)
    if synthesis.is_locked and generated is not None:
        return generated, False
    if generated is None or generated.stamp != department_stamp(synthesis.consultation, synthesis.department_code):
        _, generated = compute_generated(synthesis.consultation, synthesis.department_code)
        _store(synthesis, generated, now or utcnow())
        db.session.flush()
        return generated, True
    return generated, False


def current_generated(synthesis, now=None):
    """Return the Generated content of a synthesis, recomputed first if the department's data changed."""
    return refreshed_generated(synthesis, now)[0]


def draft_synthesis(consultation, department_code, now=None):
    """Return a new DepartmentSynthesis with its generated content, not added to the session.

    What « Préparer le projet de synthèse » stores, and what the command line writes out when a
    department has not prepared its synthesis yet. Raise LookupError for an unknown department.
    """
    _, generated = compute_generated(consultation, department_code)
    now = now or utcnow()
    return DepartmentSynthesis(
        # Ids and objects both: a synthesis the command line never saves is read as a stored one.
        consultation_id=consultation.id,
        consultation=consultation,
        department_code=department_code,
        department=db.session.get(Department, department_code),
        status=SynthesisStatus.DRAFT,
        is_late=False,
        is_early=False,
        early_reason="",
        reopen_reason="",
        generated=generated.to_dict(),
        generated_at=now,
        texts=SectionTexts().to_dict(),
        text_version=0,
        created_at=now,
        updated_at=now,
    )


def prepare_draft(consultation, department_code, by, now=None):
    """Create the department's synthesis, its generated content computed; refuse if one already exists."""
    if department_synthesis(consultation, department_code) is not None:
        raise SynthesisError.single("Un projet de synthèse existe déjà pour ce département.")
    synthesis = draft_synthesis(consultation, department_code, now)
    synthesis.created_by_id = synthesis.updated_by_id = by.id if by is not None else None
    db.session.add(synthesis)
    db.session.flush()
    record_event("synthesis.prepare", "department_synthesis", synthesis.id, by=by, department_code=department_code,
                 summary=f"Projet de synthèse {_of_department(synthesis)} préparé.")
    return synthesis


# --- the agents' text ------------------------------------------------------------------------------

def check_texts(texts, section_keys):
    """Return {section key: stripped Markdown} of ``texts``, or raise SynthesisError (unknown section, too long)."""
    errors = {}
    cleaned = {}
    for key, text in texts.items():
        if key not in section_keys:
            errors.setdefault("__all__", []).append(f"Section inconnue : « {key} ».")
            continue
        text = (text or "").replace("\r\n", "\n").strip()
        if len(text) > SECTION_MAX_LENGTH:
            errors[key] = [f"Ce texte dépasse {format_number(SECTION_MAX_LENGTH)} caractères "
                           f"({format_number(len(text))}) : raccourcissez-le ou répartissez-le entre les sections."]
            continue
        cleaned[key] = text
    if errors:
        raise SynthesisError(errors)
    return cleaned


def write_texts(synthesis, texts, based_on, by, generated, now=None):
    """Store the agent's ``texts`` ({section key: Markdown}) of a departmental or national synthesis.

    ``based_on`` maps each section shown to the version of its text the form showed: a section a
    colleague changed since is refused (TextConflict, nothing stored) rather than overwritten
    unseen. The numbers each text cites are recorded against ``generated``'s figures, so that the
    edit page can flag them when the figures change. Two saves at the same moment are settled by
    a conditional UPDATE on the synthesis' text version. Return the keys of the sections changed.
    """
    cleaned = check_texts(texts, set(generated.draft.section_keys()))
    model = type(synthesis)
    # Two tries: a colleague's save of other sections at the same moment is no conflict.
    for _ in range(2):
        stored = read_texts(synthesis)
        changed = {key: text for key, text in cleaned.items() if stored.text(key) != text}
        conflicts = {key: stored.sections[key] for key in changed
                     if stored.version(key) != based_on.get(key, stored.version(key))}
        if conflicts:
            raise TextConflict(conflicts)
        if not changed:
            return []
        claimed = db.session.execute(
            update(model).where(model.id == synthesis.id, model.text_version == synthesis.text_version)
            .values(text_version=synthesis.text_version + 1).execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            break
        db.session.refresh(synthesis)
    else:
        raise SynthesisError.single("D'autres agents enregistrent la synthèse en ce moment : "
                                    "enregistrez de nouveau dans un instant, votre texte est conservé.")
    synthesis.text_version += 1
    synthesis.texts = stored.with_texts(changed, generated.figures, by.id if by is not None else None,
                                        now or utcnow()).to_dict()
    synthesis.updated_by_id = by.id if by is not None else None
    db.session.flush()
    return sorted(changed)


def update_texts(synthesis, texts, based_on, by, now=None):
    """Store the prefecture's text of some sections of its synthesis (refused once transmitted)."""
    _ensure_editable(synthesis)
    generated = current_generated(synthesis, now)
    changed = write_texts(synthesis, texts, based_on, by, generated, now)
    if changed:
        titles = section_titles(generated.draft)
        record_event("synthesis.edit", "department_synthesis", synthesis.id, by=by,
                     department_code=synthesis.department_code,
                     summary="Synthèse modifiée : " + join_fr([f"« {titles[key]} »" for key in changed]) + ".",
                     changes={"sections": changed})
    return changed


def section_titles(draft):
    """Return {section key: "Part title — section title"} of a draft, for messages and the journal."""
    return {section.key: (f"{part.title} — {section.title}" if section.title else part.title)
            for part in draft.parts for section in part.sections}


# --- readiness -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Readiness:
    """Where a department stands before transmitting its synthesis: what blocks it, what to confirm, what to check."""

    #: Held forums without minutes: transmission is refused while there are any.
    held_without_minutes: list = field(default_factory=list)
    #: Announced forums not held yet, by date: transmitting now is early.
    forums_to_hold: list = field(default_factory=list)
    #: Last day of the meeting window, and whether it is still open today.
    window_ends_on: date | None = None
    window_open: bool = False
    #: The department's coverage (synthesis.coverage.Coverage).
    coverage: object = None
    pending_questions: int = 0
    #: Held forums whose minutes have no signed document attached.
    unsigned_minutes: list = field(default_factory=list)
    #: (section title, OutdatedCitation) of the numbers the prefecture cites that have changed.
    outdated_citations: list = field(default_factory=list)
    past_deadline: bool = False

    @property
    def uncovered_units(self):
        """Return the cantons (or communes) no announced forum covers, each once, by name."""
        units = {}
        for _, group in (self.coverage.uncovered_by_arrondissement if self.coverage is not None else ()):
            for unit in group:
                units.setdefault(unit.code, unit)
        return sorted(units.values(), key=lambda unit: natural_key(unit.name))

    @property
    def is_early(self):
        """Tell whether transmitting now needs the explicit confirmation and a reason."""
        return bool(self.forums_to_hold) or self.window_open

    @property
    def is_blocked(self):
        """Tell whether transmission is refused."""
        return bool(self.held_without_minutes)


def readiness(synthesis, now=None, generated=None):
    """Return the Readiness of a synthesis' department today (a handful of queries).

    ``generated`` is the synthesis' current content when the caller already has it.
    """
    consultation = synthesis.consultation
    code = synthesis.department_code
    now = now or utcnow()
    today = now.astimezone(PARIS).date()
    generated = generated or current_generated(synthesis, now)
    titles = section_titles(generated.draft)
    return Readiness(
        held_without_minutes=held_forums_without_minutes(synthesis),
        forums_to_hold=forums_still_to_hold(consultation, code),
        window_ends_on=consultation.meetings_end_on,
        window_open=today <= consultation.meetings_end_on,
        coverage=department_coverage(code, consultation),
        pending_questions=db.session.scalar(
            select(db.func.count(Question.id)).where(Question.consultation_id == consultation.id,
                                                     Question.department_code == code,
                                                     Question.status == QuestionStatus.PENDING)),
        unsigned_minutes=minutes_without_signed_document(consultation, code),
        outdated_citations=[(titles.get(key, key), citation)
                            for key, citation in read_texts(synthesis).outdated(generated.figures)],
        past_deadline=is_past_deadline(consultation, now),
    )


def forums_still_to_hold(consultation, department_code):
    """Return the department's announced forums (published or postponed) not held yet, by date."""
    return list(db.session.scalars(
        select(Forum).options(joinedload(Forum.commune))
        .where(Forum.consultation_id == consultation.id, Forum.department_code == department_code,
               Forum.status.in_((ForumStatus.PUBLISHED, ForumStatus.POSTPONED)))
        .order_by(Forum.starts_at, Forum.id)
    ))


def minutes_without_signed_document(consultation, department_code):
    """Return the department's held forums whose minutes have no signed document, by date."""
    signed = exists().where(MinutesAttachment.minutes_id == Minutes.id, MinutesAttachment.kind == AttachmentKind.SIGNED)
    return list(db.session.scalars(
        select(Forum).options(joinedload(Forum.commune)).join(Minutes, Minutes.forum_id == Forum.id)
        .where(Forum.consultation_id == consultation.id, Forum.department_code == department_code,
               Forum.status == ForumStatus.HELD, ~signed)
        .order_by(Forum.starts_at, Forum.id)
    ))


def held_forums_without_minutes(synthesis_or_consultation, department_code=None):
    """Return the department's held forums that have no minutes yet, by date.

    Give a DepartmentSynthesis, or a consultation and a department code.
    """
    if isinstance(synthesis_or_consultation, DepartmentSynthesis):
        consultation_id = synthesis_or_consultation.consultation_id
        department_code = synthesis_or_consultation.department_code
    else:
        consultation_id = synthesis_or_consultation.id
    return list(db.session.scalars(
        db.select(Forum)
        .options(joinedload(Forum.commune))
        .outerjoin(Minutes, Minutes.forum_id == Forum.id)
        .where(Forum.consultation_id == consultation_id, Forum.department_code == department_code,
               Forum.status == ForumStatus.HELD, Minutes.id.is_(None))
        .order_by(Forum.starts_at, Forum.id)
    ))


def missing_minutes_message(forums):
    """Return the French message listing held forums without minutes."""
    names = "\u202f; ".join(forum_name(forum) for forum in forums)
    if len(forums) == 1:
        return f"Le forum suivant s'est tenu mais n'a pas de compte-rendu : {names}."
    return f"Les {len(forums)} forums suivants se sont tenus mais n'ont pas de compte-rendu : {names}."


# --- transmission ---------------------------------------------------------------------------------------

def submit_synthesis(synthesis, by, now=None, early_reason=None):
    """Transmit the synthesis to the ministry: content recomputed and frozen, result stored, minutes locked.

    Refused when already transmitted, and while a held forum has no minutes (MissingMinutes lists
    them). While forums remain to be held or the meeting window is open, ``early_reason`` must
    say why (recorded, shown to the ministry). Late when the Paris date is after the deadline.
    """
    if synthesis.status is SynthesisStatus.SUBMITTED:
        raise SynthesisError.single("La synthèse a déjà été transmise au ministère.")
    now = now or utcnow()
    missing = held_forums_without_minutes(synthesis)
    if missing:
        raise MissingMinutes(missing)
    consultation = synthesis.consultation
    early = bool(forums_still_to_hold(consultation, synthesis.department_code)) or (
        now.astimezone(PARIS).date() <= consultation.meetings_end_on)
    reason = (early_reason or "").strip()
    if early:
        _check_reason(reason, "early_reason", "Indiquez pourquoi vous transmettez avant la fin des forums : "
                                              "le ministère lira ce motif.")
    _claim_submission(synthesis)
    compiled, generated = compute_generated(consultation, synthesis.department_code)
    _store(synthesis, generated, now)
    synthesis.status = SynthesisStatus.SUBMITTED
    synthesis.submitted_at = now
    synthesis.submitted_by_id = synthesis.updated_by_id = by.id if by is not None else None
    synthesis.is_late = is_past_deadline(consultation, now)
    synthesis.is_early = early
    synthesis.early_reason = reason if early else ""
    _store_result(synthesis, compiled)
    _annex_minutes(synthesis, compiled, by, now, addendum=False)
    db.session.flush()
    notes = []
    if synthesis.is_late:
        notes.append(f"en retard (date limite : {format_date(consultation.synthesis_due_on, weekday=False)})")
    if early:
        notes.append(f"par anticipation ({reason})")
    record_event("synthesis.submit", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary=f"Synthèse {_of_department(synthesis)} transmise au ministère"
                         + (", " + ", ".join(notes) if notes else "") + ".",
                 changes={"status": ["submitted"], "is_late": [synthesis.is_late], "is_early": [early]})
    return synthesis


def _check_reason(reason, name, missing_message):
    if len(reason) < REASON_MIN_LENGTH:
        raise SynthesisError.single(missing_message, name)
    if len(reason) > REASON_MAX_LENGTH:
        raise SynthesisError.single(f"Le motif ne doit pas dépasser {format_number(REASON_MAX_LENGTH)} caractères "
                                    f"({format_number(len(reason))} saisis).", name)


def _store_result(synthesis, compiled):
    """Store what the nation adds up: the department's figures, concerns and the parts as transmitted."""
    texts = read_texts(synthesis).markdowns()
    draft = compiled.draft
    parts = {part.key: draft.part_markdown(part.key, texts) for part in draft.parts}
    synthesis.submitted_result = department_result(compiled.input, compiled.figures, compiled.concerns,
                                                   parts).to_dict()


def _annex_minutes(synthesis, compiled, by, now, addendum, forum_ids=None):
    """Record the minutes now transmitted: every held forum's (or those of ``forum_ids``, as an addendum)."""
    versions = dict(db.session.execute(
        select(Minutes.forum_id, Minutes.version_number).join(Forum, Forum.id == Minutes.forum_id)
        .where(Forum.consultation_id == synthesis.consultation_id, Forum.department_code == synthesis.department_code,
               Forum.status == ForumStatus.HELD)
    ).all())
    if not addendum:
        synthesis.annexes.clear()
        db.session.flush()
    for forum_id in sorted(forum_ids if forum_ids is not None else versions):
        synthesis.annexes.append(SynthesisAnnex(forum_id=forum_id, minutes_version=versions[forum_id],
                                                is_addendum=addendum, transmitted_at=now,
                                                transmitted_by_id=by.id if by is not None else None))


def _claim_submission(synthesis):
    """Mark the row submitted unless another request has just done so.

    The condition of the UPDATE settles two clicks at once: on PostgreSQL the second waits for the
    first to commit and then matches no row; on SQLite writers take turns.
    """
    claimed = db.session.execute(
        update(DepartmentSynthesis)
        .where(DepartmentSynthesis.id == synthesis.id, DepartmentSynthesis.status != SynthesisStatus.SUBMITTED)
        .values(status=SynthesisStatus.SUBMITTED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise SynthesisError.single("La synthèse vient d'être transmise au ministère par un autre agent.")


# --- addenda --------------------------------------------------------------------------------------------

def addendum_candidates(synthesis):
    """Return the held forums whose minutes have not reached the ministry yet, by date (transmitted syntheses only)."""
    if synthesis.status is not SynthesisStatus.SUBMITTED:
        return []
    annexed = select(SynthesisAnnex.forum_id).where(SynthesisAnnex.synthesis_id == synthesis.id)
    return list(db.session.scalars(
        select(Forum).options(joinedload(Forum.commune)).join(Minutes, Minutes.forum_id == Forum.id)
        .where(Forum.consultation_id == synthesis.consultation_id, Forum.department_code == synthesis.department_code,
               Forum.status == ForumStatus.HELD, Forum.id.not_in(annexed))
        .order_by(Forum.starts_at, Forum.id)
    ))


def transmit_addendum(synthesis, forum_ids, by, now=None):
    """Send the ministry the minutes of forums held since the transmission, as an addendum to the synthesis.

    Only minutes not transmitted yet, of held forums of the department, may be sent; anything
    else is refused with the reason (nothing stored). The synthesis' figures and generated text
    are recomputed with them, the prefecture's own text stays as transmitted, and those minutes
    are locked in turn. Return the forums sent.
    """
    if synthesis.status is not SynthesisStatus.SUBMITTED:
        raise SynthesisError.single("Un complément ne s'envoie qu'après la transmission de la synthèse : "
                                    "tant qu'elle n'est pas transmise, les comptes-rendus y figurent d'eux-mêmes.")
    candidates = {forum.id: forum for forum in addendum_candidates(synthesis)}
    chosen = sorted(set(forum_ids))
    if not chosen:
        raise SynthesisError.single("Cochez au moins un compte-rendu à transmettre en complément.", "forum_ids")
    unknown = [forum_id for forum_id in chosen if forum_id not in candidates]
    if unknown:
        raise SynthesisError.single(
            "Seuls les comptes-rendus des forums tenus du département qui n'ont pas encore été transmis peuvent "
            f"former un complément ; ce n'est pas le cas de : {', '.join(f'n° {i}' for i in unknown)}.", "forum_ids")
    now = now or utcnow()
    compiled, generated = compute_generated(synthesis.consultation, synthesis.department_code)
    _annex_minutes(synthesis, compiled, by, now, addendum=True, forum_ids=chosen)
    _store(synthesis, generated, now)
    _store_result(synthesis, compiled)
    synthesis.updated_by_id = by.id if by is not None else None
    db.session.flush()
    sent = [candidates[forum_id] for forum_id in chosen]
    record_event("synthesis.addendum", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary=f"Complément à la synthèse {_of_department(synthesis)} transmis : "
                         + join_fr([f"compte-rendu du {forum_name(forum)}" for forum in sent]) + ".",
                 changes={"forums": chosen})
    return sent


def addenda(synthesis):
    """Return the addenda of a synthesis: [(transmitted_at, [SynthesisAnnex])], oldest first."""
    groups = {}
    for annex in synthesis.annexes:
        if annex.is_addendum:
            groups.setdefault(annex.transmitted_at, []).append(annex)
    return sorted(groups.items(), key=lambda item: item[0])


# --- reopening -----------------------------------------------------------------------------------------

def reopen_synthesis(synthesis, reason, by, now=None):
    """Reopen a submitted synthesis so that the prefecture can amend it (the ministry's decision, reason required)."""
    if synthesis.status is not SynthesisStatus.SUBMITTED:
        raise SynthesisError.single("Seule une synthèse transmise peut être rouverte.")
    reason = (reason or "").strip()
    _check_reason(reason, "reason", "Indiquez le motif de la réouverture : la préfecture le lira.")
    synthesis.status = SynthesisStatus.REOPENED
    synthesis.reopened_at = now or utcnow()
    synthesis.reopened_by_id = by.id if by is not None else None
    synthesis.reopen_reason = reason
    db.session.flush()
    record_event("synthesis.reopen", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary=f"Synthèse {_of_department(synthesis)} rouverte : {reason}",
                 changes={"status": ["submitted", "reopened"], "reason": [reason]})
    return synthesis


# --- status ---------------------------------------------------------------------------------------------

def is_past_deadline(consultation, now=None):
    """Tell whether the Paris date of ``now`` is after the consultation's deadline for syntheses."""
    return (now or utcnow()).astimezone(PARIS).date() > consultation.synthesis_due_on


def synthesis_state(synthesis, consultation, now=None):
    """Return the SynthesisState of a department's synthesis (None: not started) in a consultation."""
    if synthesis is None:
        key = NOT_STARTED
    elif synthesis.status is SynthesisStatus.SUBMITTED:
        key = LATE if synthesis.is_late else SUBMITTED
    elif synthesis.status is SynthesisStatus.REOPENED:
        key = REOPENED
    else:
        key = DRAFT
    overdue = key in (NOT_STARTED, DRAFT, REOPENED) and is_past_deadline(consultation, now)
    return SynthesisState(key, STATUS_LABELS[key], overdue)


def synthesis_status_label(synthesis, consultation, now=None):
    """Return « Non commencée », « Projet », « Transmise », « Transmise en retard » or « Rouverte »."""
    return synthesis_state(synthesis, consultation, now).label


def _ensure_editable(synthesis):
    if synthesis.is_locked:
        raise SynthesisError.single(LOCKED_MESSAGE)


def _of_department(synthesis):
    department = synthesis.department
    return department_name(department.name, department.full_name).of if department else synthesis.department_code


def forum_name(forum):
    """Return a forum as the syntheses name it ("forum d’Arles du 17 mars 2009")."""
    place = forum.commune.name if forum.commune is not None else ""
    return forum_label(ForumRecord(forum.id, forum.department_code, forum.arrondissement_code, forum.title,
                                   forum.starts_at, forum.status.value, place=place))
