"""The private follow-up page in every state of a question, its privacy headers, and the moderation charter."""
import html
import re
from datetime import UTC, datetime

import pytest

from forums.models import ForumStatus, QuestionStatus, RejectionReason
from forums.services.questions import REJECTION_EXPLANATIONS

from ..conftest import paris_time

PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


def page_text(response):
    """Return the page, entities decoded, its layout whitespace squashed (non-breaking spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.get_data(as_text=True)))


def timeline(response):
    """Return the ids of the timeline's steps, in order."""
    block = re.search(r'<ol class="fr-mb-4w" id="timeline">(.*?)</ol>', response.get_data(as_text=True), re.S).group(1)
    return re.findall(r'<li class="fr-mb-3w" id="step-([a-z_]+)">', block)


def followup(client, question, query=""):
    return client.get(f"/questions/suivi/{question.followup_token}{query}")


def test_a_pending_question_shows_its_summary_and_what_comes_next(client, create_question, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17), title="Forum d'Aix")
    question = create_question("Que fait la police\ncontre les cambriolages ?", forum=forum,
                               submitted_at=paris_time(2030, 3, 1, 9, 15))
    response = followup(client, question)
    assert response.status_code == 200
    page = page_text(response)
    assert f"<h1>Suivi de votre question {question.reference}</h1>" in page
    assert '<span class="fr-badge fr-badge--new" id="question-status">En attente de modération</span>' in page
    assert "vendredi\xa01er\xa0mars\xa02030, 9\xa0h\xa015" in page
    assert "le forum « Forum d'Aix » du dimanche 17 mars 2030, 18 h 30 à Aix-en-Provence" in page
    assert "Vidéo-protection" in page
    assert "Que fait la police<br>contre les cambriolages ?" in page
    assert "<dd class=\"fr-mb-2w\">Anonyme</dd>" in page
    assert timeline(response) == ["received", "moderation"]
    assert "Délai prévu : 10 jours ouvrés." in page
    assert f'value="http://localhost/questions/suivi/{question.followup_token}" readonly' in page
    assert "Votre question a bien été envoyée" not in page
    assert "En cas d'urgence, composez le 17 ou le 112" in page


def test_the_page_is_private(client, create_question):
    response = followup(client, create_question())
    for name, value in PRIVATE.items():
        assert response.headers[name] == value
    assert "ETag" not in response.headers


@pytest.mark.parametrize("token", ["test-token-999", "x" * 43, "a", "x" * 300, "%3Cscript%3E"])
def test_a_forged_token_is_a_private_404_in_french(client, create_question, token):
    create_question()
    response = client.get(f"/questions/suivi/{token}")
    assert response.status_code == 404
    assert "Ce lien de suivi ne correspond à aucune question." in page_text(response)
    for name, value in PRIVATE.items():
        assert response.headers[name] == value


def test_the_acknowledgement_shows_once_with_the_email_sentence_only_when_given(client, create_question):
    anonymous = create_question()
    reachable = create_question("Les patrouilles de nuit sont-elles prévues à Rognac cet été ?",
                                email="jeanne@exemple.fr", display_name="Jeanne")
    page = page_text(followup(client, anonymous, "?nouvelle=1"))
    assert "Votre question a bien été envoyée" in page
    assert "Conservez l'adresse de cette page" in page
    assert "accusé de réception" not in page
    page = page_text(followup(client, reachable, "?nouvelle=1"))
    assert "Un accusé de réception contenant le lien de suivi vous est envoyé par courriel." in page
    assert "jeanne@exemple.fr" not in page
    assert "Sous le nom « Jeanne »" in page


def test_a_published_question_links_to_its_public_page(client, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED, moderated_at=datetime(2030, 3, 2, 10, tzinfo=UTC))
    response = followup(client, question)
    page = page_text(response)
    assert '<span class="fr-badge fr-badge--success" id="question-status">Publiée</span>' in page
    assert timeline(response) == ["received", "published", "awaiting_answer"]
    assert f'<a href="/questions/{question.reference}">Voir la question publiée</a>' in page
    assert 'id="public-text"' not in page


