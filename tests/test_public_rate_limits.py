"""Rate limits on expensive public reads: searches, the API and open-data files.

A limit counts what is rendered; answers served from the public cache are free. Beyond the limit,
a French 429 (JSON on the API) with Retry-After; limited routes carry the X-RateLimit-* headers
when they render, and answers from the cache skip the limits altogether.
"""
import html

import pytest

from forums.extensions import limiter
from forums.models import ForumStatus
from forums.public_cache import cacheable
from forums.services.open_data_files import build_open_data

LIMIT = "2 per minute"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture
def limited(other_app):
    """Return a client of an app whose public reads allow two renders per minute and address."""
    return other_app(SEARCH_RATE_LIMIT=LIMIT, API_RATE_LIMIT=LIMIT, OPEN_DATA_RATE_LIMIT=LIMIT).test_client()


def assert_refused_in_french(response):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    text = html.unescape(response.get_data(as_text=True))
    assert "Trop de tentatives" in text
    assert "Limite atteinte : 2 demandes par minute. Réessayez dans " in text


def test_limited_routes_carry_the_rate_limit_headers(client, db, consultation):
    response = client.get("/api/v1/forums")

    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "120"
    assert int(response.headers["X-RateLimit-Remaining"]) == 119
    search = client.get("/trouver-mon-forum?q=aix")
    assert all(name in search.headers for name in RATE_HEADERS)
    # Pages that are cheap to render are not limited.
    assert not any(name in client.get("/agenda").headers for name in RATE_HEADERS)


def test_the_api_answers_429_in_json_beyond_its_limit(limited, db, consultation):
    assert [limited.get(f"/api/v1/forums?page={page}").status_code for page in (1, 2)] == [200, 200]

    refused = limited.get("/api/v1/forums?page=3")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.json["error"]["title"] == "Trop de tentatives"
    assert refused.json["error"]["message"].startswith("Limite atteinte : 2 demandes par minute.")
    # Every route of the API counts in the same budget.
    assert limited.get("/api/openapi.json").status_code == 429


def test_answers_from_the_cache_are_not_counted(limited, db, consultation):
    statuses = [limited.get("/api/v1/forums").status_code for _ in range(5)]
    etag = limited.get("/api/v1/forums").headers["ETag"]
    statuses += [limited.get("/api/v1/forums", headers={"If-None-Match": etag}).status_code for _ in range(3)]

    assert statuses == [200] * 5 + [304] * 3
    assert limited.get("/api/v1/forums?page=2").status_code == 200


def test_answers_from_the_cache_do_not_ask_the_limits(client, db, consultation, monkeypatch):
    rendered = client.get("/api/v1/forums")
    asked = []
    monkeypatch.setattr(limiter.limiter, "test", lambda *args, **kwargs: asked.append(args) or True)

    hit = client.get("/api/v1/forums")
    revalidated = client.get("/api/v1/forums", headers={"If-None-Match": rendered.headers["ETag"]})

    assert (hit.status_code, revalidated.status_code) == (200, 304)
    assert hit.get_data() == rendered.get_data()
    assert not asked
    assert not any(name in hit.headers for name in RATE_HEADERS)
    # A page not in the cache yet asks them.
    assert client.get("/api/v1/forums?page=2").headers["X-RateLimit-Remaining"] == "118"
    assert asked


def test_searches_answer_a_french_page_beyond_their_limit(limited, db, territories, consultation):
    assert [limited.get(f"/trouver-mon-forum?q={q}").status_code for q in ("aix", "arles")] == [200, 200]

    assert_refused_in_french(limited.get("/trouver-mon-forum/suggestions?q=mars"))


def test_question_lists_count_only_when_they_search(limited, db, territories, consultation, create_forum):
    create_forum(status=ForumStatus.PUBLISHED)
    browsing = [limited.get(f"/departements/13/questions?page={page}") for page in range(1, 5)]
    assert [response.status_code for response in browsing] == [200] * 4
    assert "X-RateLimit-Limit" not in browsing[0].headers

    assert [limited.get(f"/departements/13/questions?q={q}").status_code for q in ("vol", "bruit")] == [200, 200]
    assert_refused_in_french(limited.get("/departements/13/questions?q=drogue"))


def test_open_data_files_are_limited(limited, db, consultation):
    build_open_data(db.session, limited.application.config["OPEN_DATA_DIRECTORY"], [consultation])
    # Buffered: a streamed file would stay open after the test.
    downloads = [limited.get("/donnees-ouvertes/questions.csv", buffered=True) for _ in range(2)]
    assert [response.status_code for response in downloads] == [200, 200]

    assert_refused_in_french(limited.get("/donnees-ouvertes/propositions.json", buffered=True))
    # The page describing the files stays open.
    assert limited.get("/donnees-ouvertes").status_code == 200


def test_a_test_run_is_not_limited_by_its_own_requests(app):
    assert app.config["RATELIMIT_STORAGE_URL"] == "memory://"
    assert app.config["API_RATE_LIMIT"] == app.config["SEARCH_RATE_LIMIT"] == "120 per minute"


def test_a_limit_put_on_a_cached_page_is_applied(other_app, db, consultation):
    app = other_app()

    @app.get("/essai-limite")
    @limiter.limit("1 per minute")
    @cacheable
    def page():
        return "<p>page</p>"

    client = app.test_client()

    assert [client.get("/essai-limite").status_code for _ in range(2)] == [200, 429]
