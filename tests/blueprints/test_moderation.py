"""The moderation back office through the browser: the queue, decisions, edits, merges, answers, e-mails."""
import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import (
    AuditEvent, ForumStatus, MailStatus, OutgoingMail, Question, QuestionStatus, QuestionSupport, RejectionReason,
    Role,
)

from ..conftest import PASSWORD, free_port, new_client, paris_time

NOW = datetime.now(UTC)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def field_messages(page, field_id):
    """Return the error messages shown in the messages group of a field."""
    group = re.search(rf'id="{re.escape(field_id)}-messages"[^>]*>(.*?)</div>', page, re.S)
    assert group, f"no messages group for {field_id}"
    return re.findall(r'fr-message--error[^>]*>([^<]+)<', group.group(1))


def reload(db, question):
    db.session.expire_all()
    return db.session.get(Question, question.id)


def snapshot(db):
    """Return what a refused request must leave untouched: questions, supports, the audit log and the outbox."""
    db.session.expire_all()
    questions = [(q.id, q.status, q.public_text, q.answer_text, q.support_count, q.merged_into_id,
                  q.addressed_forum_id, q.rejection_reason)
                 for q in db.session.scalars(db.select(Question).order_by(Question.id))]
    count = db.func.count()
    return (questions, db.session.scalar(db.select(count).select_from(QuestionSupport)),
            db.session.scalar(db.select(count).select_from(AuditEvent)),
            db.session.scalar(db.select(count).select_from(OutgoingMail)))


def queue_rows(page):
    """Return the references listed in the queue, in order."""
    table = re.search(r'<table>(.*?)</table>', page, re.S)
    return re.findall(r'href="/moderation/questions/\d+">(\d\w?-\d{6})</a></td>', table.group(1)) if table else []


@pytest.fixture
def moderator(db, create_agent, login):
    agent = create_agent(Role.MODERATOR, department="13")
    agent.full_name = "Maud Modératrice"
    db.session.commit()
    login(agent)
    return agent


@pytest.fixture
def held_forum(create_forum):
    return create_forum(status=ForumStatus.HELD, title="Forum d'Aix-en-Provence", starts_at=paris_time(2009, 3, 17))


# --- the queue --------------------------------------------------------------------------------------

def test_moderators_land_on_their_queue(db, client, create_agent, login):
    response = login(create_agent(Role.MODERATOR, department="13"))
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/"
    response = client.get("/moderation/")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/departements/13"


def test_queue_shows_pending_questions_oldest_first_with_age_and_likely_duplicates(
        db, client, moderator, create_question, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED, title="Forum du canton d'Aix")
    original = create_question("Que fait la police contre les cambriolages à Aix ?",
                               submitted_at=NOW - timedelta(days=3))
    repeat = create_question("Que fait la police contre les cambriolages à Aix ?", forum=forum,
                             submitted_at=NOW - timedelta(hours=5))
    short = create_question("Caméras ?", submitted_at=NOW - timedelta(minutes=10))
    create_question("Déjà publiée sur les patrouilles de nuit.", status=QuestionStatus.PUBLISHED)
    create_question("Une question des Parisiens sur les caméras.", department="75")

    page = text(client.get("/moderation/departements/13"))
    assert queue_rows(page) == [original.reference, repeat.reference, short.reference]
    assert "3 questions en attente" in page
    assert "il y a 3 jours" in page and "il y a 5 heures" in page and "il y a moins d'une heure" in page
    row = re.search(rf'id="question-{repeat.id}">(.*?)</tr>', page, re.S).group(1)
    assert f"Doublon probable de <a href=\"/moderation/questions/{original.id}\">{original.reference}</a>" in row
    assert "Forum « Forum du canton d'Aix »" in row
    assert "Texte très court" in re.search(rf'id="question-{short.id}">(.*?)</tr>', page, re.S).group(1)
    assert f'<label class="fr-label" for="select-{repeat.id}"><span class="fr-sr-only">Sélectionner la question ' \
           f'{repeat.reference}</span></label>' in page
    assert re.search(r'id="nav-moderation"[^>]*aria-current="page">Modération <span[^>]*>3<span class="fr-sr-only"> '
                     r'questions en attente', page)


