"""Asking a question, rule by rule: validation, confirmation, references, tokens, acknowledgement, timeline."""
from datetime import UTC, datetime

import pytest

from forums.models import (
    Consultation, ForumStatus, MailStatus, OutgoingMail, Question, QuestionContact, QuestionCounter,
    QuestionStatus, RejectionReason, Subtopic, Theme, ThemePart,
)
from forums.services.questions import (
    REJECTION_EXPLANATIONS, NeedsConfirmation, QuestionData, QuestionError, ReplayedSubmission,
    allocate_reference, clean_line, clean_text, followup_timeline, forum_accepts_questions, open_forums,
    question_for_token, submit_question, validate_question,
)
from synthesis import french

from ..conftest import paris_time

#: A question long enough not to be "very short", and unlike any other of these tests.
TEXT = "Pourquoi les caméras de vidéo-protection du centre-ville ne couvrent-elles pas la gare routière ?"
#: "Now" in these tests: the forums of 2030 are to come.
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def request_context(app, db):
    """A request, for the absolute links of the acknowledgement."""
    with app.test_request_context("/", base_url="https://forums.example.gouv.fr"):
        yield


def data(subtopics, **changes):
    """Return a valid question for the department 13 on sub-topic 1.A.1."""
    sub = subtopics["1.A.1"]
    values = dict(theme_id=sub.part.theme_id, subtopic_id=sub.id, department_code="13", text=TEXT,
                  charter_accepted=True)
    values.update(changes)
    return QuestionData(**values)


def errors_of(question_data):
    with pytest.raises(QuestionError) as raised:
        validate_question(question_data, now=NOW)
    return raised.value.errors


@pytest.fixture
def upcoming_forum(create_forum):
    return create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17))


# Validation

def test_a_complete_question_is_valid(db, territories, subtopics):
    valid = validate_question(data(subtopics), now=NOW)
    assert valid.department.code == "13"
    assert valid.forum is None
    assert valid.subtopic.code == "1.A.1"
    assert valid.text == TEXT
    assert (valid.email, valid.display_name, valid.commune_code, valid.postal_code) == (None, None, None, None)


def test_without_consultation_nothing_is_received(db, territories, subtopics):
    db.session.execute(db.update(Consultation).values(is_current=False))
    assert errors_of(data(subtopics)) == {"__all__": [
        "Aucune consultation n'est ouverte : les questions ne peuvent pas être reçues pour le moment."]}


def test_every_missing_field_is_named_at_once(db, territories, subtopics):
    errors = errors_of(QuestionData())
    assert errors == {
        "theme_id": ["Choisissez le thème de votre question."],
        "subtopic_id": ["Choisissez le sous-thème de votre question."],
        "department_code": ["Choisissez le département auquel s'adresse votre question."],
        "text": ["Saisissez votre question."],
        "charter_accepted": ["Acceptez la charte de modération pour envoyer votre question."],
    }


@pytest.fixture
def other_consultation(db):
    other = Consultation(slug="2010", name="Essai 2010", meetings_start_on=datetime(2010, 3, 1).date(),
                         meetings_end_on=datetime(2010, 5, 1).date(), synthesis_due_on=datetime(2010, 5, 10).date())
    theme = Theme(consultation=other, code="1", position=1, title="Thème de 2010")
    part = ThemePart(theme=theme, code="1.A", position=1, title="Partie")
    Subtopic(part=part, code="1.A.1", position=1, title="Sous-thème de 2010")
    db.session.add(other)
    db.session.commit()
    return other


def test_a_theme_of_another_consultation_is_refused(db, territories, subtopics, other_consultation):
    old_theme = other_consultation.themes[0]
    errors = errors_of(data(subtopics, theme_id=old_theme.id))
    assert errors["theme_id"] == [
        "Ce thème n'existe pas dans la consultation en cours : choisissez l'un des thèmes proposés."]
    assert errors_of(data(subtopics, theme_id=999_999))["theme_id"] == errors["theme_id"]


def test_a_subtopic_of_another_consultation_is_refused(db, territories, subtopics, other_consultation):
    old_subtopic = other_consultation.themes[0].parts[0].subtopics[0]
    assert errors_of(data(subtopics, subtopic_id=old_subtopic.id)) == {"subtopic_id": [
        "Ce sous-thème n'existe pas dans la consultation en cours : choisissez l'un des sous-thèmes proposés."]}


