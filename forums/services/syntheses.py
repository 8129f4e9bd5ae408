"""The departmental synthesis: draft, edit, submit to the ministry, reopen. Operations flush, never commit.

A synthesis goes draft → submitted; the ministry may reopen a submitted synthesis (reopened), which
the prefecture edits and submits again. While it is submitted, the synthesis and the minutes of
the department's forums are locked (the minutes service reads the status). Its three parts are
Markdown written by the prefecture, pre-filled from the engine's draft; its figures and annexes
are always the engine's, recomputed on demand and at submission.
"""
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import joinedload

from synthesis.drafting import DIAGNOSIS, INSIGHT, PROPOSALS, forum_label
from synthesis.national import department_result
from synthesis.records import ForumRecord
from synthesis.typography import format_number

from ..extensions import db
from ..models import Department, DepartmentSynthesis, Forum, ForumStatus, Minutes, SynthesisStatus
from ..timeutils import PARIS, utcnow
from .audit import record_event
from .errors import FieldErrors
from .synthesis_inputs import compile_department

#: The synthesis' Markdown columns → the engine's part keys, in the document's order.
PART_KEYS = {"local_insight": INSIGHT, "diagnosis": DIAGNOSIS, "proposals": PROPOSALS}
#: The parts as the prefecture reads their names, for the messages.
PART_LABELS = {
    "local_insight": "l'éclairage de proximité",
    "diagnosis": "le diagnostic",
    "proposals": "les propositions",
}
#: Longest Markdown text a part may hold.
PART_MAX_LENGTH = 100_000
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


def figures_payload(compiled):
    """Return what a synthesis stores as its ``figures``: the engine's figures, annexes, title and subtitle."""
    draft = compiled.draft
    return {
        "figures": compiled.figures.to_dict(),
        "figures_markdown": draft.figures.markdown,
        "annexes": [{"forum_id": annex.forum_id, "title": annex.title, "has_minutes": annex.has_minutes}
                    for annex in draft.annexes],
        "annexes_markdown": draft.annexes_part.markdown,
        "title": draft.title,
        "subtitle": draft.subtitle,
    }


def draft_synthesis(consultation, department_code, now=None):
    """Return a new DepartmentSynthesis pre-filled from the engine's draft, not added to the session.

    What "Préparer le projet de synthèse" stores, and what the command line writes out when a
    department has not prepared its synthesis yet. Raise LookupError for an unknown department.
    """
    compiled = compile_department(consultation, department_code)
    draft = compiled.draft
    now = now or utcnow()
    return DepartmentSynthesis(
        # Ids and objects both: a synthesis the command line never saves is read as a stored one.
        consultation_id=consultation.id,
        consultation=consultation,
        department_code=department_code,
        department=db.session.get(Department, department_code),
        status=SynthesisStatus.DRAFT,
        is_late=False,
        reopen_reason="",
        **{column: draft.part(key).markdown for column, key in PART_KEYS.items()},
        figures=figures_payload(compiled),
        figures_computed_at=now,
        created_at=now,
        updated_at=now,
    )


def prepare_draft(consultation, department_code, by, now=None):
    """Create the department's synthesis with its three parts pre-filled; refuse if one already exists."""
    if department_synthesis(consultation, department_code) is not None:
        raise SynthesisError.single("Un projet de synthèse existe déjà pour ce département : "
                                    "modifiez-le ou régénérez ses chiffres.")
    now = now or utcnow()
    synthesis = draft_synthesis(consultation, department_code, now)
    synthesis.created_by_id = synthesis.updated_by_id = by.id if by is not None else None
    db.session.add(synthesis)
    db.session.flush()
    record_event("synthesis.prepare", "department_synthesis", synthesis.id, by=by, department_code=department_code,
                 summary=f"Projet de synthèse départementale préparé ({department_code}).")
    return synthesis


def regenerate_figures(synthesis, by, now=None):
    """Recompute the synthesis' figures and annexes from the current data, keeping its three texts."""
    _ensure_editable(synthesis)
    _refresh(synthesis, compile_department(synthesis.consultation, synthesis.department_code), now or utcnow())
    synthesis.updated_by_id = by.id if by is not None else None
    db.session.flush()
    record_event("synthesis.regenerate", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary=f"Chiffres et annexes de la synthèse régénérés ({synthesis.department_code}).")
    return synthesis


def clean_parts(parts):
    """Return {column: stripped Markdown} for the parts given, or raise SynthesisError (unknown part, too long)."""
    errors = {}
    cleaned = {}
    for name, text in parts.items():
        if name not in PART_KEYS:
            errors.setdefault("__all__", []).append(f"Partie inconnue : « {name} ».")
            continue
        text = (text or "").strip()
        if len(text) > PART_MAX_LENGTH:
            errors[name] = [f"Ce texte dépasse {format_number(PART_MAX_LENGTH)} caractères "
                            f"({format_number(len(text))}) : raccourcissez-le."]
            continue
        cleaned[name] = text
    if errors:
        raise SynthesisError(errors)
    return cleaned


