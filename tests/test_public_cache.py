"""Public caching: the publication version, validators, 304 answers and the shared cache."""
import gzip
from contextlib import contextmanager

import pytest
from flask import Response, request
from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from forums.models import Agent, ForumStatus, PublicationState, Role
from forums.public_cache import cache_size, cacheable, clear_cache
from forums.publication import current_publication_version, publication_version


@contextmanager
def every_query():
    """Record the SQL statements of every app's engine (count_queries only sees the main app's)."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


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


@pytest.fixture
def keyed(other_app):
    """An app with a cacheable route reading ``q`` and ``page``, counting its renders, and its version delay.

    ``keyed.seen`` lists, per render, the parameter names the view could read.
    """
    seen = []

    def make(**settings):
        app = other_app(**settings)
        calls = []
        seen.clear()

        @app.get("/essai-cle")
        @cacheable(params=("q", "page"))
        def page():
            calls.append(request.args.getlist("q"))
            seen.append(sorted(request.args))
            return f"<p>rendu {len(calls)}</p>"

        return app, calls

    make.seen = seen
    return make


def test_unknown_parameters_are_ignored_by_the_cache_key(db, consultation, keyed):
    app, calls = keyed()
    client = app.test_client()

    plain = client.get("/essai-cle")
    junk = [client.get(f"/essai-cle?x={number}&utm_source=lettre") for number in range(5)]

    assert len(calls) == 1
    assert {response.headers["ETag"] for response in junk} == {plain.headers["ETag"]}
    assert all(response.get_data(as_text=True) == "<p>rendu 1</p>" for response in junk)


def test_the_view_reads_only_the_declared_parameters(db, consultation, keyed):
    app, calls = keyed()

    app.test_client().get("/essai-cle?x=1&q=vol&consultation=autre")

    assert keyed.seen == [["q"]]


def test_declared_parameters_make_the_key_in_name_order_with_repeated_values_in_order(db, consultation, keyed):
    app, calls = keyed()
    client = app.test_client()

    client.get("/essai-cle?q=vol&page=2")
    client.get("/essai-cle?page=2&q=vol&x=1")
    client.get("/essai-cle?q=a&q=b")
    client.get("/essai-cle?q=b&q=a")
    client.get("/essai-cle?q=a&x=2&q=b")

    assert calls == [["vol"], ["a", "b"], ["b", "a"]]


def test_public_pages_ignore_junk_parameters(db, client, consultation, create_forum, count_queries):
    create_forum(status=ForumStatus.PUBLISHED)
    for path in ("/", "/agenda"):
        page = client.get(path)
        with count_queries() as statements:
            junk = client.get(f"{path}?x=1")
        assert junk.status_code == 200
        assert junk.headers["ETag"] == page.headers["ETag"]
        assert junk.get_data() == page.get_data()
        # Only the publication version is read (tests read it on every request).
        assert len(statements) == 1, statements


def test_head_is_served_from_the_cache_of_get(db, consultation, counted):
    app, calls = counted
    client = app.test_client()

    head_first = client.head("/essai-cache")
    get = client.get("/essai-cache")
    head = client.head("/essai-cache")
    conditional = client.head("/essai-cache", headers={"If-None-Match": get.headers["ETag"]})

    assert len(calls) == 1
    assert head_first.status_code == head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["Cache-Control"] == "public, max-age=60"
    assert conditional.status_code == 304


def test_a_cached_hit_runs_no_query_while_the_version_is_remembered(db, consultation, keyed):
    app, calls = keyed(PUBLICATION_VERSION_TTL=60)
    client = app.test_client()
    with every_query() as first:
        client.get("/essai-cle")

    with every_query() as statements:
        responses = [client.get("/essai-cle?x=1"), client.head("/essai-cle"),
                     client.get("/essai-cle", headers={"If-None-Match": "autre"})]

    assert len(first) == 1, first
    assert statements == []
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert len(calls) == 1


def test_a_change_committed_by_this_process_is_seen_at_once(db, consultation, keyed, create_forum):
    app, calls = keyed(PUBLICATION_VERSION_TTL=60)
    client = app.test_client()
    etag = client.get("/essai-cle").headers["ETag"]

    create_forum(status=ForumStatus.PUBLISHED)
    response = client.get("/essai-cle", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert len(calls) == 2


def test_a_rolled_back_change_keeps_the_remembered_version(db, consultation, keyed, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED)
    app, calls = keyed(PUBLICATION_VERSION_TTL=60)
    client = app.test_client()
    etag = client.get("/essai-cle").headers["ETag"]

    forum.title = "Titre abandonné"
    db.session.flush()
    db.session.rollback()
    with every_query() as statements:
        response = client.get("/essai-cle", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert statements == []


def test_the_version_is_read_again_after_its_delay(db, consultation, create_forum):
    create_forum(status=ForumStatus.PUBLISHED)
    first = current_publication_version(db.engine, 60)
    # Another process's change: written without this process's ORM session.
    with db.engine.begin() as connection:
        connection.execute(update(PublicationState).values(version=PublicationState.version + 1))

    assert current_publication_version(db.engine, 60) == first
    assert current_publication_version(db.engine, 0)[0] == first[0] + 1


def test_the_api_still_refuses_unknown_parameters_of_a_cached_answer(db, client, consultation):
    assert client.get("/api/v1/forums").status_code == 200

    refused = client.get("/api/v1/forums?x=1")
    head = client.head("/api/v1/forums?x=1")

    assert refused.status_code == head.status_code == 400
    assert refused.json["error"]["parameter"] == "x"


def test_agents_never_share_the_cache_of_head(db, consultation, counted, create_agent):
    app, calls = counted
    client = app.test_client()
    agent = create_agent(Role.PREFECTURE, department="13")
    client.post("/auth/login", data={"email": agent.email, "password": "mot-de-passe-de-test-1"})

    response = client.head("/essai-cache")

    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(calls) == 1


def test_a_cache_of_size_zero_renders_every_request_with_the_same_validators(db, consultation, keyed):
    app, calls = keyed(PUBLIC_CACHE_MB=0)
    client = app.test_client()

    first, second = client.get("/essai-cle"), client.get("/essai-cle")

    assert len(calls) == 2
    assert first.headers["ETag"] == second.headers["ETag"]
    assert client.get("/essai-cle", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_the_cache_holds_at_most_its_budget_in_bytes_dropping_the_least_recently_used(db, consultation, other_app):
    app = other_app(PUBLIC_CACHE_MB=10_000 / 1024 / 1024)
    renders = []

    @app.get("/essai-taille")
    @cacheable(params=("page", "size"))
    def page():
        renders.append(request.args["page"])
        # Not text: kept as it is, never gzipped.
        return Response(b"x" * int(request.args["size"]), mimetype="application/octet-stream")

    client = app.test_client()
    clear_cache()
    for number in (1, 2, 1, 3):
        assert client.get(f"/essai-taille?page={number}&size=4000").status_code == 200
    assert cache_size() == (2, 8000)

    client.get("/essai-taille?page=1&size=4000")
    client.get("/essai-taille?page=2&size=4000")
    # Page 1 was read again before page 3 came in: page 2 went first, then page 3 for page 2.
    assert renders == ["1", "2", "3", "2"]

    large = client.get("/essai-taille?page=4&size=20000")
    assert large.status_code == 200 and len(large.get_data()) == 20000
    client.get("/essai-taille?page=4&size=20000")
    # Larger than the whole budget: served every time, never stored.
    assert renders[-2:] == ["4", "4"]
    assert cache_size() == (2, 8000)


def test_large_answers_are_also_kept_gzipped_for_clients_that_accept_it(db, consultation, other_app):
    app = other_app()
    long_page = "<p>" + "Forum de sécurité, salle des fêtes. " * 200 + "</p>"
    renders = []

    @app.get("/essai-long")
    @cacheable
    def long():
        renders.append(1)
        return long_page

    @app.get("/essai-court")
    @cacheable
    def short():
        return "<p>court</p>"

    client = app.test_client()
    plain = client.get("/essai-long")
    zipped = client.get("/essai-long", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert len(renders) == 1
    assert "Content-Encoding" not in plain.headers and plain.get_data(as_text=True) == long_page
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()).decode() == long_page
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data()) < len(plain.get_data()) / 10
    for response in (plain, zipped):
        assert {"Cookie", "Accept-Encoding"} <= {value.strip() for value in response.headers["Vary"].split(",")}
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    revalidated = client.get("/essai-long", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert revalidated.status_code == 304
    # A short answer is not worth compressing.
    assert "Content-Encoding" not in client.get("/essai-court", headers={"Accept-Encoding": "gzip"}).headers
