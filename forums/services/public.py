"""What the public may see: forums past the draft stage, with what their pages need loaded."""
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Canton, Commune, Consultation, Department, Forum, ForumStatus, Minutes, MinutesTopic, Proposal, Subtopic,
    ThemePart,
)

#: Statuses shown on the public site, the feeds and the API: never drafts.
PUBLIC_STATUSES = (ForumStatus.PUBLISHED, ForumStatus.POSTPONED, ForumStatus.HELD, ForumStatus.CANCELLED)


def public_forum_options():
    """Return the loader options every public view of a forum needs, for a fixed query count."""
    return (
        selectinload(Forum.department).selectinload(Department.region),
        selectinload(Forum.commune),
        selectinload(Forum.cantons),
        selectinload(Forum.communes),
        selectinload(Forum.speakers),
        selectinload(Forum.date_changes),
        selectinload(Forum.consultation),
    )


def public_forums_query(consultation, department_code=None):
    """Return a select of the consultation's public forums, in date order, fully loaded."""
    query = (
        db.select(Forum)
        .where(Forum.consultation_id == consultation.id, Forum.status.in_(PUBLIC_STATUSES))
        .options(*public_forum_options())
        .order_by(Forum.starts_at, Forum.id)
    )
    if department_code is not None:
        query = query.where(Forum.department_code == department_code)
    return query


def public_summary_options():
    """Return the loader options of a forum's minutes summary: ``forum.minutes`` is None unless published.

    The minutes join the forum's own query; their topics and proposals cost a query each, and
    only when a summary is published.
    """
    summary = joinedload(Forum.minutes.and_(Minutes.summary_published.is_(True)))
    return (
        summary.selectinload(Minutes.topics).joinedload(MinutesTopic.subtopic)
        .joinedload(Subtopic.part).joinedload(ThemePart.theme),
        summary.selectinload(Minutes.proposals).joinedload(Proposal.theme),
        summary.selectinload(Minutes.proposals).joinedload(Proposal.subtopic),
    )


def public_forum(forum_id):
    """Return the public forum with this id, fully loaded with its published minutes summary, or None.

    Drafts do not exist publicly.
    """
    return db.session.scalar(
        db.select(Forum)
        .where(Forum.id == forum_id, Forum.status.in_(PUBLIC_STATUSES))
        .options(*public_forum_options(), *public_summary_options())
    )


def current_consultation():
    """Return the consultation the public site shows, or None."""
    return Consultation.current()


def forums_for_commune(consultation, commune):
    """Return the public forums that cover the commune: through its real cantons, or the commune itself.

    A municipal arrondissement is also served by a forum covering its whole city.
    """
    canton_codes = [canton.code for canton in commune.cantons]
    query = public_forums_query(consultation, commune.department_code)
    own_codes = [code for code in (commune.code, commune.parent_code) if code]
    conditions = [Forum.communes.any(Commune.code.in_(own_codes))]
    if canton_codes:
        conditions.append(Forum.cantons.any(Canton.code.in_(canton_codes)))
    return db.session.scalars(query.where(db.or_(*conditions))).all()
