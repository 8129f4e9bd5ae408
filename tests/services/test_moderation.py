"""Moderation and answer rules, called directly: the queue, decisions, merges, answers, notifications."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from forums.models import (
    AuditEvent, Consultation, ForumStatus, OutgoingMail, Question, QuestionStatus, QuestionSupport,
    RejectionReason, Role, Subtopic, Theme, ThemePart,
)
from forums.publication import publication_version
from forums.services.audit import REPLACED_TEXT_WITHHELD
from forums.services import moderation
from forums.services.moderation import ModerationError
from synthesis import french

from ..conftest import paris_time

LONG_AGO = datetime(2009, 3, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def moderator(create_agent):
    return create_agent(Role.MODERATOR, department="13")


@pytest.fixture
def request_context(app, db):
    """A request, so that notifications can build the public page's absolute address."""
    with app.test_request_context("/"):
        yield


def events(db, question=None):
    db.session.expire_all()
    query = db.select(AuditEvent).order_by(AuditEvent.id)
    if question is not None:
        query = query.where(AuditEvent.object_type == "question", AuditEvent.object_id == str(question.id))
    return db.session.scalars(query).all()


def reload(db, question):
    db.session.expire_all()
    return db.session.get(Question, question.id)


def supporters(db, question):
    return sorted(db.session.scalars(
        db.select(QuestionSupport.supporter_hash).where(QuestionSupport.question_id == question.id)
    ))


def support(db, question, *hashes):
    """Add supports from browsers ``hashes``, counted as the public site counts them."""
    for supporter in hashes:
        db.session.add(QuestionSupport(question_id=question.id, supporter_hash=supporter))
    question.support_count += len(hashes)
    db.session.commit()


def mails(db):
    db.session.expire_all()
    return db.session.scalars(db.select(OutgoingMail).order_by(OutgoingMail.id)).all()


# --- the queue --------------------------------------------------------------------------------------

def test_queue_lists_pending_questions_of_the_department_oldest_first(db, create_question, create_forum,
                                                                       subtopics):
    forum = create_forum(status=ForumStatus.PUBLISHED)
    newer = create_question("Pourquoi si peu de patrouilles le soir ?", submitted_at=LONG_AGO + timedelta(days=2))
    older = create_question("Les caméras filment-elles les rues ?", forum=forum, submitted_at=LONG_AGO)
    themed = create_question("Les polices municipales seront-elles armées ?", subtopic="2.A.1",
                             submitted_at=LONG_AGO + timedelta(days=1))
    create_question("Question déjà publiée sur la vidéo-protection.", status=QuestionStatus.PUBLISHED)
    create_question("Une question posée à Paris, pas dans les Bouches-du-Rhône.", department="75")

    page = moderation.moderation_queue("13", now=LONG_AGO + timedelta(days=3))
    assert [item.question.id for item in page.items] == [older.id, themed.id, newer.id]
    assert page.total == 3
    assert [item.waiting for item in page.items] == [timedelta(days=3), timedelta(days=2), timedelta(days=1)]

    theme_2 = subtopics["2.A.1"].part.theme_id
    assert [i.question.id for i in moderation.moderation_queue("13", theme_id=theme_2).items] == [themed.id]
    assert [i.question.id for i in moderation.moderation_queue("13", forum_id=forum.id).items] == [older.id]
    assert [i.question.id for i in moderation.moderation_queue("13", forum_id=0).items] == [themed.id, newer.id]


def test_queue_ignores_questions_of_a_past_consultation(db, create_question, consultation, subtopics):
    create_question("Question de la consultation en cours sur les caméras.")
    past = Consultation(slug="2008", name="Ancienne consultation", meetings_start_on=date(2008, 3, 1),
                        meetings_end_on=date(2008, 4, 1), synthesis_due_on=date(2008, 4, 10))
    theme = Theme(consultation=past, code="1", position=1, title="Ancien thème")
    part = ThemePart(theme=theme, code="1.A", position=1, title="Ancienne partie")
    old_subtopic = Subtopic(part=part, code="1.A.1", position=1, title="Ancien sous-thème")
    db.session.add(past)
    db.session.commit()
    old = create_question("Question d'une consultation passée, toujours en attente.")
    old.consultation_id, old.theme_id, old.subtopic_id = past.id, theme.id, old_subtopic.id
    db.session.commit()
    assert moderation.moderation_queue("13").total == 1
    assert moderation.pending_summary("13").count == 1


