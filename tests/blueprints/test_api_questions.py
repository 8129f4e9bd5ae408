"""Open data API of questions: published only, no personal data, the pages' filters, errors, all held to the spec."""
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import ForumStatus, QuestionStatus
from forums.services import question_search

from ..conftest import paris_time
from .test_api import document, get, query_of, valid_documents  # noqa: F401  (fixtures shared with the forum API)

START = datetime(2009, 3, 20, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LIST = "/api/v1/questions"
ONE = "/api/v1/questions/{reference}"
FIELDS = {
    "reference", "url", "department", "forum_id", "theme", "subtopic", "text", "published_at", "support_count",
    "answer", "answer_html", "answered_at", "addressed_forum_id", "addressed_at",
}


@pytest.fixture
def forum(create_forum):
    return create_forum(status=ForumStatus.HELD, title="Forum d'Aix", starts_at=paris_time(2009, 3, 17))


@pytest.fixture
def questions(db, create_question, forum, create_forum):
    """Published questions in 13 and 972, with authors' personal data, and questions that must stay hidden."""
    made = {
        "aix": create_question(
            "Mon voisin M. Durand est cambriolé sans cesse, que fait la police ?", forum=forum,
            public_text="Des cambriolages à répétition : que fait la police ?", status=QuestionStatus.PUBLISHED,
            moderated_at=START, email="citoyen@example.fr", display_name="Citoyen d'Aix", support_count=5,
            answer_text="La police **renforce** ses rondes.", answered_at=START + 2 * DAY),
        "video": create_question(
            "La vidéo-protection est-elle efficace en centre-ville ?", subtopic="1.A.2",
            status=QuestionStatus.PUBLISHED, moderated_at=START + DAY, addressed_forum_id=forum.id,
            addressed_at=paris_time(2009, 3, 17, 20, 0)),
        "municipale": create_question(
            "Les polices municipales peuvent-elles verbaliser le stationnement ?", subtopic="2.A.1",
            status=QuestionStatus.PUBLISHED, moderated_at=START + 3 * DAY, support_count=9),
        "martinique": create_question(
            "Quelle présence policière à Fort-de-France le soir ?", department="972",
            status=QuestionStatus.PUBLISHED, moderated_at=START + 4 * DAY),
        "pending": create_question("Question en attente sur les cambriolages", email="attente@example.fr"),
        "rejected": create_question("Question refusée sur les cambriolages", status=QuestionStatus.REJECTED),
    }
    made["merged"] = create_question("Doublon sur les cambriolages", status=QuestionStatus.MERGED,
                                     merged_into_id=made["aix"].id)
    return made


def refs(response):
    return [item["reference"] for item in response.json["data"]]


def test_list_gives_published_questions_newest_first_with_public_fields_only(client, document, questions, forum):
    response = get(client, document, LIST, LIST)

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert refs(response) == [questions[name].reference for name in ("martinique", "municipale", "video", "aix")]
    assert response.json["meta"] == {"page": 1, "per_page": 50, "total": 4, "total_capped": False, "pages": 1,
                                     "search_terms": []}
    aix = response.json["data"][-1]
    assert set(aix) == FIELDS
    assert aix == {
        "reference": questions["aix"].reference,
        "url": f"http://localhost/questions/{questions['aix'].reference}",
        "department": {"code": "13", "name": "Bouches-du-Rhône"},
        "forum_id": forum.id,
        "theme": {"code": "1", "title": "La sécurité, un devoir vis-à-vis de nos concitoyens"},
        "subtopic": {"code": "1.A.1", "title": "Vidéo-protection"},
        "text": "Des cambriolages à répétition : que fait la police ?",
        "published_at": "2009-03-20T11:00:00+01:00",
        "support_count": 5,
        "answer": "La police **renforce** ses rondes.",
        "answer_html": "<p>La police <strong>renforce</strong> ses rondes.</p>",
        "answered_at": "2009-03-22T11:00:00+01:00",
        "addressed_forum_id": None,
        "addressed_at": None,
    }
    video = response.json["data"][2]
    assert (video["answer"], video["answer_html"], video["addressed_forum_id"]) == (None, None, forum.id)
    assert video["addressed_at"] == "2009-03-17T20:00:00+01:00"


def test_the_api_never_carries_personal_data_or_the_original_text(client, document, questions):
    listed = get(client, document, LIST, LIST).get_data(as_text=True)
    one = get(client, document, ONE, f"/api/v1/questions/{questions['aix'].reference}").get_data(as_text=True)

    for body in (listed, one):
        assert "citoyen@example.fr" not in body and "attente@example.fr" not in body
        assert "Citoyen d'Aix" not in body and "Durand" not in body
        assert "en attente" not in body and "refusée" not in body and "Doublon" not in body


@pytest.mark.parametrize("query, expected", [
    ("department=13", ["municipale", "video", "aix"]),
    ("department=972", ["martinique"]),
    ("theme=2", ["municipale"]),
    ("subtopic=1.A.2", ["video"]),
    ("theme=1&subtopic=1.A.1", ["martinique", "aix"]),
    ("q=cambriolage", ["aix"]),
    ("q=polic", ["martinique", "municipale", "aix"]),
    ("q=VIDEO&department=13", ["video"]),
    ("order=supported", ["municipale", "aix", "martinique", "video"]),
    ("order=recent&department=13&per_page=2&page=2", ["aix"]),
    ("consultation=2009", ["martinique", "municipale", "video", "aix"]),
    ("q=&theme=&order=", ["martinique", "municipale", "video", "aix"]),
])
def test_filters_are_those_of_the_pages(client, document, questions, query, expected):
    response = get(client, document, LIST, f"{LIST}?{query}")

    assert response.status_code == 200
    assert refs(response) == [questions[name].reference for name in expected]


def test_forum_filter_includes_questions_taken_up_at_the_forum(client, document, questions, forum):
    response = get(client, document, LIST, f"{LIST}?forum={forum.id}")

    assert refs(response) == [questions["video"].reference, questions["aix"].reference]


def test_search_terms_tell_what_was_searched(client, document, questions):
    searched = get(client, document, LIST, f"{LIST}?q=Les+cambriolages+de+la")
    common = get(client, document, LIST, f"{LIST}?q=le+la+de")

    assert searched.json["meta"]["search_terms"] == ["cambriolag"]
    assert common.json["meta"]["search_terms"] == [] and common.json["meta"]["total"] == 4


def test_pages_link_to_each_other_keeping_the_filters(client, document, questions):
    response = get(client, document, LIST, f"{LIST}?department=13&order=supported&per_page=1&page=2")

    body = response.json
    assert body["meta"] == {"page": 2, "per_page": 1, "total": 3, "total_capped": False, "pages": 3, "search_terms": []}
    assert query_of(body["links"]["next"]) == {"department": "13", "order": "supported", "per_page": "1", "page": "3"}
    assert query_of(body["links"]["prev"])["page"] == "1"
    assert 'rel="next"' in response.headers["Link"] and 'rel="first"' in response.headers["Link"]
    beyond = get(client, document, LIST, f"{LIST}?per_page=1&page=9")
    assert beyond.json["data"] == [] and beyond.json["links"]["next"] is None


@pytest.mark.parametrize("query, parameter", [
    ("department=99", "department"),
    ("forum=abc", "forum"),
    ("forum=999999", "forum"),
    ("theme=9", "theme"),
    ("subtopic=9.Z.9", "subtopic"),
    ("theme=2&subtopic=1.A.1", "subtopic"),
    ("order=random", "order"),
    ("q=" + "a" * 201, "q"),
    ("page=0", "page"),
    ("per_page=500", "per_page"),
    ("status=published", "status"),
    ("q=a&q=b", "q"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, document, questions, query, parameter):
    response = get(client, document, LIST, f"{LIST}?{query}")

    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter
    assert response.json["error"]["message"]


def test_a_page_past_the_reach_is_400_and_a_capped_total_says_so(client, document, questions, monkeypatch):
    # A reach of 2 stands for the 10,000 questions a real list counts (1,000 with « q »).
    monkeypatch.setattr(question_search, "LIST_REACH", 2)

    capped = get(client, document, LIST, f"{LIST}?per_page=1")
    last = get(client, document, LIST, f"{LIST}?per_page=1&page=2")
    beyond = get(client, document, LIST, f"{LIST}?per_page=1&page=3")
    far = get(client, document, LIST, f"{LIST}?page=999999")

    assert capped.json["meta"]["total"] == 2 and capped.json["meta"]["total_capped"] is True
    assert capped.json["meta"]["pages"] == 2 and last.status_code == 200 and len(last.json["data"]) == 1
    assert beyond.status_code == 400 and beyond.json["error"]["parameter"] == "page"
    assert "précisez la recherche" in beyond.json["error"]["message"]
    assert far.status_code == 400 and far.json["error"]["parameter"] == "page"


def test_a_search_made_of_operators_is_no_search(client, document, questions):
    response = get(client, document, LIST, f"{LIST}?q=" + "%22*()%3A%26%7C!%27%5C" * 20)

    assert response.status_code == 200 and response.json["meta"]["search_terms"] == []


def test_a_draft_forum_is_an_unknown_forum(client, document, questions, create_forum):
    draft = create_forum(status=ForumStatus.DRAFT)

    response = get(client, document, LIST, f"{LIST}?forum={draft.id}")

    assert response.status_code == 400 and response.json["error"]["parameter"] == "forum"


def test_an_unknown_consultation_is_404(client, document, questions):
    response = get(client, document, LIST, f"{LIST}?consultation=1999")

    assert response.status_code == 404


def test_one_question(client, document, questions):
    response = get(client, document, ONE, f"/api/v1/questions/{questions['municipale'].reference}")

    assert response.status_code == 200
    assert set(response.json) == FIELDS
    assert response.json["support_count"] == 9


@pytest.mark.parametrize("name", ["pending", "rejected", "merged"])
def test_a_question_not_published_is_404(client, document, questions, name):
    response = get(client, document, ONE, f"/api/v1/questions/{questions[name].reference}")

    assert response.status_code == 404
    assert response.json["error"]["message"] == "Aucune question publiée ne porte cette référence."


@pytest.mark.parametrize("reference", ["13-999999", "x" * 300])
def test_an_unknown_reference_is_404(client, document, questions, reference):
    assert get(client, document, ONE, f"/api/v1/questions/{reference}").status_code == 404


def test_one_question_refuses_parameters(client, document, questions):
    response = get(client, document, ONE, f"/api/v1/questions/{questions['aix'].reference}?fields=all")

    assert response.status_code == 400 and response.json["error"]["parameter"] == "fields"


def test_answers_are_cached_and_revalidated(client, document, questions):
    first = get(client, document, LIST, LIST)
    again = get(client, document, LIST, LIST, headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert again.status_code == 304
