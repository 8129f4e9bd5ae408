"""Asking a question through the public form: steps, every bad input, confirmation, replays, abuse, e-mail."""
import html
import logging
import re

import pytest

from forums.models import (
    ForumStatus, MailStatus, OutgoingMail, Question, QuestionContact, QuestionCounter, QuestionStatus,
)

from ..conftest import free_port, new_client, paris_time

TEXT = "Pourquoi les caméras de vidéo-protection du centre-ville ne couvrent-elles pas la gare routière ?"
FOLLOWUP = re.compile(r"/questions/suivi/([A-Za-z0-9_-]{43})\?nouvelle=1$")


def page_text(response):
    """Return the page, entities decoded, its layout whitespace squashed (non-breaking spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.get_data(as_text=True)))


def nonce_of(response):
    return re.search(r'id="nonce" name="nonce" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def form(subtopics, **changes):
    """Return the fields a citizen posts for a valid question to the department 13."""
    sub = subtopics["1.A.1"]
    fields = {"department_code": "13", "forum_id": "", "theme_id": str(sub.part.theme_id),
              "subtopic_id": str(sub.id), "text": TEXT, "place": "", "email": "", "display_name": "",
              "charter_accepted": "y", "website": "", "nonce": "", "confirmed": ""}
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


def question_count(db):
    return db.session.scalar(db.select(db.func.count()).select_from(Question))


def assert_nothing_written(db):
    db.session.expire_all()
    assert question_count(db) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionCounter)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionContact)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutgoingMail)) == 0


@pytest.fixture
def upcoming(create_forum):
    return create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17), title="Forum d'Aix")


# The pages before sending

def test_the_first_step_asks_for_the_department_below_the_emergency_notice(client, territories, consultation):
    response = client.get("/questions/poser")
    assert response.status_code == 200
    page = page_text(response)
    assert "En cas d'urgence, composez le 17 ou le 112" in page
    assert 'href="https://www.pre-plainte-en-ligne.gouv.fr/"' in page
    assert page.index("En cas d'urgence") < page.index('id="department-choice"')
    assert '<form method="get" action="/questions/poser" id="department-choice"' in page
    options = re.findall(r'<option value="([^"]*)">', page)
    assert options == ["", "13", "2A", "75", "972"]
    assert '<a class="fr-nav__link" href="/questions/poser" aria-current="page">Poser une question</a>' in page


def test_choosing_no_department_says_so_next_to_the_list(client, territories, consultation):
    page = page_text(client.get("/questions/poser?departement="))
    assert 'class="fr-select-group fr-select-group--error"' in page
    assert 'aria-invalid="true"' in page
    assert ('<p class="fr-message fr-message--error" id="departement-message-error">'
            'Choisissez votre département.</p>') in page


def test_the_form_of_a_department_offers_its_upcoming_forums(client, subtopics, create_forum, upcoming):
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17), title="Forum passé")
    create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2030, 3, 20), title="Forum annulé")
    create_forum(status=ForumStatus.DRAFT, starts_at=paris_time(2030, 3, 21), title="Forum brouillon")
    response = client.get("/questions/poser?departement=13")
    assert response.status_code == 200
    page = page_text(response)
    assert 'Département : <strong id="department-name">13 – Bouches-du-Rhône</strong>' in page
    forum_options = re.search(r'<select [^>]*id="forum_id".*?</select>', page).group(0)
    assert re.findall(r'<option [^>]*>([^<]*)</option>', forum_options) == [
        "La préfecture, sans forum particulier (13 – Bouches-du-Rhône)",
        "dimanche 17 mars 2030, 18 h 30 – Aix-en-Provence – Forum d'Aix",
    ]
    assert '<option selected value="">' in forum_options
    # Sub-topics grouped by theme, so that the list makes sense without JavaScript.
    assert re.findall(r'<optgroup label="([^"]+)" data-theme="\d+">', page) == [
        "La sécurité, un devoir vis-à-vis de nos concitoyens", "La sécurité, une responsabilité partagée"]
    assert page.count('type="radio" value=') == 2
    assert 'id="nonce" name="nonce" type="hidden" value="' in page
    assert 'name="csrf_token"' in page
    # The honeypot is out of sight and out of the keyboard order.
    assert re.search(r'<div class="fr-sr-only" aria-hidden="true">\s*<label for="website">.*?'
                     r'<input autocomplete="off" id="website" name="website" tabindex="-1" type="text" value="">', page)
    assert 'href="/charte-de-moderation"' in page and 'href="/donnees-personnelles"' in page
    assert "supprimés à la fin de la consultation" in page
    assert '<script type="module" src="/static/js/question-form.js"></script>' in page


def test_two_visits_get_two_nonces(client, subtopics, territories):
    first, second = (nonce_of(client.get("/questions/poser?departement=13")) for _ in range(2))
    assert first != second


def test_coming_from_a_forum_page_preselects_the_forum(client, subtopics, upcoming):
    page = page_text(client.get(f"/questions/poser?forum={upcoming.id}"))
    assert f'<option selected value="{upcoming.id}">' in page
    assert 'id="department_code" name="department_code" type="hidden" value="13"' in page


@pytest.mark.parametrize("status, notice", [
    (ForumStatus.CANCELLED, "Le forum « Forum d'Aix » est annulé. Vous pouvez adresser votre question à la "
                            "préfecture du département : elle y répondra."),
    (ForumStatus.HELD, "Le forum « Forum d'Aix » a eu lieu le mardi 17 mars 2009. Vous pouvez adresser votre "
                       "question à la préfecture du département : elle y répondra."),
])
def test_coming_from_a_closed_forum_offers_its_department(client, subtopics, create_forum, status, notice):
    forum = create_forum(status=status, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")
    page = page_text(client.get(f"/questions/poser?forum={forum.id}"))
    assert notice in page
    forum_options = re.search(r'<select [^>]*id="forum_id".*?</select>', page).group(0)
    assert '<option selected value="">' in forum_options
    assert f'value="{forum.id}"' not in forum_options


@pytest.mark.parametrize("query", ["forum=abc", "forum=999999", "forum=%s", "departement=99", "departement=13x"])
def test_unknown_targets_are_404_in_french(client, subtopics, create_forum, query):
    draft = create_forum(status=ForumStatus.DRAFT, starts_at=paris_time(2030, 3, 17))
    response = client.get("/questions/poser?" + query.replace("%s", str(draft.id)))
    assert response.status_code == 404
    assert "Page non trouvée" in page_text(response)


def test_a_forum_of_another_consultation_is_404(client, subtopics, create_forum, db):
    from forums.models import Consultation
    old = Consultation(slug="2008", name="Ancienne", meetings_start_on=paris_time(2008, 3, 1).date(),
                       meetings_end_on=paris_time(2008, 5, 1).date(), synthesis_due_on=paris_time(2008, 5, 10).date())
    db.session.add(old)
    forum = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17), consultation=old)
    assert client.get(f"/questions/poser?forum={forum.id}").status_code == 404


def test_without_a_consultation_the_page_says_so(client, territories):
    response = client.get("/questions/poser")
    assert response.status_code == 200
    assert "Aucune consultation en cours" in page_text(response)
    assert 'id="question-form"' not in page_text(response)


# The form page, rendered once per target

def csrf_token_of(response):
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_form_page_is_rendered_once_then_served_with_a_nonce_per_visitor(client, subtopics, territories,
                                                                             count_queries):
    with count_queries() as rendering:
        first_page = client.get("/questions/poser?departement=13")
    with count_queries() as served:
        second_page = new_client(client.application).get("/questions/poser?departement=13")
    assert len(rendering) > 3
    assert len(served) == 1, "only the publication version (read at most once a second outside the tests)"
    assert nonce_of(first_page) != nonce_of(second_page)
    assert csrf_token_of(first_page) != csrf_token_of(second_page)

    def without_tokens(page):
        return page_text(page).replace(nonce_of(page), "N").replace(csrf_token_of(page), "T")
    assert without_tokens(second_page) == without_tokens(first_page)


def test_a_form_page_from_the_cache_carries_a_csrf_token_for_its_visitor_only(other_app, db, subtopics, territories):
    protected = other_app(WTF_CSRF_ENABLED=True)
    first, second = new_client(protected), new_client(protected)
    first_page = first.get("/questions/poser?departement=13")
    second_page = second.get("/questions/poser?departement=13")
    assert csrf_token_of(first_page) != csrf_token_of(second_page)
    fields = form(subtopics, nonce=nonce_of(second_page), csrf_token=csrf_token_of(second_page))
    assert first.post("/questions/poser", data=fields).status_code == 400
    assert second.post("/questions/poser", data=fields).status_code == 303
    assert question_count(db) == 1


def test_each_department_and_forum_has_its_own_form_page(client, subtopics, territories, upcoming):
    assert 'value="13"' in client.get("/questions/poser?departement=13").get_data(as_text=True)
    assert 'id="department_code" name="department_code" type="hidden" value="2A"' in \
        client.get("/questions/poser?departement=2A").get_data(as_text=True)
    assert f'<option selected value="{upcoming.id}">' in page_text(client.get(f"/questions/poser?forum={upcoming.id}"))
    assert f'<option selected value="{upcoming.id}">' not in page_text(client.get("/questions/poser?departement=13"))
    assert client.get("/questions/poser?departement=99").status_code == 404


def test_a_forum_published_after_the_page_was_rendered_is_offered(client, subtopics, create_forum, territories):
    assert "Forum de Salon" not in page_text(client.get("/questions/poser?departement=13"))
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 4, 2), title="Forum de Salon")
    assert "Forum de Salon" in page_text(client.get("/questions/poser?departement=13"))


def test_an_agent_gets_the_form_page_rendered_for_them_and_nobody_else_does(
        client, subtopics, create_agent, login, db):
    agent = create_agent("moderator", department="13", second_factor=False)
    login(agent)
    assert "Se déconnecter" in page_text(client.get("/questions/poser?departement=13"))
    assert "Se déconnecter" not in page_text(new_client(client.application).get("/questions/poser?departement=13"))
    assert "Se déconnecter" in page_text(client.get("/questions/poser?departement=13"))


def test_a_message_waiting_for_a_visitor_is_shown_to_them_only(client, subtopics, territories):
    client.get("/questions/poser?departement=13")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Message pour ce visiteur seulement")]
    assert "Message pour ce visiteur seulement" in page_text(client.get("/questions/poser?departement=13"))
    assert "Message pour ce visiteur seulement" not in page_text(
        new_client(client.application).get("/questions/poser?departement=13"))


# Sending

def test_a_question_goes_from_the_form_to_its_follow_up_page(client, db, subtopics, upcoming):
    nonce = nonce_of(client.get(f"/questions/poser?forum={upcoming.id}"))
    response = client.post("/questions/poser", data=form(subtopics, forum_id=str(upcoming.id), nonce=nonce,
                                                         place="Arles", display_name="Jeanne"))
    assert response.status_code == 303
    token = FOLLOWUP.search(response.headers["Location"]).group(1)
    question = db.session.scalar(db.select(Question))
    assert question.followup_token_hash == Question.hash_token(token)
    assert (question.reference, question.status) == ("13-000001", QuestionStatus.PENDING)
    assert question.forum_id == upcoming.id
    assert (question.commune_code, question.postal_code) == ("13004", None)
    assert question.contact.display_name == "Jeanne"

    page = page_text(client.get(response.headers["Location"]))
    assert "Votre question a bien été envoyée" in page
    assert "Elle est enregistrée sous la référence <strong>13-000001</strong>" in page
    assert "dans un délai de 10 jours ouvrés" in page
    assert "accusé de réception" not in page  # no e-mail was given
    assert f'value="http://localhost/questions/suivi/{token}"' in page
    assert TEXT in page


def test_a_question_is_checked_and_saved_in_five_statements(client, db, subtopics, territories, count_queries):
    fields = form(subtopics, nonce=nonce_of(client.get("/questions/poser?departement=13")))
    with count_queries() as statements:
        response = client.post("/questions/poser", data=fields)
    assert response.status_code == 303
    # The consultation, department and sub-topic; duplicate candidates; the counter; the question; its keys.
    assert len(statements) == 5, statements


def test_every_field_error_is_french_and_tied_to_its_field(client, db, subtopics, territories):
    response = client.post("/questions/poser", data=form(subtopics, theme_id="", subtopic_id="", text="Court",
                                                         email="pas-une-adresse", charter_accepted=None))
    assert response.status_code == 200
    page = page_text(response)
    assert "Votre question n'est pas envoyée" in page
    for field, message in [
        ("theme_id", "Choisissez le thème de votre question."),
        ("subtopic_id", "Choisissez le sous-thème de votre question."),
        ("text", "Votre question doit compter au moins 20 caractères (elle en compte 5) : précisez-la."),
        ("email", "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr, ou laissez ce "
                  "champ vide."),
        ("charter_accepted", "Acceptez la charte de modération pour envoyer votre question."),
    ]:
        assert f'<p class="fr-message fr-message--error" id="{field}-message-error">{message}</p>' in page, field
        assert (f'aria-describedby="{field}-messages"' in page
                or f'aria-labelledby="{field}-legend {field}-messages"' in page)
    assert 'class="fr-input-group fr-input-group--error"' in page
    assert 'class="fr-fieldset fr-fieldset--error" id="theme_id"' in page
    assert "<title>Erreur – Poser une question – Forums de sécurité</title>" in page
    assert_nothing_written(db)


def test_what_was_typed_is_kept_after_an_error(client, db, subtopics, territories):
    sub = subtopics["1.A.2"]
    page = page_text(client.post("/questions/poser", data=form(
        subtopics, subtopic_id=str(sub.id), place="13100", email="jeanne@exemple.fr", display_name="Jeanne",
        charter_accepted=None)))
    assert f'<option value="{sub.id}" selected>Fichiers de police</option>' in page
    assert f'checked id="theme_id-0" name="theme_id" type="radio" value="{sub.part.theme_id}"' in page
    assert f"{TEXT}</textarea>" in page
    assert 'value="jeanne@exemple.fr"' in page and 'value="Jeanne"' in page and 'value="13100"' in page


@pytest.mark.parametrize("changes, field, message", [
    ({"theme_id": "abc"}, "theme_id", "Ce thème n'existe pas : choisissez l'un des thèmes proposés."),
    ({"theme_id": "999999"}, "theme_id",
     "Ce thème n'existe pas dans la consultation en cours : choisissez l'un des thèmes proposés."),
    ({"subtopic_id": "1 OR 1=1"}, "subtopic_id",
     "Ce sous-thème n'existe pas : choisissez l'un des sous-thèmes proposés."),
    ({"subtopic_id": "2.A.1"}, "subtopic_id",
     "Le sous-thème « Polices municipales » relève d'un autre thème : choisissez un sous-thème du thème "
     "« La sécurité, un devoir vis-à-vis de nos concitoyens », ou changez de thème."),
    ({"forum_id": "x"}, "forum_id", "Ce forum n'existe pas : choisissez un forum de la liste."),
    ({"forum_id": "cancelled"}, "forum_id",
     "Ce forum est annulé. Adressez votre question au département : la préfecture y répondra."),
    ({"forum_id": "other-consultation"}, "forum_id",
     "Ce forum n'existe pas dans la consultation en cours : choisissez un forum de la liste, ou adressez votre "
     "question au département."),
    ({"text": "x" * 2001}, "text",
     "Votre question ne doit pas dépasser 2\u202f000 caractères (elle en compte 2\u202f001) : résumez-la."),
    ({"text": "  <b>court</b>  "}, "text",
     "Votre question doit compter au moins 20 caractères (elle en compte 12) : précisez-la."),
    ({"place": "1310"}, "place", "Un code postal compte cinq chiffres, par exemple 13100."),
    ({"display_name": "x" * 81}, "display_name",
     "Le nom affiché ne doit pas dépasser 80 caractères (il en compte 81)."),
])
def test_bad_input_gets_a_french_message_and_writes_nothing(client, db, subtopics, create_forum, changes, field,
                                                            message):
    from forums.models import Consultation
    if changes.get("subtopic_id") == "2.A.1":
        changes = {"subtopic_id": str(subtopics["2.A.1"].id)}
    if changes.get("forum_id") == "cancelled":
        changes = {"forum_id": str(create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2030, 3, 17)).id)}
    if changes.get("forum_id") == "other-consultation":
        old = Consultation(slug="2008", name="Ancienne", meetings_start_on=paris_time(2008, 3, 1).date(),
                           meetings_end_on=paris_time(2008, 5, 1).date(),
                           synthesis_due_on=paris_time(2008, 5, 10).date())
        db.session.add(old)
        changes = {"forum_id": str(create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17),
                                                consultation=old).id)}
    response = client.post("/questions/poser", data=form(subtopics, **changes))
    assert response.status_code == 200
    assert f'id="{field}-message-error">{message}</p>' in page_text(response)
    assert_nothing_written(db)


@pytest.mark.parametrize("department", [None, "", "99", "<script>"])
def test_a_post_without_a_known_department_is_a_400_page(client, db, subtopics, territories, department):
    response = client.post("/questions/poser", data=form(subtopics, department_code=department))
    assert response.status_code == 400
    assert "Le département auquel s'adresse votre question manque ou n'existe pas." in page_text(response)
    assert_nothing_written(db)


def test_html_in_every_field_is_stored_as_text_and_shown_escaped(client, db, subtopics, territories):
    script = "<script>alert('x')</script>"
    text = f"{script} Que fait la police contre les <b>cambriolages</b> dans notre quartier ?"
    response = client.post("/questions/poser", data=form(subtopics, text=text, display_name=f"<i>Jeanne</i>{script}",
                                                         confirmed=None))
    assert response.status_code == 303
    question = db.session.scalar(db.select(Question))
    assert question.text == text
    assert question.contact.display_name == f"<i>Jeanne</i>{script}"
    raw = client.get(response.headers["Location"]).get_data(as_text=True)
    assert script not in raw and "<b>cambriolages</b>" not in raw and "<i>Jeanne</i>" not in raw
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Que fait la police contre les &lt;b&gt;" in raw

    # Refused input is escaped too when the form comes back.
    raw = client.post("/questions/poser", data=form(subtopics, text=script, place=script, email=script,
                                                    display_name=script, charter_accepted=None)).get_data(as_text=True)
    assert script not in raw
    assert raw.count("&lt;script&gt;") >= 4


def test_a_missing_csrf_token_is_a_400_page_and_a_real_one_works(other_app, db, subtopics, territories):
    browser = new_client(other_app(WTF_CSRF_ENABLED=True))
    response = browser.post("/questions/poser", data=form(subtopics))
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'a pas été envoyé depuis ce site." in page_text(response)
    assert_nothing_written(db)
    page = browser.get("/questions/poser?departement=13").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post("/questions/poser", data=form(subtopics, csrf_token=token)).status_code == 303
    assert question_count(db) == 1


# Confirmation

def test_a_very_short_text_is_sent_after_confirmation(client, db, subtopics, territories):
    response = client.post("/questions/poser", data=form(subtopics, text="Plus de police la nuit à Arles ?"))
    assert response.status_code == 200
    page = page_text(response)
    assert "Votre question est très courte" in page
    assert "Votre question compte moins de 10 mots." in page
    assert '<button type="submit" class="fr-btn" id="confirm-button">Envoyer quand même</button>' in page
    confirmed = re.search(r'id="confirmed" name="confirmed" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert question_count(db) == 0

    # A confirmation holds for its text only: a different short text is checked again.
    again = page_text(client.post("/questions/poser", data=form(
        subtopics, text="Plus de police la nuit à Aix ?", confirmed=confirmed)))
    assert "Votre question est très courte" in again
    assert question_count(db) == 0

    response = client.post("/questions/poser", data=form(
        subtopics, text="Plus de police la nuit à Arles ?", confirmed=confirmed))
    assert response.status_code == 303
    assert db.session.scalar(db.select(Question.text)) == "Plus de police la nuit à Arles ?"


def test_a_text_already_published_points_to_the_question_to_support(client, db, subtopics, create_question):
    db.session.add(QuestionCounter(department_code="13", last_number=500))
    published = create_question(TEXT.lower(), status=QuestionStatus.PUBLISHED)
    response = client.post("/questions/poser", data=form(subtopics))
    page = page_text(response)
    assert "Cette question a peut-être déjà été posée" in page
    assert f'<a href="/questions/{published.reference}">Question {published.reference}</a>' in page
    assert "vous pouvez soutenir l'une d'elles" in page
    assert "Votre question est très courte" not in page
    confirmed = re.search(r'name="confirmed" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    response = client.post("/questions/poser", data=form(subtopics, confirmed=confirmed))
    assert response.status_code == 303
    assert db.session.scalar(db.select(Question.reference).where(Question.id != published.id)) == "13-000501"


# Replays, honeypot, rate limit

def test_a_form_posted_twice_makes_one_question(client, db, subtopics, territories):
    nonce = nonce_of(client.get("/questions/poser?departement=13"))
    first = client.post("/questions/poser", data=form(subtopics, nonce=nonce))
    second = client.post("/questions/poser", data=form(subtopics, nonce=nonce))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert question_count(db) == 1
    assert db.session.scalar(db.select(QuestionCounter.last_number)) == 1
    # Another visit of the form is another question, even with the same words.
    nonce = nonce_of(client.get("/questions/poser?departement=13"))
    third = client.post("/questions/poser", data=form(subtopics, nonce=nonce))
    assert third.headers["Location"] != first.headers["Location"]
    assert question_count(db) == 2


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client, db, subtopics, territories, caplog):
    with caplog.at_level(logging.WARNING, logger="forums.questions"):
        response = client.post("/questions/poser", data=form(subtopics, website="http://spam.example",
                                                             email="victime@exemple.fr"))
    # Answered as a real question is, a 303 to a follow-up link of the same shape: the robot learns nothing.
    assert response.status_code == 303
    assert re.fullmatch(r"/questions/suivi/[A-Za-z0-9_-]{43}\?nouvelle=1", response.headers["Location"])
    thanked = client.get(response.headers["Location"])
    assert thanked.status_code == 200
    assert "Merci pour votre participation" in page_text(thanked)
    assert_nothing_written(db)
    assert [r.getMessage() for r in caplog.records if r.name == "forums.questions"] == [
        "question honeypot filled: ip=127.0.0.1 department=13"]


def test_submissions_are_rate_limited_with_a_french_page(other_app, db, subtopics, territories):
    browser = new_client(other_app(QUESTION_RATE_LIMIT="2 per hour"))
    statuses = [browser.post("/questions/poser", data=form(subtopics, text=f"{TEXT} ({n})")).status_code
                for n in range(3)]
    assert statuses == [303, 303, 429]
    refused = browser.post("/questions/poser", data=form(subtopics, text=f"{TEXT} (4)"))
    assert refused.status_code == 429
    assert "Trop de tentatives" in page_text(refused)
    assert question_count(db) == 2
    # Reading the form is not limited; another address is counted apart.
    assert browser.get("/questions/poser?departement=13").status_code == 200
    assert browser.post("/questions/poser", data=form(subtopics, text=f"{TEXT} (5)"),
                        environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 303


# E-mail

def test_the_acknowledgement_reaches_the_smtp_server(other_app, db, subtopics, upcoming, smtp_server):
    browser = new_client(other_app(**smtp_server.settings))
    response = browser.post("/questions/poser", data=form(subtopics, forum_id=str(upcoming.id),
                                                          email="jeanne.martin@exemple.fr"))
    assert response.status_code == 303
    token = FOLLOWUP.search(response.headers["Location"]).group(1)
    [message] = smtp_server.messages
    assert message.envelope_recipients == ["jeanne.martin@exemple.fr"]
    assert message["To"] == "jeanne.martin@exemple.fr"
    assert message["Subject"] == "Votre question a bien été reçue – référence 13-000001"
    body = message.get_content()
    assert f"http://localhost/questions/suivi/{token}" in body
    assert "Adressée à : le forum « Forum d'Aix » du dimanche 17 mars 2030, 18 h 30 à Aix-en-Provence" in body
    assert "En cas d'urgence, composez le 17 ou le 112." in body
    mail = db.session.scalar(db.select(OutgoingMail))
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 1)
    page = page_text(browser.get(response.headers["Location"]))
    assert "Un accusé de réception contenant le lien de suivi vous est envoyé par courriel." in page
    assert "jeanne.martin@exemple.fr" not in page


def test_a_mail_server_that_is_down_loses_no_question(other_app, db, subtopics, territories):
    down = other_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    browser = new_client(down)
    response = browser.post("/questions/poser", data=form(subtopics, email="jeanne@exemple.fr"))
    assert response.status_code == 303
    db.session.expire_all()
    question = db.session.scalar(db.select(Question))
    assert question.reference == "13-000001"
    mail = db.session.scalar(db.select(OutgoingMail))
    assert (mail.status, mail.attempts, mail.question_id) == (MailStatus.PENDING, 1, question.id)
    assert mail.last_error
    followup = browser.get(response.headers["Location"])
    assert followup.status_code == 200
    assert "13-000001" in page_text(followup)


def test_an_unexpected_mail_error_still_shows_the_reference(client, db, subtopics, territories, monkeypatch,
                                                            caplog):
    def broken(mails):
        raise RuntimeError("mail configuration broken")

    monkeypatch.setattr("forums.blueprints.public.questions.send_mails", broken)
    with caplog.at_level(logging.ERROR, logger="forums.questions"):
        response = client.post("/questions/poser", data=form(subtopics, email="jeanne@exemple.fr"))
    assert response.status_code == 303
    assert "13-000001" in page_text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.scalar(db.select(OutgoingMail.status)) is MailStatus.PENDING
    assert [r.getMessage() for r in caplog.records if r.name == "forums.questions"] == [
        "acknowledgement of 13-000001 not sent now; it stays in the outbox"]


# Navigation

def test_the_site_links_the_form_and_the_charter(client, territories):
    page = page_text(client.get("/plan-du-site"))
    assert '<li><a href="/questions/poser">Poser une question</a></li>' in page
    assert '<li><a href="/charte-de-moderation">Charte de modération</a></li>' in page
    footer = re.search(r'<footer class="fr-footer".*?</footer>', page).group(0)
    assert 'publiées selon la <a href="/charte-de-moderation">charte de modération</a>' in footer
    assert '<a class="fr-nav__link" href="/questions/poser">Poser une question</a>' in page