def test_a_subtopic_of_the_other_theme_is_refused(db, territories, subtopics):
    errors = errors_of(data(subtopics, subtopic_id=subtopics["2.A.1"].id))
    assert errors == {"subtopic_id": [
        "Le sous-thème « Polices municipales » relève d'un autre thème : choisissez un sous-thème du thème "
        "« La sécurité, un devoir vis-à-vis de nos concitoyens », ou changez de thème."]}


def test_an_unknown_department_is_refused(db, territories, subtopics):
    assert errors_of(data(subtopics, department_code="99")) == {"department_code": [
        "Ce département n'existe pas : choisissez votre département dans la liste."]}


def test_a_question_for_an_upcoming_forum_goes_to_its_department(db, subtopics, upcoming_forum):
    valid = validate_question(data(subtopics, forum_id=upcoming_forum.id, department_code=None), now=NOW)
    assert valid.forum.id == upcoming_forum.id
    assert valid.department.code == "13"


def test_a_postponed_forum_still_accepts_questions(db, subtopics, create_forum):
    forum = create_forum(status=ForumStatus.POSTPONED, starts_at=paris_time(2030, 4, 2))
    assert validate_question(data(subtopics, forum_id=forum.id), now=NOW).forum.id == forum.id


def test_a_draft_forum_does_not_exist_for_citizens(db, subtopics, create_forum):
    forum = create_forum(status=ForumStatus.DRAFT, starts_at=paris_time(2030, 3, 17))
    assert errors_of(data(subtopics, forum_id=forum.id)) == {"forum_id": [
        "Ce forum n'existe pas dans la consultation en cours : choisissez un forum de la liste, ou adressez "
        "votre question au département."]}


def test_a_forum_of_another_consultation_is_refused(db, subtopics, create_forum, other_consultation):
    forum = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17),
                         consultation=other_consultation)
    assert list(errors_of(data(subtopics, forum_id=forum.id))) == ["forum_id"]
    assert errors_of(data(subtopics, forum_id=987_654)) == errors_of(data(subtopics, forum_id=forum.id))


def test_a_cancelled_forum_is_refused_and_the_department_suggested(db, subtopics, create_forum):
    forum = create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2030, 3, 17))
    assert errors_of(data(subtopics, forum_id=forum.id)) == {"forum_id": [
        "Ce forum est annulé. Adressez votre question au département : la préfecture y répondra."]}


@pytest.mark.parametrize("status, starts_at", [
    (ForumStatus.HELD, paris_time(2030, 2, 20)),
    (ForumStatus.PUBLISHED, paris_time(2030, 2, 28)),
])
def test_a_past_forum_is_refused_and_the_department_suggested(db, subtopics, create_forum, status, starts_at):
    forum = create_forum(status=status, starts_at=starts_at)
    message = errors_of(data(subtopics, forum_id=forum.id))["forum_id"][0]
    assert message.startswith("Ce forum a déjà eu lieu (")
    assert message.endswith("2030). Adressez votre question au département : la préfecture y répondra.")


def test_a_forum_of_another_department_than_the_chosen_one_is_refused(db, subtopics, upcoming_forum):
    assert errors_of(data(subtopics, forum_id=upcoming_forum.id, department_code="75")) == {"forum_id": [
        "Ce forum n'a pas lieu dans le département choisi : choisissez un forum de la liste."]}


def test_a_forum_accepts_questions_until_the_end_of_its_day(db, create_forum):
    forum = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17, 18, 30))
    assert forum_accepts_questions(forum, now=paris_time(2030, 3, 17, 23, 59))
    assert not forum_accepts_questions(forum, now=paris_time(2030, 3, 18, 0, 1))
    forum.status = ForumStatus.HELD
    assert not forum_accepts_questions(forum, now=paris_time(2030, 3, 17, 12, 0))


