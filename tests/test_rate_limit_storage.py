"""Rate limits on questions, supports and logins, counted in memory and in Redis.

In production several gunicorn workers serve the site: only a shared storage (Redis) makes a limit
of "5 per hour" mean 5 and not 5 per worker. The Redis cases run against the Redis of this machine
and skip, with the reason in pytest's summary, when it does not answer.
"""
import secrets

import pytest
import redis
from sqlalchemy import func, select

from forums.extensions import limiter
from forums.models import Question, QuestionStatus, Role

from .conftest import new_client

REDIS_URL = "redis://127.0.0.1:6379/15"
LIMIT = "2 per hour"
TOO_MANY = "Trop de tentatives"


@pytest.fixture(params=["memory", "redis"])
def storage(request, other_app):
    """Yield the rate-limit storage URL of the case; the Redis test database is emptied around it."""
    if request.param == "memory":
        url = "memory://"
    else:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
        try:
            client.ping()
        except redis.RedisError as error:
            client.close()
            pytest.skip(f"Redis unreachable at {REDIS_URL} ({error}): the Redis rate-limit storage is NOT tested")
        client.flushdb()
        request.addfinalizer(client.close)
        request.addfinalizer(client.flushdb)
        url = REDIS_URL
    yield url
    # The one Limiter of forums.extensions takes its storage from the last app initialised:
    # give the apps of the following tests their memory storage back.
    other_app()


@pytest.fixture
def limited(other_app, storage):
    """Return a factory of apps counting their limits in the case's storage."""

    def make(**settings):
        return other_app(RATELIMIT_STORAGE_URL=storage, **settings)

    return make


def ask(browser, subtopics):
    """Post a valid question to the Bouches-du-Rhône; return the response."""
    subtopic = subtopics["1.A.1"]
    return browser.post("/questions/poser", data={
        "department_code": "13", "forum_id": "", "theme_id": str(subtopic.part.theme_id),
        "subtopic_id": str(subtopic.id),
        "text": f"Combien de caméras de vidéo-protection sont prévues dans le quartier {secrets.token_hex(4)} "
                "cette année, et qui pourra consulter les images ?",
        "charter_accepted": "y", "nonce": secrets.token_urlsafe(24),
    })


def stored_questions(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Question))


def assert_refused_in_french(response):
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert TOO_MANY in html
    assert "Patientez quelques minutes avant de réessayer." in html


def test_the_third_question_within_the_limit_is_refused(limited, db, territories, subtopics):
    browser = new_client(limited(QUESTION_RATE_LIMIT=LIMIT))

    assert [ask(browser, subtopics).status_code for _ in range(2)] == [303, 303]
    refused = ask(browser, subtopics)

    assert_refused_in_french(refused)
    assert stored_questions(db) == 2
    # Reading the form is not limited; only sending it is.
    assert browser.get("/questions/poser?departement=13").status_code == 200


def test_the_limit_follows_the_address_not_the_browser(limited, db, territories, subtopics):
    app = limited(QUESTION_RATE_LIMIT=LIMIT)

    assert [ask(new_client(app), subtopics).status_code for _ in range(2)] == [303, 303]

    assert_refused_in_french(ask(new_client(app), subtopics))


def test_the_third_support_within_the_limit_is_refused(limited, db, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED)
    app = limited(SUPPORT_RATE_LIMIT=LIMIT)
    url = f"/questions/{question.reference}/soutenir"

    # New browsers each time: without the limit, each would count.
    assert [new_client(app).post(url).status_code for _ in range(2)] == [303, 303]
    refused = new_client(app).post(url)

    assert_refused_in_french(refused)
    db.session.expire_all()
    assert db.session.get(Question, question.id).support_count == 2


def test_the_login_throttle_uses_the_same_storage(limited, create_agent):
    agent = create_agent(Role.MODERATOR, department="13")
    browser = new_client(limited(LOGIN_THROTTLE=LIMIT))

    for _ in range(2):
        assert browser.post("/auth/login", data={"email": agent.email, "password": "faux"}).status_code == 200

    assert_refused_in_french(browser.post("/auth/login", data={"email": agent.email, "password": "faux"}))


def test_only_redis_counts_across_workers(limited, storage, db, territories, subtopics):
    ask(new_client(limited(QUESTION_RATE_LIMIT=LIMIT)), subtopics)
    ask(new_client(limited(QUESTION_RATE_LIMIT=LIMIT)), subtopics)

    # A third worker (or the same one restarted) receives the next question.
    third = ask(new_client(limited(QUESTION_RATE_LIMIT=LIMIT)), subtopics)

    if storage == REDIS_URL:
        assert_refused_in_french(third)
        with redis.Redis.from_url(REDIS_URL) as client:
            assert client.keys("LIMITS:*")
    else:
        # Each process counts on its own: why production must use Redis.
        assert third.status_code == 303


def test_a_question_costs_two_round_trips_to_redis_headers_included(limited, storage, db, territories, subtopics,
                                                                    monkeypatch):
    if not storage.startswith("redis"):
        pytest.skip("counted in memory, a limit makes no round trip")
    browser = new_client(limited(QUESTION_RATE_LIMIT="5 per hour"))
    # A Redis just started loads the scripts on their first call.
    assert ask(browser, subtopics).status_code == 303
    client = limiter.storage.storage
    commands = []
    send = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *args, **options: (
        commands.append(args[0]), send(*args, **options))[1])

    response = ask(browser, subtopics)

    assert response.status_code == 303
    assert (response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]) == ("5", "3")
    # The sliding window counts, then reads what the headers show, in one script each; a fixed
    # window's headers cost a GET and a TTL after its INCR.
    assert commands == ["EVALSHA", "EVALSHA"]