def test_queue_filters_by_theme_and_target(db, client, moderator, create_question, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED, title="Forum d'Aix")
    video = create_question("Combien de caméras dans le centre-ville ?", forum=forum)
    municipal = create_question("Les polices municipales seront-elles armées ?", subtopic="2.A.1")
    assert queue_rows(text(client.get("/moderation/departements/13?theme=2"))) == [municipal.reference]
    assert queue_rows(text(client.get(f"/moderation/departements/13?forum={forum.id}"))) == [video.reference]
    page = text(client.get("/moderation/departements/13?forum=departement&theme=1"))
    assert queue_rows(page) == [] and "Aucune question en attente (filtre appliqué)" in page
    assert f'<option selected value="{forum.id}">Forum d\'Aix – mardi 17 mars 2009</option>' in \
        text(client.get(f"/moderation/departements/13?forum={forum.id}"))


@pytest.mark.parametrize("query, message", [
    ("theme=9", "Thème : Thème inconnu : « 9 »."),
    ("forum=abc", "Destinataire : Forum inconnu dans ce département : « abc »."),
    ("page=deux", "Page : Le numéro de page doit être un nombre entier."),
    ("page=0", "Page : Le numéro de page commence à 1."),
])
def test_bad_filters_get_a_french_400(db, client, moderator, create_question, query, message):
    response = client.get(f"/moderation/departements/13?{query}")
    assert response.status_code == 400
    assert f"Filtre incorrect. {message}" in text(response)


def test_a_forum_of_another_department_is_not_a_filter(db, client, moderator, create_forum):
    paris = create_forum(department="75", cantons=["7501"], commune="75056", status=ForumStatus.PUBLISHED)
    response = client.get(f"/moderation/departements/13?forum={paris.id}")
    assert response.status_code == 400 and "Forum inconnu dans ce département" in text(response)


def test_queue_is_paginated_and_keeps_its_filters(db, client, moderator, create_question):
    for n in range(52):
        create_question(f"Question numéro {n} sur la sécurité du quartier.", subtopic="1.A.2",
                        submitted_at=NOW - timedelta(hours=100 - n))
    page = text(client.get("/moderation/departements/13?theme=1"))
    assert len(queue_rows(page)) == 50 and "page 1 sur 2" in page
    assert 'href="/moderation/departements/13?page=2&amp;theme=1"' in client.get(
        "/moderation/departements/13?theme=1").get_data(as_text=True)
    second = text(client.get("/moderation/departements/13?theme=1&page=2"))
    assert len(queue_rows(second)) == 2
    # Past the end (after decisions emptied the last page), the last page is shown.
    assert queue_rows(text(client.get("/moderation/departements/13?theme=1&page=9"))) == queue_rows(second)


def test_queue_runs_a_fixed_number_of_queries(db, client, moderator, create_question, create_forum, count_queries):
    forums = [create_forum(status=ForumStatus.PUBLISHED, title=f"Forum {n}", starts_at=paris_time(2009, 3, 17 + n))
              for n in range(3)]

    def add(count):
        # The same text every time: both pages show likely originals, which take their own queries.
        for n in range(count):
            create_question("Que fait la police contre les cambriolages à Aix ?",
                            forum=forums[n % 3], subtopic=("1.A.1", "2.A.2")[n % 2])

    def query_count():
        with count_queries() as statements:
            assert client.get("/moderation/departements/13").status_code == 200
        return len(statements)

    add(3)
    few = query_count()
    add(12)
    assert query_count() == few
    assert few <= 12, f"{few} queries for the queue"


def test_the_department_page_and_menu_show_the_pending_count(db, client, create_agent, login, create_question):
    create_question("Une question qui attend depuis longtemps.", submitted_at=NOW - timedelta(days=4, hours=1))
    create_question("Une question arrivée ce matin sur les caméras.", submitted_at=NOW - timedelta(hours=2))
    login(create_agent(Role.PREFECTURE, department="13"))
    page = text(client.get("/prefecture/departements/13"))
    assert "2 questions en attente de modération, la plus ancienne depuis 4 jours." in page
    assert 'href="/moderation/departements/13">File de modération</a>' in page
    assert re.search(r'id="nav-moderation" href="/moderation/departements/13">Modération <span', page)


