"""Public caching: the publication version, validators, 304 answers and the shared cache."""
import pytest

from forums.models import Agent, ForumStatus, Role
from forums.public_cache import cacheable
from forums.publication import publication_version


def version(db):
    return publication_version(db.session)[0]


def test_public_writes_bump_the_version_and_other_writes_do_not(db, create_forum, create_agent):
    forum = create_forum()
    first = version(db)
    assert first > 0

    forum.title = "Nouveau titre"
    db.session.commit()
    assert version(db) == first + 1

    db.session.refresh(forum)
    forum.title = "Nouveau titre"  # the same value on a loaded object: nothing changes
    db.session.commit()
    create_agent(Role.MINISTRY)
    agent = db.session.scalar(db.select(Agent))
    agent.full_name = "Autre nom"
    db.session.commit()
    assert version(db) == first + 1

    forum.cantons = []
    db.session.commit()
    assert version(db) == first + 2


@pytest.fixture
def counted(other_app):
    """An app with one cacheable route that counts how often it really renders."""
    app = other_app()
    calls = []

    @app.get("/essai-cache")
    @cacheable
    def page():
        calls.append(1)
        return f"<p>rendu {len(calls)}</p>"

    return app, calls


def test_anonymous_answers_carry_validators_and_are_served_from_the_cache(db, consultation, counted):
    app, calls = counted
    client = app.test_client()

    first = client.get("/essai-cache")
    second = client.get("/essai-cache")

    assert first.status_code == second.status_code == 200
    assert first.headers["ETag"] and first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in first.headers["Vary"]
    assert "Set-Cookie" not in first.headers
    assert second.get_data(as_text=True) == "<p>rendu 1</p>"
    assert len(calls) == 1


def test_conditional_requests_get_304_without_rendering(db, consultation, counted):
    app, calls = counted
    client = app.test_client()
    first = client.get("/essai-cache")

    by_etag = client.get("/essai-cache", headers={"If-None-Match": first.headers["ETag"]})
    by_date = client.get("/essai-cache", headers={"If-Modified-Since": first.headers["Last-Modified"]})

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.get_data() == b""
    assert len(calls) == 1


def test_a_public_change_invalidates_the_cache(db, consultation, counted, create_forum):
    app, calls = counted
    client = app.test_client()
    etag = client.get("/essai-cache").headers["ETag"]

    create_forum(status=ForumStatus.PUBLISHED)
    response = client.get("/essai-cache", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert response.get_data(as_text=True) == "<p>rendu 2</p>"


def test_agents_always_get_a_fresh_private_page(db, consultation, counted, create_agent):
    app, calls = counted
    client = app.test_client()
    agent = create_agent(Role.PREFECTURE, department="13")
    client.post("/auth/login", data={"email": agent.email, "password": "mot-de-passe-de-test-1"})

    first = client.get("/essai-cache")
    client.get("/essai-cache")

    assert first.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in first.headers
    assert len(calls) == 2