def test_queue_is_paginated(db, create_question):
    for n in range(5):
        create_question(f"Question numéro {n} sur la sécurité du quartier.", submitted_at=LONG_AGO + timedelta(hours=n))
    page = moderation.moderation_queue("13", page=2, per_page=2)
    assert page.total == 5 and page.pagination.pages == 3
    assert [item.question.text for item in page.items] == [
        "Question numéro 2 sur la sécurité du quartier.", "Question numéro 3 sur la sécurité du quartier."]


def test_pending_summary_counts_and_dates_in_one_query(db, create_question, count_queries):
    create_question("Une question encore en attente sur les caméras.", submitted_at=LONG_AGO)
    create_question("Une autre question en attente sur les patrouilles.", submitted_at=LONG_AGO + timedelta(days=4))
    create_question("Une question déjà publiée sur le stationnement.", status=QuestionStatus.PUBLISHED,
                    submitted_at=LONG_AGO - timedelta(days=9))
    with count_queries() as statements:
        summary = moderation.pending_summary("13")
    assert len(statements) == 1
    assert summary == moderation.PendingSummary(2, LONG_AGO)
    assert moderation.pending_summary("75") == moderation.PendingSummary(0, None)


def test_next_pending_follows_the_queue_then_wraps(db, create_question):
    first = create_question("Première question en attente dans la file.", submitted_at=LONG_AGO)
    second = create_question("Deuxième question en attente dans la file.", submitted_at=LONG_AGO + timedelta(hours=1))
    third = create_question("Troisième question en attente dans la file.", submitted_at=LONG_AGO + timedelta(hours=2))
    assert moderation.next_pending(first).id == second.id
    assert moderation.next_pending(second).id == third.id
    assert moderation.next_pending(third).id == first.id
    for question in (first, second):
        question.status = QuestionStatus.PUBLISHED
    db.session.commit()
    assert moderation.next_pending(third) is None


# --- approve and reject -----------------------------------------------------------------------------

def test_approve_publishes_and_records_the_decision(db, create_question, moderator):
    question = create_question()
    version = publication_version(db.session)[0]
    moderation.approve(question, moderator)
    db.session.commit()
    question = reload(db, question)
    assert question.status is QuestionStatus.PUBLISHED
    assert question.moderated_by_id == moderator.id and question.moderated_at is not None
    assert publication_version(db.session)[0] == version + 1, "public caches must expire"
    [event] = events(db, question)
    assert (event.action, event.agent_id, event.department_code) == ("question.approve", moderator.id, "13")
    assert event.changes == {"status": ["pending", "published"]}
    assert event.summary == f"Question {question.reference} publiée."


@pytest.mark.parametrize("status", [QuestionStatus.PUBLISHED, QuestionStatus.REJECTED, QuestionStatus.MERGED])
def test_only_a_pending_question_is_approved(db, create_question, moderator, status):
    question = create_question(status=status)
    with pytest.raises(ModerationError, match="Seule une question en attente de modération peut être publiée"):
        moderation.approve(question, moderator)
    assert events(db) == []


@pytest.mark.parametrize("decide", [
    lambda question, agent: moderation.approve(question, agent),
    lambda question, agent: moderation.reject(question, RejectionReason.OFF_TOPIC, "", agent),
    lambda question, agent: moderation.bulk_decide([question], "approve", agent),
], ids=["approve", "reject", "bulk"])
def test_a_colleague_deciding_first_wins(db, app, create_question, moderator, decide):
    question = create_question()
    assert question.status is QuestionStatus.PENDING  # what this moderator's page showed
    with Session(db.engine) as colleague:
        colleague.execute(update(Question).where(Question.id == question.id).values(
            status=QuestionStatus.REJECTED, rejection_reason=RejectionReason.PERSONS))
        colleague.commit()
    with pytest.raises(ModerationError, match="vient d'être traitée par un autre agent"):
        decide(question, moderator)
    db.session.rollback()
    question = reload(db, question)
    assert question.status is QuestionStatus.REJECTED and question.rejection_reason is RejectionReason.PERSONS
    assert events(db) == []


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_reject_with_each_charter_reason(db, create_question, moderator, reason):
    question = create_question()
    version = publication_version(db.session)[0]
    moderation.reject(question, reason.value, "  Reformulez sans viser de personne.  ", moderator)
    db.session.commit()
    question = reload(db, question)
    assert question.status is QuestionStatus.REJECTED and question.rejection_reason is reason
    assert question.rejection_note == "Reformulez sans viser de personne."
    assert publication_version(db.session)[0] == version, "a question never shown changes no public page"
    [event] = events(db, question)
    assert event.action == "question.reject"
    assert event.changes == {"status": ["pending", "rejected"], "rejection_reason": [None, reason.value],
                             "rejection_note": ["", "Reformulez sans viser de personne."]}
    assert event.summary == f"Question {question.reference} non publiée : {reason.label}."


