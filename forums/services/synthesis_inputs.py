"""The one adapter between the database and the pure synthesis engine (``synthesis/``).

It reads what a department produced during a consultation — forums, questions, minutes,
proposals, coverage — as plain column rows (never one ORM object per question: a department
may hold ten thousand of them) and turns them into :mod:`synthesis.records`. Counting stays in
the engine, because every figure keeps the ids of what it counts; what SQL answers better
(whether a signed document is attached, which text may be quoted) is asked of SQL.

The engine names a few values differently from the models; they are mapped here, in one table
(:data:`ATTENDANCE_TO_ENGINE`, :data:`ORIGIN_TO_ENGINE`), and nowhere else.
"""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, literal

from synthesis.concerns import ConcernReport, department_concerns
from synthesis.document import Draft
from synthesis.drafting import draft_department_synthesis
from synthesis.figures import Figures, department_figures
from synthesis.records import (
    DepartmentInput, ForumRecord, MinutesRecord, ProposalRecord, QuestionRecord, SubtopicRecord, TopicRecord,
)

from ..extensions import db
from ..models import (
    AttachmentKind, AttendanceCategory, Commune, Department, Forum, ForumStatus, Minutes, MinutesAttachment,
    MinutesTopic, Proposal, ProposalOrigin, Question, QuestionStatus, Region, Subtopic, Theme, ThemePart,
)
from ..models.forums import forum_cantons, forum_communes
from .coverage import department_coverage

# --- The models' values → the engine's values: the one table -------------------------------------

#: Attendance categories: the minutes' columns (models) → synthesis.records.ATTENDANCE_CATEGORIES.
ATTENDANCE_TO_ENGINE = {
    AttendanceCategory.PUBLIC: "public",
    AttendanceCategory.ELECTED: "elus",
    AttendanceCategory.POLICE: "police_nationale",
    AttendanceCategory.GENDARMERIE: "gendarmerie",
    AttendanceCategory.MUNICIPAL_POLICE: "police_municipale",
    AttendanceCategory.OTHER: "autres",
}
#: Proposal origins: ProposalOrigin (models) → synthesis.records.PROPOSAL_ORIGINS.
ORIGIN_TO_ENGINE = {
    ProposalOrigin.PUBLIC: "public",
    ProposalOrigin.ELECTED: "elu",
    ProposalOrigin.ASSOCIATION: "association",
    ProposalOrigin.SECURITY_FORCES: "forces_de_l_ordre",
}


def engine_origin(origin):
    """Return the engine's name of a proposal origin given as a ProposalOrigin, its value, or already the engine's."""
    try:
        return ORIGIN_TO_ENGINE[ProposalOrigin(origin)]
    except ValueError:
        if origin in ORIGIN_TO_ENGINE.values():
            return origin
        raise


@dataclass(frozen=True)
class CompiledDepartment:
    """A department's synthesis computed on the fly: its input, figures, recurring concerns and draft."""

    input: DepartmentInput
    figures: Figures
    concerns: ConcernReport
    draft: Draft


def department_input(consultation, department_code):
    """Return the DepartmentInput of a department for a consultation, read in a fixed number of queries.

    Forums in draft stay out (the public never saw them); questions come in every status, since
    figures count what was received, but only the published ones carry their public text — the
    text citizens can read, without personal data. Raise LookupError for an unknown department.
    """
    found = db.session.execute(
        db.select(Department.name, Department.full_name, Region.code, Region.name)
        .join(Region, Region.code == Department.region_code)
        .where(Department.code == department_code)
    ).first()
    if found is None:
        raise LookupError(f"unknown department {department_code!r}")
    department_name, full_name, region_code, region_name = found
    subtopics, subtopic_codes, theme_codes = _subtopics(consultation)
    forums = _forums(consultation, department_code)
    forum_ids = {forum.id for forum in forums}
    return DepartmentInput(
        department_code=department_code,
        department_name=department_name,
        department_full_name=full_name or "",
        region_code=region_code,
        region_name=region_name,
        consultation_name=consultation.name,
        deadline=consultation.synthesis_due_on,
        subtopics=subtopics,
        forums=forums,
        questions=_questions(consultation, department_code, subtopic_codes, forum_ids),
        minutes=_minutes(consultation, department_code, subtopic_codes),
        proposals=_proposals(consultation, department_code, subtopic_codes, theme_codes),
        coverage=department_coverage(department_code, consultation),
    )


def compile_department(consultation, department_code):
    """Return the CompiledDepartment of a department: input, Figures, ConcernReport and Draft."""
    department = department_input(consultation, department_code)
    figures = department_figures(department)
    concerns = department_concerns(department)
    return CompiledDepartment(department, figures, concerns, draft_department_synthesis(department, figures, concerns))


def _subtopics(consultation):
    """Return (SubtopicRecords in the consultation's order, {subtopic id: (code, theme code)}, {theme id: code})."""
    rows = db.session.execute(
        db.select(Subtopic.id, Subtopic.code, Subtopic.title, Theme.id, Theme.code, Theme.title)
        .join(ThemePart, ThemePart.id == Subtopic.part_id)
        .join(Theme, Theme.id == ThemePart.theme_id)
        .where(Theme.consultation_id == consultation.id)
        .order_by(Theme.position, ThemePart.position, Subtopic.position, Subtopic.id)
    ).all()
    records = tuple(SubtopicRecord(code, title, theme_code, theme_title)
                    for _, code, title, _, theme_code, theme_title in rows)
    codes = {subtopic_id: (code, theme_code) for subtopic_id, code, _, _, theme_code, _ in rows}
    return records, codes, {theme_id: theme_code for _, _, _, theme_id, theme_code, _ in rows}


