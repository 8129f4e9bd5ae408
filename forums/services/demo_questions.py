"""The citizens' questions of the demo edition, taken through moderation as the demo agents.

The questions are data (forums/data/demo/questions.json); they are written as a submission would
write them (reference, public text, search terms, fingerprint), then published, rejected, answered
or marked as taken up at a held forum through the moderation services, so that the audit trail and
the public pages are real. A question already in the demo edition (same department and text) is
left as it is, so loading again adds only what is missing.
"""
import json
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from synthesis import french

from ..extensions import db
from ..models import Forum, Question, QuestionStatus, Subtopic, Theme, ThemePart
from . import moderation
from .questions import allocate_reference

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "questions.json"


def load_demo_questions(consultation, agents, now):
    """Create the missing demo questions of ``consultation`` and return how many were created. Flush only.

    ``agents`` maps the demo e-mail addresses to their agents: each department's prefecture moderates
    and answers its questions.
    """
    specs = json.loads(DATA_FILE.read_text(encoding="utf-8"))["questions"]
    existing = set(db.session.execute(
        select(Question.department_code, Question.fingerprint).where(Question.consultation_id == consultation.id)
    ).all())
    subtopics = {subtopic.code: subtopic for subtopic in db.session.scalars(
        select(Subtopic).join(ThemePart).join(Theme).where(Theme.consultation_id == consultation.id)
    )}
    forums = {(forum.department_code, forum.title): forum for forum in db.session.scalars(
        select(Forum).where(Forum.consultation_id == consultation.id)
    )}
    created = 0
    for spec in specs:
        fingerprint = french.fingerprint(spec["text"])
        if (spec["department"], fingerprint) in existing:
            continue
        by = agents[f"prefecture{spec['department']}@demo.forums-securite.fr"]
        question = _submit(spec, consultation, subtopics[spec["subtopic"]], forums, fingerprint, now)
        _moderate(question, spec, forums, by, now)
        created += 1
    return created


def _submit(spec, consultation, subtopic, forums, fingerprint, now):
    forum = forums[(spec["department"], spec["forum"])] if spec["forum"] else None
    question = Question(
        consultation_id=consultation.id, department_code=spec["department"],
        forum_id=forum.id if forum else None, theme_id=subtopic.part.theme_id, subtopic_id=subtopic.id,
        reference=allocate_reference(spec["department"]), text=spec["text"], fingerprint=fingerprint,
        # Nobody holds the follow-up link of a demo question.
        followup_token_hash=Question.hash_token(secrets.token_urlsafe(32)),
        submitted_at=now - timedelta(days=spec["days_ago"], hours=2),
    )
    question.set_public_text(spec["text"])
    db.session.add(question)
    db.session.flush()
    return question


def _moderate(question, spec, forums, by, now):
    status = QuestionStatus(spec["status"])
    if status is QuestionStatus.REJECTED:
        moderation.reject(question, spec["reason"], spec.get("note", ""), by)
    elif status is QuestionStatus.PUBLISHED:
        moderation.approve(question, by)
        question.support_count = spec.get("supports", 0)
        if spec.get("answer"):
            moderation.answer(question, spec["answer"], by)
        if spec.get("addressed"):
            moderation.mark_addressed(question, forums[(spec["department"], spec["addressed"])], by, now=now)