def test_the_ministry_reads_the_queue_without_deciding(db, client, create_agent, login, create_question):
    question = create_question()
    login(create_agent(Role.MINISTRY))
    page = text(client.get("/moderation/departements/13"))
    assert queue_rows(page) == [question.reference]
    assert 'id="bulk-form"' not in page and "nav-moderation" not in page
    page = text(client.get(f"/moderation/questions/{question.id}"))
    assert 'id="actions"' not in page and "Publier la question" not in page


# --- deciding on one question -----------------------------------------------------------------------

def test_approve_flow(db, client, moderator, create_question):
    question = create_question(submitted_at=NOW - timedelta(days=2))
    following = create_question("Une autre question en attente, arrivée ensuite.", submitted_at=NOW - timedelta(days=1))
    page = text(client.get(f"/moderation/questions/{question.id}"))
    assert "En attente de modération" in page and "reçue il y a 2 jours" in page
    assert f'href="/moderation/questions/{following.id}">Question en attente suivante : {following.reference}' in page

    response = client.post(f"/moderation/questions/{question.id}/publier")
    assert response.status_code == 303 and response.headers["Location"] == f"/moderation/questions/{question.id}"
    assert reload(db, question).status is QuestionStatus.PUBLISHED
    page = text(client.get(f"/moderation/questions/{question.id}"))
    assert f"La question {question.reference} est publiée : elle apparaît sur le site." in page
    assert f'<a href="http://localhost/questions/{question.reference}">Voir la page publique</a>' in page
    assert "Maud Modératrice" in page and "État : En attente de modération → Publiée" in page
    assert "Publier la question" not in page


