"""« Je soutiens cette question »: once per browser, counted in SQL, safe under concurrency, published only."""
import threading

import pytest
from sqlalchemy import select

from forums.extensions import db as _db
from forums.models import Question, QuestionStatus, QuestionSupport
from forums.publication import publication_version
from forums.services.supports import (
    SupportError, has_supported, new_supporter_token, support_question, supporter_hash, valid_supporter_token,
)


@pytest.fixture
def published(create_question):
    return create_question("Que fait la police contre les cambriolages ?", status=QuestionStatus.PUBLISHED)


def stored_count(db, question):
    return db.session.scalar(select(Question.support_count).where(Question.id == question.id))


def test_a_browser_supports_a_question_once(db, published):
    token = new_supporter_token()

    first = support_question(published, token)
    db.session.commit()
    again = support_question(published, token)
    db.session.commit()

    assert (first, again) == (True, False)
    assert stored_count(db, published) == 1
    assert published.support_count == 1  # the in-memory count is read again, not guessed
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 1


def test_each_browser_counts(db, published):
    for _ in range(3):
        assert support_question(published, new_supporter_token())
    db.session.commit()

    assert stored_count(db, published) == 3


def test_the_token_is_never_stored_and_its_hash_depends_on_the_secret_key(app, db, published, other_app):
    token = new_supporter_token()
    support_question(published, token)
    db.session.commit()

    stored = db.session.scalar(select(QuestionSupport.supporter_hash))
    with other_app(SECRET_KEY="another-secret").app_context():
        elsewhere = supporter_hash(token)

    assert stored == supporter_hash(token)
    assert token not in stored and len(stored) == 64
    assert elsewhere != stored


@pytest.mark.parametrize("status", [QuestionStatus.PENDING, QuestionStatus.REJECTED, QuestionStatus.MERGED])
def test_only_a_published_question_can_be_supported(db, create_question, status):
    question = create_question("Une question qui n'est pas publiée", status=status)

    with pytest.raises(SupportError):
        support_question(question, new_supporter_token())

    db.session.rollback()
    assert stored_count(db, question) == 0
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 0


def test_supporting_expires_public_caches_and_a_repeat_does_not(db, published):
    token = new_supporter_token()
    before, _ = publication_version(db.session)

    support_question(published, token)
    db.session.commit()
    after, _ = publication_version(db.session)
    support_question(published, token)
    db.session.commit()

    assert after > before
    assert publication_version(db.session)[0] == after


def test_has_supported_tells_this_browser_apart(db, published):
    token = new_supporter_token()
    support_question(published, token)
    db.session.commit()

    assert has_supported(published, token)
    assert not has_supported(published, new_supporter_token())
    assert not has_supported(published, None)
    assert not has_supported(published, "not a token")


def test_supporter_tokens_have_one_shape():
    token = new_supporter_token()

    assert valid_supporter_token(token)
    assert token != new_supporter_token()
    for wrong in (None, "", "abc", token + "x", token[:-1] + "=", token[:-1] + "é", 42):
        assert not valid_supporter_token(wrong)


def _race(app, question_id, tokens):
    """Support the question from one thread per token at once; return what each call answered."""
    results, errors = [], []
    barrier = threading.Barrier(len(tokens), timeout=30)
    lock = threading.Lock()

    def work(token):
        with app.app_context():
            try:
                question = _db.session.get(Question, question_id)
                # Give the connection back while waiting: more threads than pooled connections may race.
                _db.session.close()
                barrier.wait()
                counted = support_question(_db.session.merge(question, load=False), token)
                _db.session.commit()
                with lock:
                    results.append(counted)
            except Exception as error:  # reported by the test, never lost in the thread
                with lock:
                    errors.append(error)
                barrier.abort()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=work, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_a_double_click_from_many_tabs_counts_once(app, db, published):
    token = new_supporter_token()

    results = _race(app, published.id, [token] * 12)

    assert sorted(results) == [False] * 11 + [True]
    assert stored_count(db, published) == 1


def test_concurrent_browsers_are_all_counted(app, db, published):
    results = _race(app, published.id, [new_supporter_token() for _ in range(20)])

    assert results == [True] * 20
    assert stored_count(db, published) == 20