def test_open_forums_lists_the_upcoming_public_forums_of_the_department(db, create_forum, consultation):
    later = create_forum(status=ForumStatus.POSTPONED, starts_at=paris_time(2030, 4, 2))
    sooner = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 17))
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 2, 1))
    create_forum(status=ForumStatus.CANCELLED, starts_at=paris_time(2030, 3, 20))
    create_forum(status=ForumStatus.DRAFT, starts_at=paris_time(2030, 3, 21))
    create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2030, 3, 22), department="75",
                 cantons=("7501",), commune="75056")
    assert [f.id for f in open_forums(consultation, "13", now=NOW)] == [sooner.id, later.id]


@pytest.mark.parametrize("text, message", [
    ("Trop court ?", "Votre question doit compter au moins 20 caractères (elle en compte 12) : précisez-la."),
    ("   \n\t  ", "Saisissez votre question."),
    ("x" * 2001, "Votre question ne doit pas dépasser 2\u202f000 caractères (elle en compte 2\u202f001) : "
                 "résumez-la."),
])
def test_the_text_length_is_checked(db, territories, subtopics, text, message):
    assert errors_of(data(subtopics, text=text)) == {"text": [message]}


def test_the_length_is_counted_on_the_cleaned_text(db, territories, subtopics):
    # 2,000 characters once the Windows line ends and the surrounding spaces are gone.
    text = "  " + "\r\n".join(["a" * 999, "b" * 1000]) + "\x00  "
    assert validate_question(data(subtopics, text=text), now=NOW).text == "a" * 999 + "\n" + "b" * 1000


def test_clean_text_keeps_the_layout_and_drops_control_characters():
    assert clean_text(" Bonjour\x07,\r\n\r\n\r\n\r\nVoici\tma\u0085 question.\x1b[31m ") == \
        "Bonjour,\n\nVoici\tma question.[31m"
    assert clean_text("e\u0301") == "\u00e9"
    assert clean_line("  Jean \n\t Dupont\x00 ") == "Jean Dupont"


@pytest.mark.parametrize("email", ["pas-une-adresse", "a@b", "jean dupont@exemple.fr", "x" * 250 + "@exemple.fr"])
def test_an_invalid_email_is_refused(db, territories, subtopics, email):
    assert errors_of(data(subtopics, email=email)) == {"email": [
        "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr, ou laissez ce champ vide."]}


def test_the_email_is_kept_with_its_domain_normalised(db, territories, subtopics):
    assert validate_question(data(subtopics, email=" Jean.Dupont@Exemple.FR "), now=NOW).email == \
        "Jean.Dupont@exemple.fr"


def test_the_display_name_is_limited_to_80_characters(db, territories, subtopics):
    assert validate_question(data(subtopics, display_name=" Jean  " + "é" * 75), now=NOW).display_name == \
        "Jean " + "é" * 75
    assert errors_of(data(subtopics, display_name="x" * 81)) == {"display_name": [
        "Le nom affiché ne doit pas dépasser 80 caractères (il en compte 81)."]}


@pytest.mark.parametrize("place, commune_code, postal_code", [
    ("13200", "13004", "13200"),        # one commune has it
    ("13 100", "13001", "13100"),       # spaces are ignored
    ("Berre-l'Étang", "13014", "13130"),  # a name, with its only postal code
    ("arles", "13004", None),           # a name whose commune has several postal codes
    ("75001", "75056", "75001"),        # askers may live outside the department they ask
    ("", None, None),
])
def test_the_place_is_a_postal_code_or_a_commune_name(db, territories, subtopics, place, commune_code,
                                                      postal_code):
    valid = validate_question(data(subtopics, place=place), now=NOW)
    assert (valid.commune_code, valid.postal_code) == (commune_code, postal_code)


@pytest.mark.parametrize("place, message", [
    ("1310", "Un code postal compte cinq chiffres, par exemple 13100."),
    ("99999", "Aucune commune n'a le code postal 99999 : vérifiez-le, ou laissez ce champ vide."),
    ("Trifouilly", "Aucune commune ne s'appelle « Trifouilly » : vérifiez l'orthographe ou indiquez votre "
                   "code postal."),
    ("A", "Plusieurs communes correspondent à « A » : indiquez plutôt votre code postal."),
])
def test_a_place_that_designates_no_single_commune_is_refused(db, territories, subtopics, place, message):
    assert errors_of(data(subtopics, place=place)) == {"place": [message]}