def test_an_edited_question_shows_the_published_text_beside_the_original(client, create_question):
    question = create_question("J'ai vu M. Durand voler un vélo rue des Lilas, que fait la police ?",
                               public_text="J'ai vu une personne voler un vélo, que fait la police ?",
                               status=QuestionStatus.PUBLISHED)
    page = page_text(followup(client, question))
    assert "J'ai vu M. Durand voler un vélo rue des Lilas" in page
    assert "J'ai vu une personne voler un vélo, que fait la police ?" in page
    assert "des informations personnelles ont été retirées du texte publié" in page


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_each_charter_reason_reaches_the_follow_up_page(client, create_question, reason):
    question = create_question(status=QuestionStatus.REJECTED, rejection_reason=reason,
                               rejection_note="Votre message <b>cite</b> un voisin.",
                               moderated_at=datetime(2030, 3, 3, tzinfo=UTC))
    response = followup(client, question)
    page = page_text(response)
    assert timeline(response) == ["received", "rejected"]
    assert '<span class="fr-badge fr-badge--error" id="question-status">Non publiée</span>' in page
    assert f'Motif : <strong id="rejection-reason">{reason.label}</strong>' in page
    assert REJECTION_EXPLANATIONS[reason] in page
    assert "Votre message &lt;b&gt;cite&lt;/b&gt; un voisin." in response.get_data(as_text=True)
    assert 'href="/charte-de-moderation"' in page


def test_a_merged_question_links_to_the_original_and_shows_its_answer(client, create_question):
    original = create_question("Quand la gendarmerie fera-t-elle des patrouilles à Rognac la nuit ?",
                               status=QuestionStatus.PUBLISHED, answered_at=datetime(2030, 3, 25, tzinfo=UTC),
                               answer_text="Des patrouilles **renforcées** dès avril.\n\n<script>alert(1)</script>")
    duplicate = create_question(status=QuestionStatus.MERGED, merged_into_id=original.id)
    response = followup(client, duplicate)
    raw = response.get_data(as_text=True)
    assert timeline(response) == ["received", "merged", "answered"]
    assert f'<a href="/questions/{original.reference}">Voir la question {original.reference}</a>' in raw
    assert "Des patrouilles <strong>renforcées</strong> dès avril." in raw
    assert "<script>alert(1)</script>" not in raw


def test_an_answered_and_addressed_question_shows_both_in_order(client, create_question, create_forum):
    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2030, 3, 17), title="Forum d'Arles")
    question = create_question(status=QuestionStatus.PUBLISHED, answer_text="La préfecture répond.",
                               answered_at=datetime(2030, 3, 20, tzinfo=UTC), addressed_forum_id=forum.id,
                               addressed_at=datetime(2030, 3, 18, tzinfo=UTC))
    response = followup(client, question)
    page = page_text(response)
    assert timeline(response) == ["received", "published", "addressed", "answered"]
    assert "Question traitée lors du forum du dimanche 17 mars 2030" in page
    assert f'<a href="/forums/{forum.id}">Voir la page du forum</a>' in page
    assert "La préfecture répond." in page


def test_the_citizen_text_and_name_are_shown_escaped(client, create_question):
    question = create_question("<script>alert('x')</script> et les cambriolages ?", display_name="<i>Jo</i>")
    raw = followup(client, question).get_data(as_text=True)
    assert "<script>alert" not in raw and "<i>Jo</i>" not in raw
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; et les cambriolages ?" in raw
    assert "&lt;i&gt;Jo&lt;/i&gt;" in raw


# The charter

def test_the_charter_lists_every_rule_and_promise(client, territories):
    response = client.get("/charte-de-moderation")
    assert response.status_code == 200
    page = page_text(response)
    assert "<h1>Charte de modération</h1>" in page
    for reason in RejectionReason:
        assert f"<strong>{reason.label}</strong><br> {REJECTION_EXPLANATIONS[reason]}" in page
    for section in ("Ce qui est publié", "Les informations personnelles retirées", "Les questions déjà posées",
                    "Le délai de traitement", "L'anonymat", "Contester une décision"):
        assert f">{section}</h2>" in page
    assert "de 20 à 2\u202f000 caractères" in page
    assert "dans un délai de 10 jours ouvrés" in page
    assert "En cas d'urgence, composez le 17 ou le 112" in page
    assert '<a class="fr-btn" href="/questions/poser">Poser une question</a>' in page


def test_the_charter_is_served_from_the_public_cache(client, territories):
    first = client.get("/charte-de-moderation")
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/charte-de-moderation", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