def test_approving_twice_is_a_conflict_not_an_error(db, client, moderator, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED)
    before = snapshot(db)
    response = client.post(f"/moderation/questions/{question.id}/publier")
    assert response.status_code == 409
    assert f"Seule une question en attente de modération peut être publiée : la question {question.reference} " \
           "est « publiée »." in text(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_reject_with_each_reason(db, client, moderator, create_question, reason):
    question = create_question()
    response = client.post(f"/moderation/questions/{question.id}/refuser",
                           data={"reject-reason": reason.value, "reject-note": "Merci de reformuler."})
    assert response.status_code == 303
    question = reload(db, question)
    assert question.status is QuestionStatus.REJECTED and question.rejection_reason is reason
    page = text(client.get(f"/moderation/questions/{question.id}"))
    assert f"La question {question.reference} ne sera pas publiée." in page
    assert f"Non publiée : {reason.label}" in page and "Précision donnée au citoyen : Merci de reformuler." in page
    assert f"Motif : — → {reason.label}" in page


def test_reject_errors_are_next_to_the_fields(db, client, moderator, create_question):
    question = create_question()
    before = snapshot(db)
    response = client.post(f"/moderation/questions/{question.id}/refuser", data={"reject-reason": ""})
    page = text(response)
    assert response.status_code == 422
    assert field_messages(page, "reject-reason") == ["Choisissez le motif de la charte de modération."]
    assert re.search(r'<select aria-describedby="reject-reason-messages" aria-invalid="true"', page)
    response = client.post(f"/moderation/questions/{question.id}/refuser",
                           data={"reject-reason": "doublon", "reject-original": "13-999999"})
    assert response.status_code == 422
    assert field_messages(text(response), "reject-original") == [
        "Aucune question de ce département ne porte la référence « 13-999999 »."]
    assert snapshot(db) == before


def test_reject_as_duplicate_of_an_earlier_question(db, client, moderator, create_question):
    original = create_question("Que fait-on contre les cambriolages ?", status=QuestionStatus.PUBLISHED)
    question = create_question("Que fait-on contre les cambriolages ?")
    response = client.post(f"/moderation/questions/{question.id}/refuser",
                           data={"reject-reason": "doublon", "reject-original": original.reference.lower()})
    assert response.status_code == 303
    assert reload(db, question).rejection_note == f"La même question a déjà été posée : {original.reference}."


def test_unpublish_a_published_question(db, client, moderator, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED)
    assert "Retirer la question du site" in text(client.get(f"/moderation/questions/{question.id}"))
    response = client.post(f"/moderation/questions/{question.id}/refuser",
                           data={"reject-reason": "mise_en_cause"}, follow_redirects=True)
    page = text(response)
    assert f"La question {question.reference} est retirée du site." in page
    assert "État : Publiée → Non publiée" in page
    assert reload(db, question).status is QuestionStatus.REJECTED


def test_edit_keeps_the_original_and_shows_the_change(db, client, moderator, create_question):
    original_text = "Mon voisin Jean Dupont se fait cambrioler : que fait la police ?"
    question = create_question(original_text)
    response = client.post(f"/moderation/questions/{question.id}/texte-public",
                           data={"edit-public_text": "Mon voisin se fait cambrioler : que fait la police ?"})
    assert response.status_code == 303
    question = reload(db, question)
    assert question.text == original_text
    assert question.public_text == "Mon voisin se fait cambrioler : que fait la police ?"
    raw = client.get(f"/moderation/questions/{question.id}").get_data(as_text=True)
    page = html.unescape(raw)
    assert f'id="original-text">{original_text}</p>' in page
    assert 'id="public-diff">Mon voisin<del><span class="fr-sr-only">[retiré : </span> Jean Dupont' \
           '<span class="fr-sr-only">]</span></del> se fait cambrioler' in page
    # The history shows the new text; the replaced one, with its personal data, stays out of the journal.
    assert "Texte public : [texte remplacé, non conservé au journal] → " \
           "Mon voisin se fait cambrioler : que fait la police ?" in page
    assert "Le texte public est modifié ; le texte d'origine reste conservé." in page


def test_edit_refuses_a_too_short_text_next_to_the_field(db, client, moderator, create_question):
    question = create_question()
    before = snapshot(db)
    response = client.post(f"/moderation/questions/{question.id}/texte-public", data={"edit-public_text": "Court."})
    assert response.status_code == 422
    assert field_messages(text(response), "edit-public_text") == [
        "Le texte public doit compter au moins 20 caractères."]
    assert re.search(r'<textarea [^>]*id="edit-public_text"[^>]*>\s*Court\.</textarea>', text(response)), \
        "what the moderator typed is kept"
    assert snapshot(db) == before


def test_html_in_texts_is_shown_escaped(db, client, moderator, create_question):
    question = create_question("<script>alert('x')</script> Que fait la police <b>ici</b> ?")
    raw = client.get(f"/moderation/questions/{question.id}").get_data(as_text=True)
    assert "<script>alert" not in raw and "&lt;script&gt;alert(" in raw and "<b>ici</b>" not in raw
    assert "&lt;script&gt;" in client.get("/moderation/departements/13").get_data(as_text=True)


def test_merge_flow(db, client, moderator, create_question):
    original = create_question("Que fait-on contre les cambriolages à Aix ?", status=QuestionStatus.PUBLISHED,
                               submitted_at=NOW - timedelta(days=2))
    duplicate = create_question("Que fait-on contre les cambriolages à Aix ?")
    db.session.add(QuestionSupport(question_id=original.id, supporter_hash="a"))
    original.support_count = 1
    db.session.commit()
    page = text(client.get(f"/moderation/questions/{duplicate.id}"))
    assert f"Doublon probable de la question <a href=\"/moderation/questions/{original.id}\">{original.reference}</a>" \
        in page
    assert re.search(rf'<input [^>]*name="merge-original"[^>]*value="{original.reference}"', page)

    response = client.post(f"/moderation/questions/{duplicate.id}/regrouper",
                           data={"merge-original": original.reference})
    assert response.status_code == 303
    assert reload(db, duplicate).status is QuestionStatus.MERGED
    assert reload(db, original).support_count == 2
    page = text(client.get(f"/moderation/questions/{duplicate.id}"))
    assert f"La question {duplicate.reference} est regroupée avec la question {original.reference}" in page
    assert f'Cette question est regroupée avec la question <a href="/moderation/questions/{original.id}">' in page
    assert f"Regroupée avec : — → {original.reference}" in page
    assert "Soutiens : 1 → 2" in text(client.get(f"/moderation/questions/{original.id}"))


def test_merge_into_an_unknown_reference_is_refused_next_to_the_field(db, client, moderator, create_question):
    question = create_question()
    paris = create_question(department="75", status=QuestionStatus.PUBLISHED)
    before = snapshot(db)
    for reference in ("13-999999", paris.reference):
        response = client.post(f"/moderation/questions/{question.id}/regrouper", data={"merge-original": reference})
        assert response.status_code == 422
        assert field_messages(text(response), "merge-original") == [
            "Aucune question de ce département ne porte cette référence."]
    response = client.post(f"/moderation/questions/{question.id}/regrouper", data={"merge-original": ""})
    assert field_messages(text(response), "merge-original") == [
        "Indiquez la référence de la question d'origine, par exemple 13-000012."]
    assert snapshot(db) == before


# --- bulk decisions ---------------------------------------------------------------------------------

def test_bulk_approve_and_reject(db, client, moderator, create_question):
    first, second, third = (create_question(f"Question {n} sur la sécurité de mon quartier.",
                                            submitted_at=NOW - timedelta(hours=10 - n)) for n in range(3))
    response = client.post("/moderation/departements/13/decisions?theme=1",
                           data={"question_ids": [str(first.id), str(second.id)], "action": "approve"})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/departements/13?theme=1"
    assert {reload(db, q).status for q in (first, second)} == {QuestionStatus.PUBLISHED}
    assert "2 questions publiées." in text(client.get("/moderation/departements/13"))

    response = client.post("/moderation/departements/13/decisions",
                           data={"question_ids": [str(third.id)], "action": "reject", "reason": "hors_sujet",
                                 "note": "Sans rapport."})
    assert response.status_code == 303
    third = reload(db, third)
    assert third.rejection_reason is RejectionReason.OFF_TOPIC and third.rejection_note == "Sans rapport."
    assert "1 question refusée." in text(client.get("/moderation/departements/13"))
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["question.approve", "question.approve", "question.reject"]


def test_bulk_errors_are_shown_on_the_queue(db, client, moderator, create_question):
    question = create_question()
    before = snapshot(db)
    response = client.post("/moderation/departements/13/decisions", data={"action": "approve"})
    assert response.status_code == 422 and "Sélectionnez au moins une question." in text(response)
    response = client.post("/moderation/departements/13/decisions",
                           data={"question_ids": [str(question.id)], "action": "reject"})
    page = text(response)
    assert response.status_code == 422
    assert field_messages(page, "reason") == ["Choisissez le motif de la charte de modération."]
    assert f'value="{question.id}" id="select-{question.id}" checked' in page, "the selection is kept"
    assert snapshot(db) == before


def test_bulk_is_all_or_nothing_when_a_colleague_decided_meanwhile(db, client, moderator, create_question):
    pending = create_question("Une question toujours en attente.")
    decided = create_question("Une question publiée entretemps par un collègue.", status=QuestionStatus.PUBLISHED)
    before = snapshot(db)
    response = client.post("/moderation/departements/13/decisions",
                           data={"question_ids": [str(pending.id), str(decided.id)], "action": "approve"})
    assert response.status_code == 409
    assert f"{decided.reference} a changé d'état entretemps. Aucune décision n'a été enregistrée." in text(response)
    assert snapshot(db) == before


def test_bulk_refuses_questions_of_another_department_or_unknown(db, client, moderator, create_question):
    paris = create_question(department="75")
    before = snapshot(db)
    for ids in ([str(paris.id)], ["999999"], ["abc"]):
        response = client.post("/moderation/departements/13/decisions", data={"question_ids": ids, "action": "approve"})
        assert response.status_code == 400
        assert "rechargez la file de modération" in text(response)
    assert snapshot(db) == before


# --- answers and forums -----------------------------------------------------------------------------

def test_answer_with_preview_then_publish(db, client, moderator, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED)
    markdown = "La police **renforce** ses patrouilles.\n\n<script>alert(1)</script>\n\n- le soir\n- le week-end"
    response = client.post(f"/moderation/questions/{question.id}/reponse",
                           data={"answer-answer": markdown, "answer-preview": "Prévisualiser"})
    raw = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aperçu de la réponse (non publiée)" in raw and "<strong>renforce</strong>" in raw
    assert "<script>alert(1)</script>" not in raw and "<li>le soir</li>" in raw
    assert reload(db, question).answer_text == ""

    response = client.post(f"/moderation/questions/{question.id}/reponse",
                           data={"answer-answer": markdown, "answer-publish": "Publier la réponse"})
    assert response.status_code == 303
    question = reload(db, question)
    assert question.answer_text == markdown.strip() and question.answered_at is not None
    raw = client.get(f"/moderation/questions/{question.id}").get_data(as_text=True)
    assert "La réponse est publiée." in html.unescape(raw)
    assert '<div class="fr-callout__text"><p>La police <strong>renforce</strong> ses patrouilles.</p>' in raw
    assert "<script>alert(1)</script>" not in raw and "Corriger la réponse" in html.unescape(raw)


def test_answer_is_refused_for_a_pending_question(db, client, moderator, create_question):
    question = create_question()
    before = snapshot(db)
    response = client.post(f"/moderation/questions/{question.id}/reponse",
                           data={"answer-answer": "Une réponse.", "answer-publish": "Publier la réponse"})
    assert response.status_code == 409
    assert "Seule une question publiée peut recevoir une réponse" in text(response)
    assert snapshot(db) == before


def test_mark_addressed_at_a_forum(db, client, moderator, create_question, create_forum, held_forum):
    create_forum(status=ForumStatus.PUBLISHED, title="Forum à venir", starts_at=NOW + timedelta(days=20),
                 cantons=["1306"], commune="13004")
    question = create_question(status=QuestionStatus.PUBLISHED)
    page = text(client.get(f"/moderation/questions/{question.id}"))
    assert f'<option value="{held_forum.id}">Forum d\'Aix-en-Provence – mardi 17 mars 2009</option>' in page
    assert "Forum à venir" not in page
    response = client.post(f"/moderation/questions/{question.id}/forum", data={"addressed-forum": str(held_forum.id)})
    assert response.status_code == 303
    assert reload(db, question).addressed_forum_id == held_forum.id
    page = text(client.get(f"/moderation/questions/{question.id}"))
    assert "Abordée lors du forum « Forum d'Aix-en-Provence » du mardi 17 mars 2009." in page

    response = client.post(f"/moderation/questions/{question.id}/forum", data={"addressed-forum": "abc"})
    assert response.status_code == 422
    assert field_messages(text(response), "addressed-forum") == [
        "Choisissez un forum du département pour cette consultation."]


def test_no_forum_yet(db, client, moderator, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED)
    assert "Aucun forum du département n'a encore eu lieu" in text(client.get(f"/moderation/questions/{question.id}"))


def test_the_email_address_is_never_shown(db, client, moderator, create_question):
    with_email = create_question(email="secret.citoyen@example.fr", display_name="Marie")
    without = create_question("Une question sans adresse électronique laissée.")
    page = text(client.get(f"/moderation/questions/{with_email.id}"))
    assert "secret.citoyen" not in page and "example.fr" not in page
    assert "il sera notifié par courriel" in page and "Marie" in page
    page = text(client.get(f"/moderation/questions/{without.id}"))
    assert "Pas d'adresse électronique : le citoyen suit sa question avec son lien personnel." in page
    assert "Anonyme" in page
    assert "secret.citoyen" not in text(client.get("/moderation/departements/13"))
    assert "secret.citoyen" not in text(client.get("/moderation/departements/13/questions"))


# --- the list of all questions ----------------------------------------------------------------------

def test_department_list_filters_by_state(db, client, moderator, create_question, held_forum):
    pending = create_question("Une question encore en attente de décision.", submitted_at=NOW - timedelta(days=3))
    waiting = create_question("Une question publiée qui attend sa réponse.", status=QuestionStatus.PUBLISHED,
                              submitted_at=NOW - timedelta(days=2))
    answered = create_question("Une question publiée et déjà répondue.", status=QuestionStatus.PUBLISHED,
                               answer_text="Réponse.", answered_at=NOW, submitted_at=NOW - timedelta(days=1))
    rejected = create_question("Une question refusée pour hors sujet.", status=QuestionStatus.REJECTED,
                               rejection_reason=RejectionReason.OFF_TOPIC)

    def listed(query=""):
        page = text(client.get(f"/moderation/departements/13/questions{query}"))
        return re.findall(r'href="/moderation/questions/\d+">(\d\w?-\d{6})</a>', page)

    assert listed() == [rejected.reference, answered.reference, waiting.reference, pending.reference]
    assert listed("?statut=published") == [answered.reference, waiting.reference]
    assert listed("?statut=a-repondre") == [waiting.reference]
    assert listed("?statut=rejected") == [rejected.reference]
    assert listed(f"?reference={pending.reference.lower()}") == [pending.reference]
    response = client.get("/moderation/departements/13/questions?statut=perdue")
    assert response.status_code == 400 and "État : État inconnu : « perdue »." in text(response)


# --- e-mails through a real SMTP server -------------------------------------------------------------

def smtp_browser(other_app, smtp_server, agent, **settings):
    """Return a browser logged in as ``agent`` on an app that sends its mail to the loopback server."""
    browser = new_client(other_app(**{**smtp_server.settings, **settings}))
    assert browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD}).status_code == 302
    return browser