# Confirmation

def test_a_very_short_text_asks_for_confirmation(db, territories, subtopics):
    with pytest.raises(NeedsConfirmation) as raised:
        submit_question(data(subtopics, text="Plus de police la nuit à Arles ?"), now=NOW)
    assert raised.value.short is True
    assert raised.value.duplicates == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0
    question, _ = submit_question(data(subtopics, text="Plus de police la nuit à Arles ?"), confirmed=True, now=NOW)
    assert question.reference == "13-000001"


def test_a_text_already_published_asks_for_confirmation_and_names_it(db, subtopics, create_question):
    db.session.add(QuestionCounter(department_code="13", last_number=100))
    published = create_question(TEXT.upper(), status=QuestionStatus.PUBLISHED)
    create_question(TEXT, status=QuestionStatus.PENDING)
    with pytest.raises(NeedsConfirmation) as raised:
        submit_question(data(subtopics), now=NOW)
    assert raised.value.short is False
    assert [q.id for q in raised.value.duplicates] == [published.id]
    question, _ = submit_question(data(subtopics), confirmed=True, now=NOW)
    assert question.reference == "13-000101"


def test_a_text_published_in_another_department_is_no_duplicate(db, subtopics, create_question):
    create_question(TEXT, department="75", status=QuestionStatus.PUBLISHED)
    question, _ = submit_question(data(subtopics), now=NOW)
    assert question.status is QuestionStatus.PENDING


# Saving

def test_a_question_is_saved_pending_with_its_text_terms_and_token_hash(db, subtopics, upcoming_forum):
    question, token = submit_question(data(subtopics, forum_id=upcoming_forum.id, place="13100"), now=NOW)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Question, question.id)
    assert stored.reference == "13-000001"
    assert stored.status is QuestionStatus.PENDING
    assert (stored.department_code, stored.forum_id, stored.subtopic.code) == ("13", upcoming_forum.id, "1.A.1")
    assert stored.text == stored.public_text == TEXT
    assert stored.search_text == french.search_text(TEXT) != ""
    assert stored.fingerprint == french.fingerprint(TEXT)
    assert (stored.commune_code, stored.postal_code) == ("13001", "13100")
    assert stored.submitted_at == NOW
    assert len(token) == 43
    assert stored.followup_token_hash == Question.hash_token(token) != token
    assert stored.contact is None
    assert db.session.scalar(db.select(db.func.count()).select_from(OutgoingMail)) == 0


def test_html_is_stored_as_typed(db, territories, subtopics):
    text = "<script>alert('x')</script> Que fait-on contre <b>les cambriolages</b> dans le quartier ?"
    question, _ = submit_question(data(subtopics, text=text, display_name="<i>Jean</i>"), now=NOW)
    assert question.text == text
    assert question.contact.display_name == "<i>Jean</i>"


def test_references_are_numbered_per_department(db, territories, subtopics):
    references = [submit_question(data(subtopics, department_code=code, text=f"{TEXT} ({n})"), now=NOW)[0].reference
                  for n, code in enumerate(["13", "13", "2A", "13", "972"])]
    assert references == ["13-000001", "13-000002", "2A-000001", "13-000003", "972-000001"]
    counters = dict(db.session.execute(db.select(QuestionCounter.department_code, QuestionCounter.last_number)).all())
    assert counters == {"13": 3, "2A": 1, "972": 1}


def test_a_rolled_back_submission_gives_its_number_back(db, territories, subtopics):
    assert allocate_reference("13") == "13-000001"
    db.session.rollback()
    assert allocate_reference("13") == "13-000001"


def test_the_contact_is_stored_apart_only_when_given(db, territories, subtopics, request_context):
    anonymous, _ = submit_question(data(subtopics, text=TEXT + " 1"), now=NOW)
    named, _ = submit_question(data(subtopics, text=TEXT + " 2", display_name="Jeanne"), now=NOW)
    reachable, _ = submit_question(data(subtopics, text=TEXT + " 3", email="jeanne@exemple.fr"), now=NOW)
    db.session.commit()
    contacts = {c.question_id: (c.email, c.display_name) for c in db.session.scalars(db.select(QuestionContact))}
    assert contacts == {named.id: (None, "Jeanne"), reachable.id: ("jeanne@exemple.fr", None)}
    assert anonymous.id not in contacts


