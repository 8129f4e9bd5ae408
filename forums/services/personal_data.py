"""Removing what identifies the citizens who asked questions, once their consultation is over.

Removed: each question's contact (e-mail address, display name); every outbox message about a
question, which repeats the address and the private follow-up link; every support, whose browser
hash ties together the questions one browser supported, a profile of its opinions.
Rewritten: the original text of a question a moderator edited (it held the personal data the edit
took out) becomes the published text; in the journal, the replaced text that records of edits made
before the journal stopped keeping it still hold becomes a mention; the text of a rejected
question, never published and often rejected precisely for naming people, is replaced by a notice.
Kept: the texts and answers as moderated, support counts, rejection reasons, and the commune and
postal code, which the syntheses count by territory and which identify nobody once the contact is gone.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, and_, bindparam, case, cast, delete, func, select, update

from ..extensions import db
from ..models import AuditEvent, OutgoingMail, Question, QuestionContact, QuestionStatus, QuestionSupport
from ..publication import bump_publication_version
from ..timeutils import PARIS, utcnow
from .audit import REPLACED_TEXT_WITHHELD, record_event


class PersonalDataError(Exception):
    """A purge that must not run; the message is French, for the operator."""


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed, or would remove when it was a dry run."""

    #: Contacts removed, with how many held an e-mail address and how many a display name.
    contacts: int
    emails: int
    display_names: int
    #: Outbox messages about the consultation's questions (acknowledgements, answer notices).
    citizen_mails: int
    #: Support rows (their browser hashes); the questions' support counts stay.
    supports: int
    #: Original texts of edited questions replaced by their published text.
    edited_originals: int
    #: Texts of rejected questions replaced by a notice.
    rejected_texts: int
    dry_run: bool
    #: Journal records of edits that still held the replaced text.
    journal_texts: int = 0

    @property
    def total(self):
        """Return the number of rows removed or rewritten (or to remove or rewrite)."""
        return (self.contacts + self.citizen_mails + self.supports + self.edited_originals + self.rejected_texts
                + self.journal_texts)


#: What remains of a rejected question's text after the purge.
REDACTED_TEXT = "[Texte non publié, supprimé après la consultation.]"


def purge_personal_data(consultation, dry_run=False, force=False, today=None):
    """Remove the personal data of ``consultation``'s questions and return the counts; flush only.

    Refused (PersonalDataError) until the day after the departmental syntheses are due, when
    prefectures may still answer citizens, unless ``force``. A dry run changes nothing.
    """
    today = today or utcnow().astimezone(PARIS).date()
    if not force and today <= consultation.synthesis_due_on:
        first_day = consultation.synthesis_due_on + timedelta(days=1)
        raise PersonalDataError(
            f"la consultation {consultation.slug} n'est pas terminée : les préfectures peuvent répondre "
            f"aux citoyens jusqu'à la remise des synthèses, le {consultation.synthesis_due_on:%d/%m/%Y}. "
            f"Relancez la commande à partir du {first_day:%d/%m/%Y}, ou ajoutez --force."
        )
    questions = select(Question.id).where(Question.consultation_id == consultation.id).scalar_subquery()
    contacts = QuestionContact.question_id.in_(questions)
    mails = OutgoingMail.question_id.in_(questions)
    supports = QuestionSupport.question_id.in_(questions)
    mine = Question.consultation_id == consultation.id
    rejected = and_(mine, Question.status == QuestionStatus.REJECTED, Question.text != REDACTED_TEXT)
    edited = and_(mine, Question.status != QuestionStatus.REJECTED, Question.text != Question.public_text)
    contact_count, email_count, name_count = db.session.execute(
        select(func.count(),
               func.count(case((and_(QuestionContact.email.is_not(None), QuestionContact.email != ""), 1))),
               func.count(case((and_(QuestionContact.display_name.is_not(None),
                                     QuestionContact.display_name != ""), 1))))
        .where(contacts)
    ).one()
    journaled = _journaled_edits(consultation)
    report = PurgeReport(
        contacts=contact_count, emails=email_count, display_names=name_count,
        citizen_mails=db.session.scalar(select(func.count()).select_from(OutgoingMail).where(mails)),
        supports=db.session.scalar(select(func.count()).select_from(QuestionSupport).where(supports)),
        edited_originals=db.session.scalar(select(func.count()).select_from(Question).where(edited)),
        rejected_texts=db.session.scalar(select(func.count()).select_from(Question).where(rejected)),
        dry_run=dry_run,
        journal_texts=len(journaled),
    )
    if dry_run or not report.total:
        return report
    for model, condition in ((QuestionContact, contacts), (OutgoingMail, mails), (QuestionSupport, supports)):
        db.session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
    for condition, values in ((edited, {"text": Question.public_text}),
                              (rejected, {"text": REDACTED_TEXT, "public_text": REDACTED_TEXT, "search_text": ""})):
        db.session.execute(update(Question).where(condition).values(**values)
                           .execution_options(synchronize_session=False))
    if journaled:
        # The journal is append-only for the application; the purge alone rewrites these records.
        table = AuditEvent.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("event_id"))
                           .values(changes=bindparam("withheld")), journaled)
    # Objects loaded before the purge would still show the deleted rows.
    db.session.expire_all()
    if report.display_names:
        # Display names appear beside published questions: the public pages change.
        bump_publication_version(db.session)
    record_event(
        "questions.purge_personal_data", "consultation", consultation.id,
        summary=(f"Données personnelles des questions de la consultation {consultation.slug} supprimées : "
                 f"{report.contacts} coordonnées, {report.citizen_mails} courriels, {report.supports} soutiens, "
                 f"{report.edited_originals} textes originaux modifiés, {report.rejected_texts} textes refusés, "
                 f"{report.journal_texts} textes remplacés au journal."),
        changes={"question_contacts": [report.contacts, 0], "citizen_mails": [report.citizen_mails, 0],
                 "question_supports": [report.supports, 0],
                 "edited_originals": [report.edited_originals, 0], "rejected_texts": [report.rejected_texts, 0],
                 "journal_texts": [report.journal_texts, 0]},
    )
    return report


def _journaled_edits(consultation):
    """Return [{"event_id", "withheld"}] for the journal's edits of the consultation's questions with the old text."""
    question_ids = select(cast(Question.id, String)).where(Question.consultation_id == consultation.id)
    rows = db.session.execute(
        select(AuditEvent.id, AuditEvent.changes)
        .where(AuditEvent.action == "question.edit", AuditEvent.object_type == "question",
               AuditEvent.object_id.in_(question_ids))
    )
    found = []
    for event_id, changes in rows:
        old, new = (changes or {}).get("public_text", [None, None])
        if old not in (None, REPLACED_TEXT_WITHHELD):
            found.append({"event_id": event_id,
                          "withheld": dict(changes, public_text=[REPLACED_TEXT_WITHHELD, new])})
    return found