def _listed_forums(consultation, department_code):
    """Return the conditions selecting the department's forums the synthesis reads: all but drafts."""
    return (Forum.consultation_id == consultation.id, Forum.department_code == department_code,
            Forum.status != ForumStatus.DRAFT)


def _forums(consultation, department_code):
    """Return the department's forums but drafts, each with the cantons (or communes) it covers."""
    rows = db.session.execute(
        db.select(Forum.id, Forum.arrondissement_code, Forum.title, Forum.starts_at, Forum.status, Commune.name)
        .outerjoin(Commune, Commune.code == Forum.commune_code)
        .where(*_listed_forums(consultation, department_code))
        .order_by(Forum.id)
    ).all()
    units = defaultdict(list)
    for table, column in ((forum_cantons, "canton_code"), (forum_communes, "commune_code")):
        linked = db.session.execute(
            db.select(table.c.forum_id, table.c[column])
            .join(Forum, Forum.id == table.c.forum_id)
            .where(*_listed_forums(consultation, department_code))
            .order_by(table.c.forum_id, table.c[column])
        )
        for forum_id, code in linked:
            units[forum_id].append(code)
    return tuple(
        ForumRecord(id=forum_id, department_code=department_code, arrondissement_code=arrondissement,
                    title=title, starts_at=starts_at, status=status.value, unit_codes=tuple(units[forum_id]),
                    place=place or "")
        for forum_id, arrondissement, title, starts_at, status, place in rows
    )


def _questions(consultation, department_code, subtopic_codes, forum_ids):
    """Return every question of the department as QuestionRecords; only published ones keep their public text."""
    rows = db.session.execute(
        db.select(
            Question.id, Question.reference, Question.forum_id, Question.subtopic_id, Question.status,
            # The text of a question the public cannot read never leaves the database.
            case((Question.status == QuestionStatus.PUBLISHED, Question.public_text), else_=literal("")),
            Question.answered_at.is_not(None), Question.addressed_forum_id, Question.support_count,
        )
        .where(Question.consultation_id == consultation.id, Question.department_code == department_code)
        .order_by(Question.id)
    )
    records = []
    for question_id, reference, forum_id, subtopic_id, status, text, answered, addressed, supports in rows:
        code, theme_code = subtopic_codes[subtopic_id]
        records.append(QuestionRecord(
            id=question_id, reference=reference, department_code=department_code,
            # Asked to a forum the synthesis does not list (still a draft): it counts for the department.
            forum_id=forum_id if forum_id in forum_ids else None,
            theme_code=theme_code, subtopic_code=code, text=text or "", status=status.value,
            answered=bool(answered), addressed_forum_id=addressed if addressed in forum_ids else None,
            support_count=supports or 0,
        ))
    return tuple(records)


def _minutes(consultation, department_code, subtopic_codes):
    """Return the minutes of the department's forums, with their topics and whether the signed document is in."""
    signed = (
        db.select(MinutesAttachment.id)
        .where(MinutesAttachment.minutes_id == Minutes.id, MinutesAttachment.kind == AttachmentKind.SIGNED)
        .exists()
    )
    columns = [getattr(Minutes, category.column) for category in AttendanceCategory]
    rows = db.session.execute(
        db.select(Minutes.id, Minutes.forum_id, Minutes.duration_minutes, Minutes.strengths, Minutes.weaknesses,
                  Minutes.version_number, signed, *columns)
        .join(Forum, Forum.id == Minutes.forum_id)
        .where(*_listed_forums(consultation, department_code))
        .order_by(Minutes.forum_id)
    ).all()
    topics = defaultdict(list)
    topic_rows = db.session.execute(
        db.select(MinutesTopic.minutes_id, MinutesTopic.subtopic_id, MinutesTopic.concerns, MinutesTopic.answers)
        .join(Minutes, Minutes.id == MinutesTopic.minutes_id)
        .join(Forum, Forum.id == Minutes.forum_id)
        .where(*_listed_forums(consultation, department_code))
        .order_by(MinutesTopic.minutes_id, MinutesTopic.position, MinutesTopic.id)
    )
    for minutes_id, subtopic_id, concerns, answers in topic_rows:
        topics[minutes_id].append(TopicRecord(subtopic_codes[subtopic_id][0], concerns or "", answers or ""))
    records = []
    for minutes_id, forum_id, duration, strengths, weaknesses, version, has_signed, *attendance in rows:
        records.append(MinutesRecord(
            forum_id=forum_id,
            attendance={ATTENDANCE_TO_ENGINE[category]: number or 0
                        for category, number in zip(AttendanceCategory, attendance)},
            duration_minutes=duration, strengths=strengths or "", weaknesses=weaknesses or "",
            topics=tuple(topics[minutes_id]), has_signed_document=bool(has_signed), version=version,
        ))
    return tuple(records)


def _proposals(consultation, department_code, subtopic_codes, theme_codes):
    """Return the proposals recorded in the department's minutes."""
    rows = db.session.execute(
        db.select(Proposal.id, Proposal.forum_id, Proposal.theme_id, Proposal.subtopic_id, Proposal.origin,
                  Proposal.text)
        .join(Forum, Forum.id == Proposal.forum_id)
        .where(*_listed_forums(consultation, department_code))
        .order_by(Proposal.id)
    )
    return tuple(
        ProposalRecord(id=proposal_id, forum_id=forum_id, department_code=department_code,
                       theme_code=theme_codes[theme_id],
                       subtopic_code=subtopic_codes[subtopic_id][0] if subtopic_id is not None else None,
                       origin=ORIGIN_TO_ENGINE[origin], text=text)
        for proposal_id, forum_id, theme_id, subtopic_id, origin, text in rows
    )