def test_the_acknowledgement_is_queued_in_french_without_what_the_citizen_typed(db, subtopics, upcoming_forum,
                                                                                request_context):
    question, token = submit_question(
        data(subtopics, forum_id=upcoming_forum.id, email="jeanne@exemple.fr", display_name="Jeanne Nom-Unique"),
        now=NOW)
    mail = db.session.scalar(db.select(OutgoingMail))
    assert (mail.kind, mail.recipient, mail.question_id, mail.status) == (
        "acknowledgement", "jeanne@exemple.fr", question.id, MailStatus.PENDING)
    assert mail.dedupe_key == f"acknowledgement:{question.id}"
    assert mail.subject == "Votre question a bien été reçue – référence 13-000001"
    body = mail.body
    for expected in [
        "Référence : 13-000001",
        "Sous-thème : Vidéo-protection",
        "Adressée à : le forum « Forum de sécurité » du dimanche 17 mars 2030, 18 h 30 à Aix-en-Provence",
        "dans un délai de 10 jours ouvrés",
        f"https://forums.example.gouv.fr/questions/suivi/{token}",
        "https://forums.example.gouv.fr/charte-de-moderation",
        "En cas d'urgence, composez le 17 ou le 112.",
        "https://www.pre-plainte-en-ligne.gouv.fr/",
    ]:
        assert expected in body, expected
    assert "caméras" not in body and "Nom-Unique" not in body
    assert "<" not in body


def test_the_acknowledgement_links_to_the_public_url_when_set(app, db, territories, subtopics, request_context,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://forums-securite.interieur.gouv.fr")
    monkeypatch.setitem(app.config, "QUESTION_HANDLING_DAYS", 15)
    _, token = submit_question(data(subtopics, email="jeanne@exemple.fr"), now=NOW)
    body = db.session.scalar(db.select(OutgoingMail.body))
    assert f"https://forums-securite.interieur.gouv.fr/questions/suivi/{token}" in body
    assert "Adressée à : la préfecture, pour le département 13 – Bouches-du-Rhône" in body
    assert "dans un délai de 15 jours ouvrés" in body


# Tokens and replays

def test_a_token_finds_its_question_and_nothing_else(db, territories, subtopics):
    question, token = submit_question(data(subtopics), now=NOW)
    assert question_for_token(token) is question
    assert question_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    for forged in ["", "abc", "x" * 129, token + "/", "é" * 43, token + "\n", None, 42]:
        assert question_for_token(forged) is None


def test_the_same_form_sent_twice_is_one_question(db, territories, subtopics):
    first, token = submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    db.session.commit()
    with pytest.raises(ReplayedSubmission) as raised:
        submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    db.session.rollback()
    assert raised.value.question.id == first.id
    assert raised.value.token == token
    assert db.session.scalar(db.select(QuestionCounter.last_number)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 1


def test_a_form_sent_again_after_its_question_was_published_is_still_a_replay(db, territories, subtopics):
    first, _ = submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    first.status = QuestionStatus.PUBLISHED
    db.session.commit()
    with pytest.raises(ReplayedSubmission) as raised:
        submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    assert raised.value.question.id == first.id
    # Without the form's nonce, the same words are a duplicate to confirm.
    with pytest.raises(NeedsConfirmation):
        submit_question(data(subtopics), now=NOW)


def test_a_form_sent_again_with_another_text_is_another_question(db, territories, subtopics):
    _, first = submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    _, second = submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001", text=TEXT + " Merci."), now=NOW)
    _, third = submit_question(data(subtopics, form_nonce="nonce-of-another-form-2"), now=NOW)
    assert len({first, second, third}) == 3


def test_tokens_derived_from_a_nonce_depend_on_the_secret_key(app, db, territories, subtopics, monkeypatch):
    _, token = submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    db.session.rollback()
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    _, other = submit_question(data(subtopics, form_nonce="nonce-of-one-form-0001"), now=NOW)
    assert token != other


# Timeline

def kinds(question):
    return [(step.kind, step.done) for step in followup_timeline(question)]


def test_a_pending_question_waits_for_moderation(db, create_question):
    question = create_question()
    steps = followup_timeline(question)
    assert kinds(question) == [("received", True), ("moderation", False)]
    assert steps[0].at == question.submitted_at
    assert steps[0].detail == f"Enregistrée sous la référence {question.reference}."


def test_a_published_question_waits_for_its_answer(db, create_question):
    question = create_question(status=QuestionStatus.PUBLISHED, moderated_at=datetime(2030, 3, 2, tzinfo=UTC))
    steps = followup_timeline(question)
    assert kinds(question) == [("received", True), ("published", True), ("awaiting_answer", False)]
    assert steps[1].at == datetime(2030, 3, 2, tzinfo=UTC)
    assert steps[1].detail == "Elle est visible sur le site."


def test_an_edited_question_says_personal_data_was_removed(db, create_question):
    question = create_question("J'ai vu M. Durand voler un vélo rue des Lilas, que fait la police ?",
                               public_text="J'ai vu une personne voler un vélo, que fait la police ?",
                               status=QuestionStatus.PUBLISHED)
    assert "des informations personnelles ont été retirées" in followup_timeline(question)[1].detail


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_a_rejected_question_shows_its_charter_reason(db, create_question, reason):
    question = create_question(status=QuestionStatus.REJECTED, rejection_reason=reason,
                               rejection_note="Votre message cite un voisin.")
    steps = followup_timeline(question)
    assert kinds(question) == [("received", True), ("rejected", True)]
    assert steps[1].reason is reason
    assert steps[1].reason_explanation == REJECTION_EXPLANATIONS[reason]
    assert steps[1].note == "Votre message cite un voisin."


def test_every_charter_reason_is_explained():
    assert set(REJECTION_EXPLANATIONS) == set(RejectionReason)
    assert all(len(text) > 50 for text in REJECTION_EXPLANATIONS.values())


def test_an_answered_question_shows_the_answer_then_the_forum_in_order(db, create_question, create_forum):
    forum = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2030, 3, 17))
    question = create_question(
        status=QuestionStatus.PUBLISHED, answer_text="La **préfecture** répond.",
        answered_at=datetime(2030, 3, 20, tzinfo=UTC), addressed_forum_id=forum.id,
        addressed_at=datetime(2030, 3, 18, tzinfo=UTC))
    steps = followup_timeline(question)
    assert kinds(question) == [("received", True), ("published", True), ("addressed", True), ("answered", True)]
    assert steps[2].title == "Question traitée lors du forum du dimanche 17 mars 2030"
    assert steps[2].forum.id == forum.id
    assert steps[3].note == "La **préfecture** répond."