def test_the_citizen_receives_the_answer(db, other_app, smtp_server, create_agent, create_question):
    agent = create_agent(Role.PREFECTURE, department="13")
    question = create_question(status=QuestionStatus.PUBLISHED, email="citoyen@example.fr",
                               submitted_at=paris_time(2009, 3, 20))
    browser = smtp_browser(other_app, smtp_server, agent)
    response = browser.post(f"/moderation/questions/{question.id}/reponse",
                            data={"answer-answer": "Les patrouilles sont **renforcées** le soir.",
                                  "answer-publish": "Publier la réponse"})
    assert response.status_code == 303
    [message] = smtp_server.messages
    assert message.envelope_recipients == ["citoyen@example.fr"]
    assert message["Subject"] == f"Réponse à votre question {question.reference}"
    body = message.get_content()
    assert f"Vous avez posé la question {question.reference} le 20 mars 2009." in body
    assert "Les patrouilles sont **renforcées** le soir." in body
    assert f"http://localhost/questions/{question.reference}" in body
    assert "utilisez le lien personnel reçu lors de son envoi" in body
    [mail] = db.session.scalars(db.select(OutgoingMail)).all()
    assert mail.status is MailStatus.SENT

    # A correction does not write again.
    browser.post(f"/moderation/questions/{question.id}/reponse",
                 data={"answer-answer": "Les patrouilles sont renforcées le soir et le week-end.",
                       "answer-publish": "Publier la réponse"})
    assert len(smtp_server.messages) == 1


