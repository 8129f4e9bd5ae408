"""Published questions on the public site: lists, filters, search, one question, supports, blocks, caching."""
import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from forums.extensions import db as _db
from forums.models import ForumStatus, Question, QuestionStatus, QuestionSupport
from forums.services import question_search
from forums.services.supports import SUPPORTER_COOKIE
from forums.templating import french_date, unbreakable

from ..conftest import new_client, paris_time

START = datetime(2009, 3, 20, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def body(response):
    """Return the page's main content, without the layout (header, footer, scripts)."""
    page = response.get_data(as_text=True)
    return page.split('<main id="contenu"', 1)[1].split("</main>", 1)[0]


def cards(response):
    """Return the references of the question cards of a page, in order."""
    return re.findall(r'id="question-(\d\w?\d?-\d{6})"', response.get_data(as_text=True))


def notices(response):
    block = re.search(r'<div class="fr-mb-4w" id="notices">(.*?)</div>\s*\n\s*<form', response.get_data(as_text=True),
                      re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", block.group(1))) if block else ""


#: The forum of the tests is still to come, whatever the day the tests run.
FORUM_DAY = (datetime.now(UTC) + 30 * DAY).date()


@pytest.fixture
def forum(create_forum):
    return create_forum(status=ForumStatus.PUBLISHED, title="Forum du pays d'Aix",
                        starts_at=paris_time(FORUM_DAY.year, FORUM_DAY.month, FORUM_DAY.day))


def forum_date(forum):
    """Return the forum's day as pages write it: "lundi 20 avril 2009"."""
    return french_date(forum.starts_at)


@pytest.fixture
def published(db, create_question, forum):
    """Five published questions of department 13 (two for the forum), one day apart, and hidden ones."""
    made = {
        "cambriolages": create_question(
            "Que fait la police contre les cambriolages ?\nDeux maisons visitées en mars.",
            forum=forum, status=QuestionStatus.PUBLISHED, moderated_at=START, display_name="Marie de Puyricard",
            email="marie@example.fr", support_count=2),
        "video": create_question(
            "La vidéo-protection est-elle efficace en centre-ville ?", subtopic="1.A.2",
            status=QuestionStatus.PUBLISHED, moderated_at=START + DAY, email="anonyme@example.fr", support_count=7),
        "municipale": create_question(
            "Les polices municipales peuvent-elles verbaliser le stationnement ?", subtopic="2.A.1", forum=forum,
            status=QuestionStatus.PUBLISHED, moderated_at=START + 2 * DAY),
        "privee": create_question(
            "Les agents de sécurité privée peuvent-ils contrôler les sacs ?", subtopic="2.A.2",
            status=QuestionStatus.PUBLISHED, moderated_at=START + 3 * DAY, support_count=3),
        "html": create_question(
            "<script>alert('x')</script> <b>Pourquoi</b> si peu de patrouilles le soir ?",
            status=QuestionStatus.PUBLISHED, moderated_at=START + 4 * DAY, display_name="<i>Jean</i>"),
        "pending": create_question("Question en attente sur les cambriolages à Aix", forum=forum),
        "rejected": create_question("Question refusée sur les cambriolages", status=QuestionStatus.REJECTED),
        "paris": create_question("Les cambriolages à Paris augmentent-ils ?", department="75",
                                 status=QuestionStatus.PUBLISHED),
    }
    return made


# --- The department's list -------------------------------------------------------------------------

def test_department_list_shows_published_questions_newest_first(client, published):
    response = client.get("/departements/13/questions")

    assert response.status_code == 200
    assert cards(response) == [published[name].reference for name in ("html", "privee", "municipale", "video",
                                                                      "cambriolages")]
    page = text(response)
    assert "5 questions publiées" in page
    assert "Question en attente" not in page and "Question refusée" not in page and "Paris augmentent" not in page


def test_a_card_shows_reference_date_topic_text_author_supports_and_a_link(client, published):
    response = client.get("/departements/13/questions")
    page = text(response)
    card = page.split(f'id="question-{published["cambriolages"].reference}"', 1)[1].split('class="fr-card ', 1)[0]

    assert f'href="/questions/{published["cambriolages"].reference}"' in card
    assert f"Question n° {published['cambriolages'].reference}" in card
    assert "La sécurité, un devoir vis-à-vis de nos concitoyens › Vidéo-protection" in card
    assert "Que fait la police contre les cambriolages ?<br>Deux maisons visitées en mars." in card
    assert "Publiée le vendredi\xa020\xa0mars\xa02009" in card
    assert "Marie de Puyricard" in card and "2 soutiens" in card and "Forum du pays d'Aix" in card
    video = page.split(f'id="question-{published["video"].reference}"', 1)[1].split('class="fr-card ', 1)[0]
    assert "Anonyme" in video and "7 soutiens" in video and "Question au département" in video


def test_html_in_a_question_or_a_name_is_shown_as_text(client, published):
    raw = body(client.get("/departements/13/questions"))

    assert "<script>alert" not in raw and "<b>Pourquoi</b>" not in raw and "<i>Jean</i>" not in raw
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b&gt;Pourquoi&lt;/b&gt;" in raw
    assert "&lt;i&gt;Jean&lt;/i&gt;" in raw


def test_status_badges_tell_answered_and_taken_up_questions(db, client, published, forum):
    published["video"].answer_text = "Oui."
    published["video"].answered_at = START + 5 * DAY
    published["privee"].addressed_forum_id = forum.id
    published["privee"].addressed_at = forum.starts_at + timedelta(hours=2)
    db.session.commit()

    page = text(client.get("/departements/13/questions"))

    assert page.count("Réponse de la préfecture") == 1
    assert f"Traitée lors du forum du {unbreakable(forum_date(forum))}" in page


def test_filters_by_theme_and_subtopic_without_javascript(client, published):
    by_theme = client.get("/departements/13/questions?theme=2")
    by_subtopic = client.get("/departements/13/questions?theme=2&sous_theme=2.A.2")
    subtopic_only = client.get("/departements/13/questions?sous_theme=1.A.2")

    assert cards(by_theme) == [published["privee"].reference, published["municipale"].reference]
    assert cards(by_subtopic) == [published["privee"].reference]
    assert cards(subtopic_only) == [published["video"].reference]
    # Once a theme is chosen, the sub-topic list offers only its sub-topics.
    select_html = text(by_theme).split('id="filter-subtopic"', 1)[1].split("</select>", 1)[0]
    assert "Polices municipales" in select_html and "Vidéo-protection" not in select_html
    assert "<optgroup" not in select_html
    everything = text(client.get("/departements/13/questions")).split('id="filter-subtopic"', 1)[1]
    assert everything.split("</select>", 1)[0].count("<optgroup") == 2
    assert 'value="2.A.2" selected' in text(by_subtopic)
    assert "2 questions correspondant à vos critères" in text(by_theme)


def test_full_text_search_from_the_page(client, published):
    response = client.get("/departements/13/questions?q=Cambriolage")
    prefix = client.get("/departements/13/questions?q=polic+munic")

    assert cards(response) == [published["cambriolages"].reference]
    assert cards(prefix) == [published["municipale"].reference]
    assert 'value="Cambriolage"' in text(response)


def test_most_supported_order(client, published):
    response = client.get("/departements/13/questions?tri=soutenues")

    assert cards(response) == [published[name].reference for name in ("video", "privee", "cambriolages", "html",
                                                                      "municipale")]
    assert 'value="soutenues" selected' in text(response)


@pytest.mark.parametrize("query, notice, shown", [
    ("theme=9", "Le thème demandé n'existe pas", 5),
    ("sous_theme=9.Z.9", "Le sous-thème demandé n'existe pas", 5),
    ("theme=1&sous_theme=2.A.1", "n'appartient pas au thème choisi", 3),
    ("tri=hasard", "Ce tri n'existe pas", 5),
    ("page=abc", "Le numéro de page demandé n'est pas valide", 5),
    ("page=0", "Le numéro de page demandé n'est pas valide", 5),
    ("page=99999999999999999999", "Le numéro de page demandé n'est pas valide", 5),
    ("page=7", "La page 7 n'existe pas : voici la dernière page.", 5),
    ("q=le+la+de+est", "ne contient que des mots trop courants", 5),
    ("theme=%3Cscript%3E&q=%22%29+OR+1%3D1+--", "Le thème demandé n'existe pas", 0),
])
def test_wrong_parameters_are_ignored_with_a_french_notice(client, published, query, notice, shown):
    response = client.get("/departements/13/questions?" + query)

    assert response.status_code == 200
    assert notice in notices(response)
    assert len(cards(response)) == shown
    assert "<script>" not in body(response)


def test_pages_of_twenty_with_links_that_keep_the_filters(db, client, create_question):
    for index in range(23):
        create_question(f"Question numéro {index} sur les cambriolages du quartier", status=QuestionStatus.PUBLISHED,
                        moderated_at=START + index * timedelta(hours=1))

    first = client.get("/departements/13/questions?q=cambriolages&tri=soutenues")
    second = client.get("/departements/13/questions?q=cambriolages&tri=soutenues&page=2")

    assert len(cards(first)) == 20 and len(cards(second)) == 3
    assert "23 questions correspondant à vos critères – page 1 sur 2" in text(first)
    links = re.findall(r'class="fr-pagination__link[^"]*" href="([^"]+)"', text(first))
    assert links
    assert all(parse_qs(urlsplit(link).query)["q"] == ["cambriolages"] for link in links)
    assert all(parse_qs(urlsplit(link).query)["tri"] == ["soutenues"] for link in links)
    assert set(cards(first)).isdisjoint(cards(second))


def test_a_list_counts_up_to_its_reach_and_asks_to_narrow_it_beyond(db, client, published, monkeypatch):
    # A reach of 3 stands for the 10,000 questions a real list counts.
    monkeypatch.setattr(question_search, "LIST_REACH", 3)

    first = client.get("/departements/13/questions")
    beyond = client.get("/departements/13/questions?page=3&_=1")

    assert "Plus de 3 questions publiées" in text(first) and len(cards(first)) == 3
    assert "Précisez votre recherche" in text(first)
    assert "Voir toutes les questions (plus de 3)" in text(client.get("/departements/13"))
    assert beyond.status_code == 200 and len(cards(beyond)) == 3
    assert "Seules les 3 premières questions sont présentées page par page" in notices(beyond)


def test_a_search_has_a_smaller_reach_than_a_list(db, client, published, monkeypatch):
    monkeypatch.setattr(question_search, "SEARCH_REACH", 1)

    page = text(client.get("/departements/13/questions?q=police"))

    assert "Plus de 1 questions correspondant à vos critères" in page


@pytest.mark.parametrize("query", ["page=999999", "page=-1", "q=" + "police " * 300, "q=" + "%22*()%3A%26%7C!" * 100])
def test_bad_list_parameters_never_fail(client, published, query):
    response = client.get(f"/departements/13/questions?{query}")

    assert response.status_code == 200


def test_an_empty_list_invites_to_ask(client, db, territories, consultation, subtopics):
    page = text(client.get("/departements/75/questions"))

    assert "Aucune question n'est encore publiée dans ce département." in page
    assert 'href="/questions/poser?departement=75"' in page


@pytest.mark.parametrize("url", ["/departements/99/questions", "/departements/" + "x" * 300 + "/questions",
                                 "/forums/999999/questions", "/forums/abc/questions"])
def test_unknown_department_or_forum_is_a_french_404(client, db, territories, consultation, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page non trouvée" in text(response)


def test_without_a_consultation_the_list_says_so(client, db, territories):
    response = client.get("/departements/13/questions")

    assert response.status_code == 200
    assert "Il n'y a pas de consultation ouverte en ce moment" in text(response)


# --- The forum's list ------------------------------------------------------------------------------

def test_forum_list_shows_its_questions_and_those_it_took_up(db, client, published, forum):
    published["privee"].addressed_forum_id = forum.id
    published["privee"].addressed_at = forum.starts_at + timedelta(hours=2)
    db.session.commit()

    response = client.get(f"/forums/{forum.id}/questions")

    assert response.status_code == 200
    assert cards(response) == [published[name].reference for name in ("privee", "municipale", "cambriolages")]
    page = text(response)
    assert f'href="/questions/poser?forum={forum.id}"' in page
    assert "Questions des citoyens – Forum du pays d'Aix" in page


@pytest.mark.parametrize("status", [ForumStatus.CANCELLED, ForumStatus.HELD])
def test_a_cancelled_or_held_forum_lists_its_questions_without_asking_for_more(db, client, published, forum, status):
    forum.status = status
    db.session.commit()

    response = client.get(f"/forums/{forum.id}/questions")

    assert len(cards(response)) == 2
    assert 'id="ask-question"' not in text(response)


def test_a_draft_forum_has_no_question_list(client, published, create_forum):
    draft = create_forum(status=ForumStatus.DRAFT)

    assert client.get(f"/forums/{draft.id}/questions").status_code == 404


# --- Blocks on the forum and department pages ------------------------------------------------------

def test_forum_page_shows_its_latest_questions_and_a_button_to_ask(client, published, forum):
    page = text(client.get(f"/forums/{forum.id}"))
    block = page.split('id="questions"', 1)[1].split("</section>", 1)[0]

    assert "Questions des citoyens" in block and "2 questions publiées" in block
    assert re.findall(r'id="question-([\w-]+)"', block) == [published["municipale"].reference,
                                                           published["cambriolages"].reference]
    assert f'href="/forums/{forum.id}/questions"' in block
    assert f'href="/questions/poser?forum={forum.id}"' in block


@pytest.mark.parametrize("status", [ForumStatus.CANCELLED, ForumStatus.HELD])
def test_no_ask_button_for_a_cancelled_or_held_forum(db, client, published, forum, status):
    forum.status = status
    db.session.commit()

    block = text(client.get(f"/forums/{forum.id}")).split('id="questions"', 1)[1].split("</section>", 1)[0]

    assert 'id="ask-question"' not in block
    assert "Ce forum ne reçoit plus de questions." in block
    assert 'href="/questions/poser?departement=13"' in block


def test_no_ask_button_once_the_forum_day_is_past(db, client, create_forum, consultation):
    past = create_forum(status=ForumStatus.PUBLISHED, starts_at=datetime.now(UTC) - 2 * DAY)

    block = text(client.get(f"/forums/{past.id}")).split('id="questions"', 1)[1].split("</section>", 1)[0]

    assert 'id="ask-question"' not in block and "Aucune question n'est encore publiée pour ce forum." in block


def test_department_page_shows_the_three_latest_questions(client, published):
    page = text(client.get("/departements/13"))
    block = page.split('id="questions"', 1)[1].split("</section>", 1)[0]

    assert "5 questions publiées" in block
    assert re.findall(r'id="question-([\w-]+)"', block) == [published[name].reference
                                                           for name in ("html", "privee", "municipale")]
    assert 'href="/departements/13/questions"' in block and "Voir toutes les questions (5)" in block
    assert 'href="/questions/poser?departement=13"' in block


# --- One question ----------------------------------------------------------------------------------

def test_question_page_shows_the_question_and_its_support_button(client, published, forum):
    question = published["cambriolages"]
    response = client.get(f"/questions/{question.reference}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = text(response)
    assert f"Question n° {question.reference}" in page
    assert "Que fait la police contre les cambriolages ?<br>Deux maisons visitées en mars." in page
    assert "Marie de Puyricard" in page and "2 soutiens" in page
    assert f'href="/forums/{forum.id}"' in page and "Forum du pays d'Aix" in page
    assert f'action="/questions/{question.reference}/soutenir"' in page
    assert "Je soutiens cette question" in page
    assert "La préfecture n'a pas encore répondu" in page


def test_an_answer_is_shown_through_sanitised_markdown(db, client, published):
    question = published["video"]
    question.answer_text = "Nous **renforçons** les patrouilles.\n\n<script>alert(1)</script>[lien](javascript:x)"
    question.answered_at = START + 5 * DAY
    db.session.commit()

    response = client.get(f"/questions/{question.reference}")
    raw = body(response)

    assert "Réponse de la préfecture" in text(response)
    assert "<strong>renforçons</strong>" in raw
    assert "<script>alert(1)" not in raw and "javascript:" not in raw


def test_a_question_taken_up_at_a_forum_links_to_it(db, client, published, forum):
    question = published["video"]
    question.addressed_forum_id = forum.id
    question.addressed_at = forum.starts_at + timedelta(hours=2)
    db.session.commit()

    page = text(client.get(f"/questions/{question.reference}"))

    assert f"Traitée lors du forum du {unbreakable(forum_date(forum))}" in page
    assert f'lors du forum <a href="/forums/{forum.id}">Forum du pays d\'Aix</a> du {unbreakable(forum_date(forum))}' in page


@pytest.mark.parametrize("name", ["pending", "rejected"])
def test_a_question_not_published_does_not_exist_publicly(client, published, name):
    response = client.get(f"/questions/{published[name].reference}")

    assert response.status_code == 404
    assert "Aucune question publiée ne porte cette référence." in text(response)
    assert "Question en attente" not in text(response)


@pytest.mark.parametrize("reference", ["13-999999", "x" * 500, "%3Cscript%3E", "13-000001%0A"])
def test_an_unknown_reference_is_a_french_404(client, published, reference):
    response = client.get(f"/questions/{reference}")

    assert response.status_code == 404
    assert "Page non trouvée" in text(response)


def test_a_merged_question_leads_to_the_question_it_joined(db, client, published, create_question):
    original = published["cambriolages"]
    merged = create_question("Les cambriolages, que fait la police ?", status=QuestionStatus.MERGED,
                             merged_into_id=original.id)
    into_pending = create_question("Doublon d'une question en attente", status=QuestionStatus.MERGED,
                                   merged_into_id=published["pending"].id)

    response = client.get(f"/questions/{merged.reference}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/questions/{original.reference}"
    assert client.get(f"/questions/{into_pending.reference}").status_code == 404


# --- Supports --------------------------------------------------------------------------------------

def support(client, question):
    return client.post(f"/questions/{question.reference}/soutenir")


def test_supporting_counts_once_per_browser_and_sets_a_discreet_cookie(db, client, published, app):
    question = published["municipale"]

    first = support(client, question)
    again = support(client, question)
    page = text(client.get(f"/questions/{question.reference}"))

    assert first.status_code == 303 and first.headers["Location"] == f"/questions/{question.reference}"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{SUPPORTER_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=34128000" in cookie
    assert "Secure" not in cookie  # only in production, served over HTTPS
    assert "Set-Cookie" not in again.headers or SUPPORTER_COOKIE not in again.headers["Set-Cookie"]
    assert "1 soutien" in page and "Vous soutenez cette question." in page
    assert "Je soutiens cette question</button>" not in page
    assert db.session.scalar(select(Question.support_count).where(Question.id == question.id)) == 1


def test_the_citizen_is_told_whether_the_support_counted(client, published):
    question = published["municipale"]

    support(client, question)
    counted = text(client.get(f"/questions/{question.reference}"))
    support(client, question)
    repeated = text(client.get(f"/questions/{question.reference}"))

    assert "Votre soutien a été pris en compte" in counted
    assert "Vous soutenez déjà cette question" in repeated


def test_another_browser_counts_too(app, db, client, published):
    question = published["video"]

    support(client, question)
    support(new_client(app), question)

    assert db.session.scalar(select(Question.support_count).where(Question.id == question.id)) == 9


def test_a_forged_cookie_is_replaced_and_the_support_counted(db, client, published):
    client.set_cookie(SUPPORTER_COOKIE, "'; DROP TABLE question_supports; --")

    response = support(client, published["municipale"])

    assert re.match(rf"{SUPPORTER_COOKIE}=[A-Za-z0-9_-]{{43}};", response.headers["Set-Cookie"])
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 1


@pytest.mark.parametrize("name", ["pending", "rejected"])
def test_a_question_not_published_cannot_be_supported(db, client, published, name):
    response = support(client, published[name])

    assert response.status_code == 404
    assert "Seule une question publiée peut être soutenue" in text(response)
    assert "Set-Cookie" not in response.headers
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 0


def test_supports_close_with_the_consultation(db, client, published):
    question = published["municipale"]
    question.consultation.is_current = False
    db.session.commit()

    page = text(client.get(f"/questions/{question.reference}"))
    response = support(client, question)

    assert "les soutiens ne sont plus recueillis" in page
    assert "Je soutiens cette question</button>" not in page
    assert response.status_code == 409
    assert "La consultation est close" in text(response)
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 0


def test_supporting_without_the_form_token_is_refused(db, published, other_app):
    guarded = other_app(WTF_CSRF_ENABLED=True)
    browser = new_client(guarded)

    response = browser.post(f"/questions/{published['video'].reference}/soutenir")

    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'a pas été envoyé depuis ce site." in text(response)
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 0


def test_supporting_with_the_form_token_works_when_csrf_is_on(db, published, other_app):
    guarded = other_app(WTF_CSRF_ENABLED=True)
    browser = new_client(guarded)
    question = published["video"]
    page = browser.get(f"/questions/{question.reference}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    response = browser.post(f"/questions/{question.reference}/soutenir", data={"csrf_token": token})

    assert response.status_code == 303
    assert db.session.scalar(select(Question.support_count).where(Question.id == question.id)) == 8


def test_supports_are_rate_limited_with_a_french_page(db, published, other_app):
    limited = other_app(SUPPORT_RATE_LIMIT="2 per hour")
    browser = new_client(limited)

    answers = [browser.post(f"/questions/{published[name].reference}/soutenir").status_code
               for name in ("video", "privee", "municipale")]
    refused = browser.post(f"/questions/{published['html'].reference}/soutenir")

    assert answers == [303, 303, 429]
    assert refused.status_code == 429 and "Trop de tentatives" in text(refused)
    assert db.session.scalar(select(_db.func.count(QuestionSupport.id))) == 2


def test_the_cookie_is_secure_in_production(db, published, other_app):
    production = other_app(ENV="production", SECRET_KEY="a-long-production-secret-for-the-test")
    browser = new_client(production)

    response = browser.post(f"/questions/{published['video'].reference}/soutenir", base_url="https://localhost")

    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


# --- Caching ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/departements/13/questions", "/departements/13/questions?q=police&theme=1"])
def test_lists_are_cacheable_and_set_no_cookie(client, published, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in first.headers
    assert "csrf_token" not in first.get_data(as_text=True)
    assert again.status_code == 304


def test_a_question_approved_through_the_orm_shows_at_once(db, client, published):
    first = client.get("/departements/13/questions")
    pending = published["pending"]

    pending.status = QuestionStatus.PUBLISHED
    pending.moderated_at = START + 10 * DAY
    db.session.commit()
    second = client.get("/departements/13/questions", headers={"If-None-Match": first.headers["ETag"]})

    assert pending.reference not in cards(first)
    assert second.status_code == 200
    assert cards(second)[0] == pending.reference


def test_a_support_refreshes_the_cached_count(client, published):
    question = published["municipale"]
    before = client.get("/departements/13/questions")

    support(new_client(client.application), question)
    after = client.get("/departements/13/questions", headers={"If-None-Match": before.headers["ETag"]})

    card = text(after).split(f'id="question-{question.reference}"', 1)[1].split('class="fr-card ', 1)[0]
    assert after.status_code == 200 and "1 soutien" in card


# --- Performance -----------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 15])
def test_list_pages_run_a_fixed_number_of_queries(db, client, create_question, forum, count, count_queries):
    for index in range(count):
        create_question(f"Question {index} sur les cambriolages", forum=forum, status=QuestionStatus.PUBLISHED,
                        display_name=f"Auteur {index}" if index % 2 else None, email=f"a{index}@example.fr",
                        addressed_forum_id=forum.id if index % 3 else None,
                        addressed_at=forum.starts_at if index % 3 else None)

    forum_url = f"/forums/{forum.id}/questions"
    with count_queries() as department_statements:
        department = client.get("/departements/13/questions?q=cambriolages&theme=1")
    with count_queries() as forum_statements:
        forum_page = client.get(forum_url)

    assert len(cards(department)) == len(cards(forum_page)) == count
    # Version; department with its region; current consultation; themes with sub-topics; count;
    # questions with department, forums and display name in one query (theme and sub-topic from the
    # themes already read).
    assert len(department_statements) == 6, department_statements
    # Version; forum with department and consultation; themes with sub-topics; count; questions.
    assert len(forum_statements) == 5, forum_statements


@pytest.mark.parametrize("count", [1, 10])
def test_forum_and_department_pages_with_questions_run_a_fixed_number_of_queries(
        db, client, create_question, forum, count, count_queries):
    for index in range(count):
        create_question(f"Question {index}", forum=forum, status=QuestionStatus.PUBLISHED, display_name="Nom")

    forum_url = f"/forums/{forum.id}"
    # Each page starts from an empty session, as a request of the server does.
    db.session.expunge_all()
    with count_queries() as forum_statements:
        client.get(forum_url)
    db.session.expunge_all()
    with count_queries() as department_statements:
        client.get("/departements/13")

    # The pages' own queries (see their tests), then the count, the latest questions and the
    # consultation's themes and sub-topics they show.
    assert len(forum_statements) == 10 + 3, forum_statements
    assert len(department_statements) == 8 + 3, department_statements


def test_question_page_runs_two_queries(client, published, count_queries):
    url = f"/questions/{published['cambriolages'].reference}"
    client.set_cookie(SUPPORTER_COOKIE, "a" * 43)

    with count_queries() as statements:
        response = client.get(url)

    assert response.status_code == 200
    # The question with everything it shows; whether this browser supports it.
    assert len(statements) == 2, statements


def test_the_cookie_page_lists_the_supporter_cookie(client, db):
    page = text(client.get("/gestion-des-cookies"))

    assert f"<code>{SUPPORTER_COOKIE}</code>" in page
    assert "Déposé seulement si vous soutenez une question" in page and "13 mois" in page