def test_a_merged_question_follows_the_answer_of_the_original(db, create_question):
    original = create_question("Quand la gendarmerie fera-t-elle des patrouilles à Rognac la nuit ?",
                               status=QuestionStatus.PUBLISHED, answer_text="Dès avril.",
                               answered_at=datetime(2030, 3, 25, tzinfo=UTC))
    middle = create_question(status=QuestionStatus.MERGED, merged_into_id=original.id)
    duplicate = create_question(status=QuestionStatus.MERGED, merged_into_id=middle.id)
    steps = followup_timeline(duplicate)
    assert kinds(duplicate) == [("received", True), ("merged", True), ("answered", True)]
    assert steps[1].question.id == original.id
    assert original.reference in steps[1].detail
    assert steps[2].note == "Dès avril."


def test_a_question_merged_into_a_pending_one_links_nowhere(db, create_question):
    original = create_question("Quand la gendarmerie fera-t-elle des patrouilles à Rognac la nuit ?")
    duplicate = create_question(status=QuestionStatus.MERGED, merged_into_id=original.id)
    steps = followup_timeline(duplicate)
    assert kinds(duplicate) == [("received", True), ("merged", True)]
    assert steps[1].question is None
    assert original.reference not in steps[1].detail


def test_merges_in_a_loop_end(db, create_question):
    first = create_question(status=QuestionStatus.MERGED)
    second = create_question(status=QuestionStatus.MERGED, merged_into_id=first.id)
    first.merged_into_id = second.id
    db.session.commit()
    assert kinds(first) == [("received", True), ("merged", True)]

