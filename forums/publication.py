"""Knowing when public content changed: the version behind public caches, ETags and feeds.

Any flush that writes a model the public site shows bumps the version, whoever writes it
(views, commands, tests), so no operation can forget to invalidate the caches.
"""
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from .models import Consultation, Forum, ForumDateChange, PublicationState, Speaker, Subtopic, Theme, ThemePart
from .timeutils import utcnow

#: Models whose rows appear on public pages, feeds or the API. (Territories are written in bulk by
#: their loader, which calls bump_publication_version itself.)
PUBLIC_MODELS = (Forum, Speaker, ForumDateChange, Consultation, Theme, ThemePart, Subtopic)


def watch_public_model(model):
    """Make writes of ``model`` bump the publication version (for models added by later features)."""
    global PUBLIC_MODELS
    if model not in PUBLIC_MODELS:
        PUBLIC_MODELS = (*PUBLIC_MODELS, model)


def publication_version(session):
    """Return (version, changed_at) of the public content."""
    row = session.execute(select(PublicationState.version, PublicationState.changed_at)).first()
    return (row.version, row.changed_at) if row else (0, None)


def _writes_public_content(session):
    if any(isinstance(obj, PUBLIC_MODELS) for obj in (*session.new, *session.deleted)):
        return True
    # "Dirty" includes objects whose attributes were set to the value they had.
    return any(isinstance(obj, PUBLIC_MODELS) and session.is_modified(obj) for obj in session.dirty)


@event.listens_for(Session, "before_flush")
def _bump_on_public_change(session, flush_context, instances):
    if _writes_public_content(session):
        bump_publication_version(session)


def bump_publication_version(session):
    """Record that public content changed: caches and ETags keyed by the old version expire."""
    now = utcnow()
    bumped = session.execute(
        update(PublicationState).values(version=PublicationState.version + 1, changed_at=now)
    )
    if bumped.rowcount == 0:
        session.execute(insert(PublicationState).values(id=1, version=1, changed_at=now))
