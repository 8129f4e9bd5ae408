"""« Je soutiens cette question »: one support per browser and question, counted without an account.

A browser is known by a random token kept in the ``forums_supporter`` cookie, set only when the
visitor supports a question. The database stores a keyed hash of the token, never the token: the
rows cannot be tied back to a browser without the application's secret key.
"""
import hashlib
import hmac
import re
import secrets

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Question, QuestionStatus, QuestionSupport
from ..publication import bump_publication_version

#: The cookie that tells a browser that already supported a question from a new one.
SUPPORTER_COOKIE = "forums_supporter"
#: 13 months, the longest the CNIL accepts for a cookie.
SUPPORTER_COOKIE_MAX_AGE = 395 * 24 * 3600
#: What ``secrets.token_urlsafe(32)`` produces; anything else in the cookie is replaced.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class SupportError(Exception):
    """Raised when a question cannot be supported: it is not published, or the consultation is over."""


def supports_open(question):
    """Tell whether supports are still collected for ``question``: while its consultation is the current one.

    Once the ministry moves on to another consultation, the counts are part of the compiled
    figures and must not move any more.
    """
    return question.consultation.is_current


def new_supporter_token():
    """Return a new random token for a browser's supporter cookie."""
    return secrets.token_urlsafe(32)


def valid_supporter_token(token):
    """Tell whether ``token`` has the form of a token this site gives."""
    return isinstance(token, str) and bool(_TOKEN.match(token))


def supporter_hash(token):
    """Return the stored form of a supporter token: its HMAC-SHA256 under the application's secret key."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), token.encode(), hashlib.sha256).hexdigest()


def support_question(question, supporter_token):
    """Count the support of the browser holding ``supporter_token``; return False if it was already counted.

    Safe under concurrency: the unique (question, supporter) pair decides, with ON CONFLICT DO
    NOTHING, and the count is incremented in SQL. Flushes, never commits.
    """
    if question.status is not QuestionStatus.PUBLISHED:
        raise SupportError("Seule une question publiée peut être soutenue.")
    if not supports_open(question):
        raise SupportError("La consultation est close : les soutiens ne sont plus recueillis.")
    insert = _INSERTS[db.session.get_bind().dialect.name]
    # RETURNING says whether the row was written: rowcount is not reliable for every driver.
    inserted = db.session.execute(
        insert(QuestionSupport)
        .values(question_id=question.id, supporter_hash=supporter_hash(supporter_token))
        .on_conflict_do_nothing(index_elements=["question_id", "supporter_hash"])
        .returning(QuestionSupport.id)
    ).first()
    if inserted is None:
        return False
    db.session.execute(
        update(Question).where(Question.id == question.id)
        .values(support_count=Question.support_count + 1)
        .execution_options(synchronize_session=False)
    )
    # The in-memory count may be stale under concurrency: read it again when next used.
    db.session.expire(question, ["support_count", "updated_at"])
    # Core statements bypass the flush hook that expires public caches: the count is shown there.
    bump_publication_version(db.session)
    return True


def has_supported(question, supporter_token):
    """Tell whether the browser holding ``supporter_token`` already supports ``question``."""
    if not valid_supporter_token(supporter_token):
        return False
    return db.session.scalar(
        select(QuestionSupport.id).where(
            QuestionSupport.question_id == question.id,
            QuestionSupport.supporter_hash == supporter_hash(supporter_token),
        )
    ) is not None