@pytest.mark.parametrize("reason", [None, "", "insulte", "PROPOS_INJURIEUX"])
def test_reject_needs_a_charter_reason(db, create_question, moderator, reason):
    question = create_question()
    with pytest.raises(ModerationError) as raised:
        moderation.reject(question, reason, "", moderator)
    assert (raised.value.field, raised.value.message) == ("reason", "Choisissez le motif de la charte de modération.")
    assert reload(db, question).status is QuestionStatus.PENDING and events(db) == []


def test_reject_note_is_limited(db, create_question, moderator):
    question = create_question()
    with pytest.raises(ModerationError, match="ne doit pas dépasser 1\u202f000 caractères") as raised:
        moderation.reject(question, RejectionReason.OFF_TOPIC, "x" * 1001, moderator)
    assert raised.value.field == "note"


def test_withdrawing_a_published_question_expires_public_pages(db, create_question, moderator):
    question = create_question(status=QuestionStatus.PUBLISHED)
    version = publication_version(db.session)[0]
    moderation.reject(question, RejectionReason.PERSONS, "", moderator)
    db.session.commit()
    assert reload(db, question).status is QuestionStatus.REJECTED
    assert publication_version(db.session)[0] == version + 1
    [event] = events(db, question)
    assert event.action == "question.unpublish"
    assert event.summary == f"Question {question.reference} retirée du site : Mise en cause de personnes."


def test_a_rejected_or_merged_question_cannot_be_rejected_again(db, create_question, moderator):
    for status in (QuestionStatus.REJECTED, QuestionStatus.MERGED):
        question = create_question(status=status)
        with pytest.raises(ModerationError, match="Seule une question en attente ou publiée peut être refusée"):
            moderation.reject(question, RejectionReason.OFF_TOPIC, "", moderator)


def test_duplicate_rejection_points_to_the_original(db, create_question, moderator):
    original = create_question("Que fait-on contre les cambriolages ?", status=QuestionStatus.PUBLISHED)
    question = create_question("Que fait-on contre les cambriolages ?")
    moderation.reject(question, RejectionReason.DUPLICATE, "Soutenez-la plutôt.", moderator, original=original)
    db.session.commit()
    question = reload(db, question)
    assert question.rejection_note == f"La même question a déjà été posée : {original.reference}. Soutenez-la plutôt."
    assert question.merged_into_id is None, "a rejected duplicate brings no support to the original"


def test_only_a_duplicate_names_an_original(db, create_question, moderator):
    original = create_question(status=QuestionStatus.PUBLISHED)
    question = create_question()
    with pytest.raises(ModerationError, match="seulement pour le motif « Doublon »") as raised:
        moderation.reject(question, RejectionReason.OFF_TOPIC, "", moderator, original=original)
    assert raised.value.field == "original"


# --- editing the public text ------------------------------------------------------------------------

def test_edit_keeps_the_original_and_journals_only_the_new_text(db, create_question, moderator):
    text = "Mon voisin M. Dupont, 12 rue des Lilas, est cambriolé sans cesse : que fait la police ?"
    question = create_question(text)
    edited = "Mon voisin est cambriolé sans cesse : que fait la police ?"
    moderation.edit_public_text(question, f"  {edited}\r\n", moderator)
    db.session.commit()
    question = reload(db, question)
    assert question.text == text, "the citizen's text is never changed"
    assert question.public_text == edited and question.search_text == french.search_text(edited)
    assert "dupont" not in question.search_text and question.fingerprint == french.fingerprint(text)
    assert question.edited_by_id == moderator.id and question.edited_at is not None
    [event] = events(db, question)
    # The replaced text held the personal data the edit took out: the journal does not keep it.
    assert event.action == "question.edit"
    assert event.changes == {"public_text": [REPLACED_TEXT_WITHHELD, edited]}


