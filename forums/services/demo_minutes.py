"""The minutes of the demo edition's held forums, recorded through the minutes service.

The minutes are data (forums/data/demo/minutes.json), saved by the demo agents as the minutes
form would save them, so that versions, the audit trail, the questions taken up and the public
summaries are real. A forum that already has minutes is left as it is: loading again adds only
what is missing.
"""
import json
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import AttendanceCategory, Forum, ProposalOrigin, Question, Subtopic, Theme, ThemePart
from .minutes import MinutesData, ProposalData, TopicData, publish_summary, save_minutes

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "minutes.json"


def load_demo_minutes(consultation, agents, now):
    """Record the missing minutes of the demo's held forums and return how many were recorded. Flush only.

    ``agents`` maps the demo e-mail addresses to their agents. The questions already marked as taken
    up at a forum by the demo moderation stay taken up.
    """
    specs = json.loads(DATA_FILE.read_text(encoding="utf-8"))["minutes"]
    forums = {forum.title: forum for forum in db.session.scalars(
        select(Forum).where(Forum.consultation_id == consultation.id)
    )}
    subtopics = {subtopic.code: subtopic for subtopic in db.session.scalars(
        select(Subtopic).join(ThemePart).join(Theme).where(Theme.consultation_id == consultation.id)
    )}
    recorded = 0
    for spec in specs:
        forum = forums.get(spec["forum"])
        if forum is None or forum.minutes is not None:
            continue
        by = agents[spec["by"]]
        minutes = save_minutes(forum, _minutes_data(spec, forum, subtopics), by, now)
        if spec["publish_summary"]:
            publish_summary(minutes, by)
        recorded += 1
    return recorded


def _minutes_data(spec, forum, subtopics):
    taken_up = db.session.scalars(select(Question.id).where(Question.addressed_forum_id == forum.id)).all()
    return MinutesData(
        attendance={AttendanceCategory(name): count for name, count in spec["attendance"].items()},
        duration_minutes=spec["duration_minutes"],
        topics=[TopicData(subtopics[topic["subtopic"]].id, topic["concerns"], topic["answers"])
                for topic in spec["topics"]],
        strengths=spec["strengths"],
        weaknesses=spec["weaknesses"],
        proposals=[_proposal(proposal, subtopics[proposal["subtopic"]]) for proposal in spec["proposals"]],
        question_ids=list(taken_up),
        notes=spec["notes"],
    )


def _proposal(spec, subtopic):
    return ProposalData(subtopic.part.theme_id, subtopic.id, ProposalOrigin(spec["origin"]), spec["text"])