def write_parts(synthesis, parts, by):
    """Store the cleaned Markdown of the parts that changed on a departmental or national synthesis.

    Return the names of the parts changed (none: nothing is written).
    """
    cleaned = clean_parts(parts)
    changed = [name for name, text in cleaned.items() if getattr(synthesis, name) != text]
    for name in changed:
        setattr(synthesis, name, cleaned[name])
    if changed:
        synthesis.updated_by_id = by.id if by is not None else None
        db.session.flush()
    return changed


def update_parts(synthesis, parts, by):
    """Store the Markdown of the parts given ({"local_insight": …, "diagnosis": …, "proposals": …})."""
    _ensure_editable(synthesis)
    changed = write_parts(synthesis, parts, by)
    if not changed:
        return synthesis
    record_event("synthesis.edit", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary="Synthèse modifiée : " + ", ".join(PART_LABELS[name] for name in changed) + ".",
                 changes={"parts": changed})
    return synthesis


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
    names = "\u202f; ".join(_forum_name(forum) for forum in forums)
    if len(forums) == 1:
        return f"Le forum suivant s'est tenu mais n'a pas de compte-rendu : {names}."
    return f"Les {len(forums)} forums suivants se sont tenus mais n'ont pas de compte-rendu : {names}."


def submit_synthesis(synthesis, by, now=None):
    """Submit the synthesis to the ministry: figures recomputed, result stored for the nation, minutes locked.

    Refused when already submitted, while a held forum has no minutes (MissingMinutes lists them),
    or when one of the three parts is empty. Late when the Paris date is after the deadline.
    """
    if synthesis.status is SynthesisStatus.SUBMITTED:
        raise SynthesisError.single("La synthèse a déjà été transmise au ministère.")
    now = now or utcnow()
    errors = {name: [f"Rédigez {PART_LABELS[name]} avant de transmettre la synthèse."]
              for name in PART_KEYS if not (getattr(synthesis, name) or "").strip()}
    missing = held_forums_without_minutes(synthesis)
    if missing:
        raise MissingMinutes(missing, errors)
    if errors:
        raise SynthesisError(errors)
    _claim_submission(synthesis)
    consultation = synthesis.consultation
    compiled = compile_department(consultation, synthesis.department_code)
    _refresh(synthesis, compiled, now)
    synthesis.status = SynthesisStatus.SUBMITTED
    synthesis.submitted_at = now
    synthesis.submitted_by_id = by.id if by is not None else None
    synthesis.updated_by_id = by.id if by is not None else None
    synthesis.is_late = is_past_deadline(consultation, now)
    parts = {key: getattr(synthesis, column) for column, key in PART_KEYS.items()}
    synthesis.submitted_result = department_result(compiled.input, compiled.figures, compiled.concerns,
                                                   parts).to_dict()
    db.session.flush()
    late = f", en retard (date limite : {consultation.synthesis_due_on:%d/%m/%Y})" if synthesis.is_late else ""
    record_event("synthesis.submit", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary=f"Synthèse départementale transmise au ministère{late}.",
                 changes={"status": ["submitted"], "is_late": [synthesis.is_late]})
    return synthesis


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


def reopen_synthesis(synthesis, reason, by, now=None):
    """Reopen a submitted synthesis so that the prefecture can amend it (the ministry's decision, reason required)."""
    if synthesis.status is not SynthesisStatus.SUBMITTED:
        raise SynthesisError.single("Seule une synthèse transmise peut être rouverte.")
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise SynthesisError.single("Indiquez le motif de la réouverture : la préfecture le lira.", "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise SynthesisError.single(f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères "
                                    f"({len(reason)} saisis).", "reason")
    synthesis.status = SynthesisStatus.REOPENED
    synthesis.reopened_at = now or utcnow()
    synthesis.reopened_by_id = by.id if by is not None else None
    synthesis.reopen_reason = reason
    db.session.flush()
    record_event("synthesis.reopen", "department_synthesis", synthesis.id, by=by,
                 department_code=synthesis.department_code,
                 summary=f"Synthèse départementale rouverte : {reason}",
                 changes={"status": ["submitted", "reopened"], "reason": [reason]})
    return synthesis


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


def _refresh(synthesis, compiled, now):
    synthesis.figures = figures_payload(compiled)
    synthesis.figures_computed_at = now


def _forum_name(forum):
    """Return a forum as the syntheses name it ("forum du 17 mars 2009 — Arles")."""
    place = forum.commune.name if forum.commune is not None else ""
    return forum_label(ForumRecord(forum.id, forum.department_code, forum.arrondissement_code, forum.title,
                                   forum.starts_at, forum.status.value, place=place))