def test_edit_after_publication_expires_public_pages(db, create_question, moderator):
    question = create_question(status=QuestionStatus.PUBLISHED)
    version = publication_version(db.session)[0]
    moderation.edit_public_text(question, "Que fait la police contre les cambriolages ici ?", moderator)
    db.session.commit()
    assert publication_version(db.session)[0] == version + 1


@pytest.mark.parametrize("text, message", [
    ("Trop court.", "au moins 20 caractères"),
    ("         ", "au moins 20 caractères"),
    ("a" * 2001, "ne doit pas dépasser 2\u202f000 caractères"),
    ("Que fait la police contre les cambriolages dans notre quartier ?", "identique au texte public actuel"),
])
def test_edit_checks_the_new_text(db, create_question, moderator, text, message):
    question = create_question()
    with pytest.raises(ModerationError, match=message) as raised:
        moderation.edit_public_text(question, text, moderator)
    assert raised.value.field == "public_text"
    assert events(db) == []


def test_edit_keeps_html_as_text(db, create_question, moderator):
    question = create_question()
    moderation.edit_public_text(question, "<script>alert(1)</script> Que fait la police ?", moderator)
    assert question.public_text == "<script>alert(1)</script> Que fait la police ?"


def test_a_rejected_question_is_not_edited(db, create_question, moderator):
    question = create_question(status=QuestionStatus.REJECTED, rejection_reason=RejectionReason.OFF_TOPIC)
    with pytest.raises(ModerationError, match="Seul le texte d'une question en attente ou publiée"):
        moderation.edit_public_text(question, "Un nouveau texte assez long pour passer.", moderator)


# --- merging ----------------------------------------------------------------------------------------

def test_merge_moves_supports_and_counts_the_author(db, create_question, moderator):
    original = create_question("Que fait-on contre les cambriolages ?", status=QuestionStatus.PUBLISHED)
    duplicate = create_question("Que fait on contre les cambriolages", status=QuestionStatus.PUBLISHED)
    support(db, original, "browser-a", "browser-b")
    support(db, duplicate, "browser-b", "browser-c", "browser-d")
    version = publication_version(db.session)[0]

    moderation.merge(duplicate, original, moderator)
    db.session.commit()
    original, duplicate = reload(db, original), reload(db, duplicate)
    assert duplicate.status is QuestionStatus.MERGED and duplicate.merged_into_id == original.id
    assert duplicate.text == "Que fait on contre les cambriolages", "the duplicate is kept as written"
    # 2 + 3 supports, browser-b counted once, plus the duplicate's author.
    assert original.support_count == 2 + 3 - 1 + 1
    assert supporters(db, original) == ["browser-a", "browser-b", "browser-c", "browser-d"]
    assert supporters(db, duplicate) == [] and duplicate.support_count == 0
    assert original.status is QuestionStatus.PUBLISHED and original.text == "Que fait-on contre les cambriolages ?"
    assert publication_version(db.session)[0] > version

    merged, absorbed = events(db, duplicate), events(db, original)
    assert [e.action for e in merged] == ["question.merge"]
    assert merged[0].changes == {"status": ["published", "merged"], "merged_into": [None, original.reference],
                                 "support_count": [3, 0]}
    assert [e.action for e in absorbed] == ["question.absorb"]
    assert absorbed[0].changes == {"support_count": [2, 5]}
    assert absorbed[0].summary == (f"La question {duplicate.reference} a été regroupée avec celle-ci : "
                                   "3 soutiens ajoutés.")


def test_merge_of_a_pending_question_adds_its_author(db, create_question, moderator):
    original = create_question("Que fait-on contre les cambriolages ?")
    duplicate = create_question("Que fait-on contre les cambriolages ?")
    moderation.merge(duplicate, original, moderator)
    db.session.commit()
    assert reload(db, original).support_count == 1
    assert reload(db, original).status is QuestionStatus.PENDING


