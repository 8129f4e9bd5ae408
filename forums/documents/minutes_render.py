"""A forum's minutes as a standalone HTML annex of the departmental synthesis.

The annex shows what the minutes record — attendance, sub-topics discussed, strengths and
weaknesses, proposals, questions taken up, notes, attached documents — and never the names of the
agents who wrote or saved them: the synthesis travels further than the prefecture.
"""
from collections import defaultdict

from flask import render_template
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..file_types import format_size
from ..templating import covered_places, places_title
from ..models import Forum, Minutes, MinutesTopic, Proposal, Question, QuestionStatus, Subtopic, ThemePart


def minutes_annex_options():
    """Return loader options reading everything an annex shows, in a fixed number of queries per batch."""
    return (
        joinedload(Minutes.forum).options(joinedload(Forum.commune), selectinload(Forum.cantons),
                                          selectinload(Forum.communes)),
        selectinload(Minutes.topics).joinedload(MinutesTopic.subtopic).joinedload(Subtopic.part)
        .joinedload(ThemePart.theme),
        selectinload(Minutes.proposals).options(joinedload(Proposal.theme), joinedload(Proposal.subtopic)),
        selectinload(Minutes.attachments),
    )


def taken_up_questions(forum_ids):
    """Return {forum id: [(reference, sub-topic code, sub-topic title)]} of published questions taken up there."""
    found = defaultdict(list)
    if not forum_ids:
        return found
    rows = db.session.execute(
        db.select(Question.addressed_forum_id, Question.reference, Subtopic.code, Subtopic.title)
        .join(Subtopic, Subtopic.id == Question.subtopic_id)
        .where(Question.addressed_forum_id.in_(list(forum_ids)), Question.status == QuestionStatus.PUBLISHED)
        .order_by(Question.addressed_forum_id, Question.reference)
    )
    for forum_id, reference, code, title in rows:
        found[forum_id].append((reference, code, title))
    return found


def topic_groups(minutes):
    """Return the minutes' topics grouped as [(theme, part, [topics])], in the consultation's order."""
    ordered = sorted(minutes.topics, key=lambda topic: (
        topic.subtopic.part.theme.position, topic.subtopic.part.position, topic.subtopic.position))
    groups = []
    for topic in ordered:
        part = topic.subtopic.part
        if groups and groups[-1][1] is part:
            groups[-1][2].append(topic)
        else:
            groups.append((part.theme, part, [topic]))
    return groups


def render_minutes_annex(minutes, title, questions=(), attachment_links=None):
    """Return the standalone HTML page of ``minutes``, annexed under ``title``.

    ``questions`` lists the published questions taken up at the forum (see :func:`taken_up_questions`);
    ``attachment_links`` maps an attachment id to the relative path of its copy beside the annex.
    """
    forum = minutes.forum
    return render_template(
        "documents/minutes_annex.html",
        title=title,
        forum=forum,
        minutes=minutes,
        place=", ".join(part for part in (forum.venue_name, forum.address,
                                          forum.commune.label if forum.commune else "") if part),
        places_title=places_title(forum, "couvert"),
        cantons=", ".join(covered_places(forum)),
        duration=format_duration(minutes.duration_minutes),
        topic_groups=topic_groups(minutes),
        questions=questions,
        attachment_links=attachment_links or {},
        format_size=format_size,
    )


def missing_minutes_note(title):
    """Return the plain-text note that stands in the annexes for a held forum without minutes."""
    return (f"{title}\n\n"
            "Ce forum s'est tenu, mais son compte-rendu n'a pas encore été saisi : il n'est donc pas annexé "
            "à la synthèse.\n")


def format_duration(minutes):
    """Return a duration in French: "2 h", "1 h 30", "45 min", or "non renseignée"."""
    if minutes is None:
        return "non renseignée"
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"
    return f"{minutes} min"
