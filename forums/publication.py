"""Knowing when public content changed: the version behind public caches, ETags and feeds.

Any flush that writes a model the public site shows bumps the version, whoever writes it
(views, commands, tests), so no operation can forget to invalidate the caches. Public pages read
the version through ``current_publication_version``: at most once a second per process, and at
once after this process committed a change.
"""
import time
from threading import Lock

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from .models import (
    Consultation, Forum, ForumDateChange, Minutes, MinutesTopic, Proposal, PublicationState, Question,
    QuestionStatus, Speaker, Subtopic, Theme, ThemePart,
)
from .timeutils import utcnow

#: Models whose rows appear on public pages, feeds or the API. (Territories are written in bulk by
#: their loader, which calls bump_publication_version itself.)
PUBLIC_MODELS = (
    Forum, Speaker, ForumDateChange, Consultation, Theme, ThemePart, Subtopic, Question, Minutes, MinutesTopic,
    Proposal,
)


def _question_is_or_was_public(question):
    # A question waiting for moderation is invisible: receiving one must not expire every cache.
    was = inspect(question).attrs.status.history.deleted
    return question.status is QuestionStatus.PUBLISHED or QuestionStatus.PUBLISHED in was


def _summary_is_or_was_public(minutes):
    # Minutes are internal until the prefecture publishes their summary on the forum page.
    if minutes.summary_published:
        return True
    state = inspect(minutes)
    history = state.attrs.summary_published.history
    # Set after a commit expired it, the flag's old value was never loaded: it may have been published.
    return True in history.deleted or (state.persistent and bool(history.added) and not history.deleted)


def _in_public_summary(row):
    # A topic or proposal dropped from its minutes has lost its link: its history still names them.
    minutes = row.minutes or next(iter(inspect(row).attrs.minutes.history.deleted), None)
    return minutes is not None and _summary_is_or_was_public(minutes)


#: For models only some of whose rows are public: does writing this row change the public site?
SHOWN_WHEN = {
    Question: _question_is_or_was_public,
    Minutes: _summary_is_or_was_public,
    MinutesTopic: _in_public_summary,
    Proposal: _in_public_summary,
}


def _shows(obj):
    shown = SHOWN_WHEN.get(type(obj))
    return shown is None or shown(obj)


# Per database engine: (monotonic time of the read, (version, changed_at)).
_remembered = {}
# Bumped whenever this process commits a change: a read that started before it is not remembered.
_generation = 0
_lock = Lock()


_VERSION = select(PublicationState.version, PublicationState.changed_at)


def _as_version(row):
    return (row.version, row.changed_at) if row else (0, None)


def publication_version(session):
    """Return (version, changed_at) of the public content, read from the database now."""
    return _as_version(session.execute(_VERSION).first())


def current_publication_version(engine, ttl):
    """Return the committed (version, changed_at), read from the database at most once every ``ttl`` seconds.

    Changes committed by other processes show within ``ttl``; this process's own, at once. Read on
    a connection of its own, so that a request served from the cache opens no ORM session.
    """
    now = time.monotonic()
    remembered = _remembered.get(engine)
    if remembered is not None and now - remembered[0] < ttl:
        return remembered[1]
    generation = _generation
    with engine.connect() as connection:
        value = _as_version(connection.execute(_VERSION).first())
    with _lock:
        if generation == _generation:
            _remembered[engine] = (now, value)
    return value


def forget_publication_version():
    """Make the next ``current_publication_version`` read the database (a change was committed here)."""
    global _generation
    with _lock:
        _generation += 1
        _remembered.clear()


def _writes_public_content(session):
    if any(isinstance(obj, PUBLIC_MODELS) and _shows(obj) for obj in (*session.new, *session.deleted)):
        return True
    # "Dirty" includes objects whose attributes were set to the value they had.
    return any(isinstance(obj, PUBLIC_MODELS) and session.is_modified(obj) and _shows(obj) for obj in session.dirty)


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
    session.info[_BUMPED] = True


_BUMPED = "publication_version_bumped"


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session):
    # The new version is only visible to other sessions once committed: read it again then.
    if session.info.pop(_BUMPED, False):
        forget_publication_version()


@event.listens_for(Session, "after_rollback")
def _nothing_to_forget(session):
    session.info.pop(_BUMPED, None)