def test_merge_repoints_questions_merged_into_the_duplicate(db, create_question, moderator):
    original = create_question("Question d'origine sur les cambriolages.", status=QuestionStatus.PUBLISHED)
    duplicate = create_question("Question en double sur les cambriolages.", status=QuestionStatus.PUBLISHED)
    earlier = create_question("Question regroupée plus tôt sur les cambriolages.", status=QuestionStatus.MERGED,
                              merged_into_id=duplicate.id)
    moderation.merge(duplicate, original, moderator)
    db.session.commit()
    assert reload(db, earlier).merged_into_id == original.id
    assert "Questions qui lui étaient déjà regroupées, désormais rattachées à celle-ci : 1." in \
        events(db, original)[-1].summary


def test_merge_checks_the_original(db, create_question, moderator, territories):
    duplicate = create_question("Que fait-on contre les cambriolages ?")
    rejected = create_question(status=QuestionStatus.REJECTED, rejection_reason=RejectionReason.OFF_TOPIC)
    target = create_question(status=QuestionStatus.PUBLISHED)
    merged = create_question(status=QuestionStatus.MERGED, merged_into_id=target.id)
    paris = create_question(department="75", status=QuestionStatus.PUBLISHED)
    cases = [
        (None, "Aucune question de ce département ne porte cette référence."),
        (duplicate, "Une question ne peut pas être regroupée avec elle-même."),
        (paris, f"La question {paris.reference} n'appartient pas au même département"),
        (rejected, f"La question {rejected.reference} n'a pas été publiée"),
        (merged, f"La question {merged.reference} est elle-même regroupée avec {target.reference}"),
    ]
    for original, message in cases:
        with pytest.raises(ModerationError, match=message) as raised:
            moderation.merge(duplicate, original, moderator)
        assert raised.value.field == "original"
    assert reload(db, duplicate).status is QuestionStatus.PENDING and events(db) == []


def test_a_rejected_question_is_not_merged(db, create_question, moderator):
    original = create_question(status=QuestionStatus.PUBLISHED)
    question = create_question(status=QuestionStatus.REJECTED, rejection_reason=RejectionReason.DUPLICATE)
    with pytest.raises(ModerationError, match="Seule une question en attente ou publiée peut être regroupée"):
        moderation.merge(question, original, moderator)


# --- bulk decisions ---------------------------------------------------------------------------------

def test_bulk_approve_writes_one_event_per_question(db, create_question, moderator):
    questions = [create_question(f"Question {n} sur la sécurité de mon quartier.") for n in range(3)]
    assert moderation.bulk_decide(questions, "approve", moderator) == 3
    db.session.commit()
    assert {reload(db, q).status for q in questions} == {QuestionStatus.PUBLISHED}
    assert sorted(e.object_id for e in events(db) if e.action == "question.approve") == \
        sorted(str(q.id) for q in questions)


def test_bulk_reject_applies_the_reason_to_all(db, create_question, moderator):
    questions = [create_question(f"Question {n} hors sujet sur la météo.") for n in range(2)]
    moderation.bulk_decide(questions, "reject", moderator, reason="hors_sujet", note="Sans rapport avec la sécurité.")
    db.session.commit()
    for question in questions:
        question = reload(db, question)
        assert question.rejection_reason is RejectionReason.OFF_TOPIC
        assert question.rejection_note == "Sans rapport avec la sécurité."
    assert [e.action for e in events(db)] == ["question.reject", "question.reject"]


def test_bulk_is_all_or_nothing(db, create_question, moderator):
    pending = create_question("Une question encore en attente de décision.")
    decided = create_question("Une question déjà publiée par un collègue.", status=QuestionStatus.PUBLISHED)
    with pytest.raises(ModerationError, match=f"{decided.reference} a changé d'état entretemps"):
        moderation.bulk_decide([pending, decided], "approve", moderator)
    db.session.rollback()
    assert reload(db, pending).status is QuestionStatus.PENDING and events(db) == []


@pytest.mark.parametrize("action, reason, field", [
    ("approve", None, "question_ids"),
    ("publish", None, "action"),
])
def test_bulk_refuses_an_empty_selection_or_an_unknown_action(db, moderator, action, reason, field):
    with pytest.raises(ModerationError) as raised:
        moderation.bulk_decide([], action, moderator, reason=reason)
    assert raised.value.field == field