def test_the_citizen_is_told_the_question_was_taken_up(db, other_app, smtp_server, create_agent, create_question,
                                                      held_forum):
    agent = create_agent(Role.MODERATOR, department="13")
    question = create_question(status=QuestionStatus.PUBLISHED, email="citoyen@example.fr")
    browser = smtp_browser(other_app, smtp_server, agent)
    response = browser.post(f"/moderation/questions/{question.id}/forum",
                            data={"addressed-forum": str(held_forum.id)})
    assert response.status_code == 303
    [message] = smtp_server.messages
    assert message["Subject"] == f"Votre question {question.reference} a été abordée lors d'un forum"
    assert "« Forum d'Aix-en-Provence » du 17 mars 2009 à Aix-en-Provence" in message.get_content()


def test_a_mail_server_down_loses_nothing(db, other_app, smtp_server, create_agent, create_question):
    agent = create_agent(Role.PREFECTURE, department="13")
    question = create_question(status=QuestionStatus.PUBLISHED, email="citoyen@example.fr")
    # Nothing listens on a port just found free: the connection is refused.
    browser = smtp_browser(other_app, smtp_server, agent, MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    response = browser.post(f"/moderation/questions/{question.id}/reponse",
                            data={"answer-answer": "La réponse de la préfecture.", "answer-publish": "Publier"})
    assert response.status_code == 303
    assert reload(db, question).answer_text == "La réponse de la préfecture."
    [mail] = db.session.scalars(db.select(OutgoingMail)).all()
    assert mail.status is MailStatus.PENDING and mail.last_error and smtp_server.messages == []


# --- forms are protected against forgery ------------------------------------------------------------

def test_a_decision_without_csrf_token_is_refused(db, other_app, create_agent, create_question):
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.MODERATOR, department="13")
    question = create_question()
    browser = new_client(protected)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/auth/login").get_data(as_text=True))
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token.group(1)})
    before = snapshot(db)
    response = browser.post(f"/moderation/questions/{question.id}/refuser", data={"reject-reason": "hors_sujet"})
    assert response.status_code == 400 and "formulaire a expiré" in text(response)
    assert snapshot(db) == before
    page = browser.get(f"/moderation/questions/{question.id}").get_data(as_text=True)
    token = re.search(r'name="reject-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = browser.post(f"/moderation/questions/{question.id}/refuser",
                            data={"reject-reason": "hors_sujet", "reject-csrf_token": token})
    assert response.status_code == 303
    assert reload(db, question).status is QuestionStatus.REJECTED