def test_bulk_reject_needs_a_reason(db, create_question, moderator):
    question = create_question()
    with pytest.raises(ModerationError) as raised:
        moderation.bulk_decide([question], "reject", moderator)
    assert raised.value.field == "reason"
    assert reload(db, question).status is QuestionStatus.PENDING


# --- answers ----------------------------------------------------------------------------------------

def test_answer_is_stored_and_notified_once(db, create_question, moderator, request_context):
    question = create_question(status=QuestionStatus.PUBLISHED, email="citoyen@example.fr",
                               submitted_at=paris_time(2009, 3, 20))
    mail = moderation.answer(question, "  La police nationale **renforce** ses patrouilles.  ", moderator)
    db.session.commit()
    question = reload(db, question)
    assert question.answer_text == "La police nationale **renforce** ses patrouilles."
    assert question.answered_by_id == moderator.id
    first_time = question.answered_at
    assert first_time is not None
    assert (mail.kind, mail.recipient, mail.question_id) == ("answer", "citoyen@example.fr", question.id)
    assert mail.subject == f"Réponse à votre question {question.reference}"
    assert f"Vous avez posé la question {question.reference} le 20 mars 2009." in mail.body
    assert "La préfecture des Bouches-du-Rhône y a répondu publiquement." in mail.body
    assert "La police nationale **renforce** ses patrouilles." in mail.body
    assert f"http://localhost/questions/{question.reference}" in mail.body
    assert "utilisez le lien personnel reçu lors de son envoi" in mail.body
    assert question.followup_token_hash not in mail.body
    assert "composez le 17 ou le 112" in mail.body

    correction = moderation.answer(question, "La police nationale renforce ses patrouilles le soir.", moderator)
    db.session.commit()
    question = reload(db, question)
    assert correction is None, "a correction does not write to the citizen again"
    assert question.answered_at == first_time, "the answer dates from when the citizen was told"
    assert [e.action for e in events(db, question)] == ["question.answer", "question.answer_update"]
    assert events(db, question)[-1].changes == {"answer_text": [
        "La police nationale **renforce** ses patrouilles.", "La police nationale renforce ses patrouilles le soir."]}
    assert len(mails(db)) == 1


def test_answer_without_email_queues_nothing(db, create_question, moderator, request_context):
    question = create_question(status=QuestionStatus.PUBLISHED, display_name="Marie")
    assert moderation.answer(question, "Une réponse de la préfecture.", moderator) is None
    assert mails(db) == []


@pytest.mark.parametrize("status", [QuestionStatus.PENDING, QuestionStatus.REJECTED, QuestionStatus.MERGED])
def test_only_a_published_question_is_answered(db, create_question, moderator, status):
    question = create_question(status=status)
    with pytest.raises(ModerationError, match="Seule une question publiée peut recevoir une réponse"):
        moderation.answer(question, "Une réponse.", moderator)


@pytest.mark.parametrize("text, message", [
    ("  \n ", "Rédigez la réponse avant de la publier."),
    ("a" * 10_001, "ne doit pas dépasser 10\u202f000 caractères"),
])
def test_answer_checks_the_text(db, create_question, moderator, text, message):
    question = create_question(status=QuestionStatus.PUBLISHED)
    with pytest.raises(ModerationError, match=message) as raised:
        moderation.answer(question, text, moderator)
    assert raised.value.field == "answer"


# --- taken up at a forum ----------------------------------------------------------------------------

def test_mark_addressed_at_a_forum_that_took_place(db, create_question, create_forum, moderator, request_context):
    forum = create_forum(status=ForumStatus.HELD, title="Forum d'Aix-en-Provence", starts_at=paris_time(2009, 3, 17))
    question = create_question(status=QuestionStatus.PUBLISHED, email="citoyen@example.fr",
                               submitted_at=paris_time(2009, 3, 10))
    mail = moderation.mark_addressed(question, forum, moderator)
    db.session.commit()
    question = reload(db, question)
    assert question.addressed_forum_id == forum.id and question.addressed_at is not None
    [event] = events(db, question)
    assert event.action == "question.address"
    assert event.changes == {"addressed_forum": [None, "Forum d'Aix-en-Provence"]}
    assert event.summary == f"Question {question.reference} abordée lors du forum « Forum d'Aix-en-Provence » " \
                            "du 17 mars 2009."
    assert mail.kind == "addressed" and mail.recipient == "citoyen@example.fr"
    assert mail.subject == f"Votre question {question.reference} a été abordée lors d'un forum"
    assert "abordée lors du forum de sécurité « Forum d'Aix-en-Provence » du 17 mars 2009 à Aix-en-Provence, " \
           "organisé par la préfecture des Bouches-du-Rhône." in mail.body
    assert "utilisez le lien personnel reçu lors de son envoi" in mail.body


def test_addressed_again_at_the_same_forum_is_refused_and_never_mailed_twice(db, create_question, create_forum,
                                                                              moderator, request_context):
    first = create_forum(status=ForumStatus.HELD, title="Forum d'Aix")
    second = create_forum(status=ForumStatus.PUBLISHED, title="Forum d'Arles", cantons=["1306"], commune="13004",
                          starts_at=paris_time(2009, 3, 24))
    question = create_question(status=QuestionStatus.PUBLISHED, email="citoyen@example.fr")
    moderation.mark_addressed(question, first, moderator)
    with pytest.raises(ModerationError, match="déjà marquée comme abordée lors du forum « Forum d'Aix »"):
        moderation.mark_addressed(question, first, moderator)
    assert moderation.mark_addressed(question, second, moderator) is not None
    assert moderation.mark_addressed(question, first, moderator) is None, "the citizen was told about it already"
    db.session.commit()
    assert [m.dedupe_key for m in mails(db)] == [f"addressed:{question.id}:{first.id}",
                                                  f"addressed:{question.id}:{second.id}"]
    assert events(db, question)[-1].changes == {"addressed_forum": ["Forum d'Arles", "Forum d'Aix"]}


def test_the_forum_must_have_started_in_the_department(db, create_question, create_forum, moderator, territories):
    question = create_question(status=QuestionStatus.PUBLISHED)
    later = datetime.now(UTC) + timedelta(days=30)
    cases = [
        (None, "Choisissez un forum du département"),
        (create_forum(department="75", cantons=["7501"], commune="75056", status=ForumStatus.HELD),
         "Choisissez un forum du département"),
        (create_forum(status=ForumStatus.DRAFT), "Choisissez un forum qui a déjà eu lieu"),
        (create_forum(status=ForumStatus.CANCELLED, cancellation_reason="Salle indisponible."),
         "Choisissez un forum qui a déjà eu lieu"),
        (create_forum(status=ForumStatus.PUBLISHED, starts_at=later), "Choisissez un forum qui a déjà eu lieu"),
    ]
    for forum, message in cases:
        with pytest.raises(ModerationError, match=message) as raised:
            moderation.mark_addressed(question, forum, moderator)
        assert raised.value.field == "forum"
    assert events(db) == []


def test_only_a_published_question_is_marked_addressed(db, create_question, create_forum, moderator):
    forum = create_forum(status=ForumStatus.HELD)
    question = create_question()
    with pytest.raises(ModerationError, match="Seule une question publiée peut être marquée comme abordée"):
        moderation.mark_addressed(question, forum, moderator)


def test_forums_for_addressing_lists_started_forums_of_the_department(db, create_forum, consultation):
    held = create_forum(status=ForumStatus.HELD, title="Tenu", starts_at=paris_time(2009, 3, 17))
    started = create_forum(status=ForumStatus.PUBLISHED, title="Commencé", starts_at=paris_time(2009, 3, 24),
                           cantons=["1306"], commune="13004")
    create_forum(status=ForumStatus.PUBLISHED, title="À venir", starts_at=paris_time(2009, 5, 12), cantons=["1305"])
    create_forum(status=ForumStatus.CANCELLED, title="Annulé", cancellation_reason="Intempéries.",
                 starts_at=paris_time(2009, 3, 18))
    create_forum(status=ForumStatus.DRAFT, title="Brouillon", starts_at=paris_time(2009, 3, 19))
    found = moderation.forums_for_addressing("13", consultation.id, now=paris_time(2009, 4, 1))
    assert [forum.id for forum in found] == [started.id, held.id]
