"""Purging citizens' personal data after a consultation: what goes, what stays, when it may run."""
from datetime import date

import pytest
from sqlalchemy import func, select

from forums.models import (
    AuditEvent, Consultation, OutgoingMail, Question, QuestionContact, QuestionStatus, QuestionSupport,
)
from forums.publication import publication_version
from forums.services.mail import queue_mail
from forums.services.personal_data import REDACTED_TEXT, PersonalDataError, PurgeReport, purge_personal_data


def count(db, model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def asked(db, consultation, create_question):
    """Questions of the 2009 consultation with contacts, supports and mails; one of another consultation."""
    named = create_question(status=QuestionStatus.PUBLISHED, email="camille@example.fr",
                            display_name="Camille", commune_code="13001", postal_code="13100", support_count=2)
    mailed = create_question(status=QuestionStatus.PUBLISHED, email="dominique@example.fr", support_count=1)
    signed = create_question(display_name="Un habitant d'Arles")
    create_question(text="Une question sans coordonnées, posée de façon anonyme.")
    db.session.add_all([
        QuestionSupport(question_id=named.id, supporter_hash="a" * 64),
        QuestionSupport(question_id=named.id, supporter_hash="b" * 64),
        QuestionSupport(question_id=mailed.id, supporter_hash="a" * 64),
    ])
    queue_mail("acknowledgement", "camille@example.fr", "Accusé de réception", "Suivi : …/jeton", question=named)
    queue_mail("answer", "camille@example.fr", "Réponse", "Réponse de la préfecture", question=named)
    queue_mail("acknowledgement", "dominique@example.fr", "Accusé de réception", "…", question=mailed)
    queue_mail("moderation_digest", "moderatrice@example.gouv.fr", "Synthèse", "3 questions…",
               dedupe_key="digest:2009-03-20:1")

    other = Consultation(slug="2010", name="Consultation suivante", meetings_start_on=date(2010, 3, 1),
                         meetings_end_on=date(2010, 4, 1), synthesis_due_on=date(2010, 4, 10))
    db.session.add(other)
    db.session.flush()
    later = create_question(email="eve@example.fr", display_name="Ève", status=QuestionStatus.PUBLISHED)
    later.consultation_id = other.id
    db.session.add(QuestionSupport(question_id=later.id, supporter_hash="a" * 64))
    queue_mail("acknowledgement", "eve@example.fr", "Accusé de réception", "…", question=later)
    db.session.commit()
    return {"named": named, "mailed": mailed, "signed": signed, "later": later}


def test_purge_removes_contacts_citizen_mails_and_supports(db, consultation, asked):
    report = purge_personal_data(consultation)
    db.session.commit()

    assert report == PurgeReport(contacts=3, emails=2, display_names=2, citizen_mails=3, supports=3,
                                 edited_originals=0, rejected_texts=0, dry_run=False)
    mine = Question.consultation_id == consultation.id
    assert count(db, QuestionContact, QuestionContact.question_id.in_(select(Question.id).where(mine))) == 0
    assert count(db, QuestionSupport, QuestionSupport.question_id.in_(select(Question.id).where(mine))) == 0
    assert count(db, OutgoingMail, OutgoingMail.question_id.in_(select(Question.id).where(mine))) == 0


def test_purge_keeps_questions_counts_places_and_agents_mail(db, consultation, asked):
    named_id = asked["named"].id
    purge_personal_data(consultation)
    db.session.commit()

    named = db.session.get(Question, named_id)
    assert named.contact is None
    assert named.status is QuestionStatus.PUBLISHED
    assert named.public_text == "Que fait la police contre les cambriolages dans notre quartier ?"
    assert (named.support_count, named.commune_code, named.postal_code) == (2, "13001", "13100")
    assert count(db, Question) == 5
    # The digest to an agent is not a citizen's data.
    assert db.session.scalars(select(OutgoingMail.kind).order_by(OutgoingMail.id)).all() == [
        "moderation_digest", "acknowledgement",
    ]


def test_purge_rewrites_edited_originals_and_rejected_texts(db, consultation, create_question):
    edited = create_question(text="Mon voisin Jean Dupont, 12 rue des Lilas, deale dans l'escalier.",
                             public_text="Un voisin deale dans l'escalier de notre immeuble.",
                             status=QuestionStatus.PUBLISHED)
    rejected = create_question(text="Le maire Untel est un voleur, tout le monde le sait bien ici.",
                               status=QuestionStatus.REJECTED)
    db.session.commit()

    report = purge_personal_data(consultation)
    db.session.commit()
    again = purge_personal_data(consultation)

    assert (report.edited_originals, report.rejected_texts) == (1, 1)
    assert db.session.get(Question, edited.id).text == "Un voisin deale dans l'escalier de notre immeuble."
    purged = db.session.get(Question, rejected.id)
    assert purged.text == purged.public_text == REDACTED_TEXT and purged.search_text == ""
    assert purged.status is QuestionStatus.REJECTED
    assert again.total == 0


def test_purge_leaves_other_consultations_alone(db, consultation, asked):
    purge_personal_data(consultation)
    db.session.commit()

    later = db.session.get(Question, asked["later"].id)
    assert (later.contact.email, later.contact.display_name) == ("eve@example.fr", "Ève")
    assert count(db, QuestionSupport) == 1
    assert db.session.scalars(select(OutgoingMail.recipient).where(OutgoingMail.question_id.is_not(None))).all() == [
        "eve@example.fr"
    ]


def test_purge_is_recorded_in_the_audit_log(db, consultation, asked):
    purge_personal_data(consultation)
    db.session.commit()

    [event] = db.session.scalars(select(AuditEvent)).all()
    assert (event.action, event.object_type, event.object_id) == (
        "questions.purge_personal_data", "consultation", str(consultation.id)
    )
    assert event.agent_id is None
    assert event.summary == ("Données personnelles des questions de la consultation 2009 supprimées : "
                             "3 coordonnées, 3 courriels, 3 soutiens, 0 textes originaux modifiés, "
                             "0 textes refusés, 0 textes remplacés au journal.")
    assert event.changes == {"question_contacts": [3, 0], "citizen_mails": [3, 0], "question_supports": [3, 0],
                             "edited_originals": [0, 0], "rejected_texts": [0, 0], "journal_texts": [0, 0]}


def test_removing_display_names_expires_public_caches(db, consultation, asked):
    before, _ = publication_version(db.session)

    purge_personal_data(consultation)
    db.session.commit()

    assert publication_version(db.session)[0] == before + 1


def test_dry_run_counts_and_changes_nothing(db, consultation, asked):
    before = publication_version(db.session)[0]

    report = purge_personal_data(consultation, dry_run=True)
    db.session.commit()

    assert report == PurgeReport(contacts=3, emails=2, display_names=2, citizen_mails=3, supports=3,
                                 edited_originals=0, rejected_texts=0, dry_run=True)
    assert count(db, QuestionContact) == 4
    assert count(db, QuestionSupport) == 4
    assert count(db, OutgoingMail) == 5
    assert count(db, AuditEvent) == 0
    assert publication_version(db.session)[0] == before


def test_a_second_purge_finds_nothing_and_records_nothing(db, consultation, asked):
    purge_personal_data(consultation)
    db.session.commit()

    again = purge_personal_data(consultation)
    db.session.commit()

    assert again.total == 0
    assert count(db, AuditEvent) == 1


@pytest.mark.parametrize("today", [date(2009, 3, 16), date(2009, 5, 22)])
def test_purge_is_refused_until_the_syntheses_are_due(db, consultation, asked, today):
    for dry_run in (False, True):
        with pytest.raises(PersonalDataError) as refused:
            purge_personal_data(consultation, dry_run=dry_run, today=today)

        assert str(refused.value) == (
            "la consultation 2009 n'est pas terminée : les préfectures peuvent répondre aux citoyens jusqu'à "
            "la remise des synthèses, le 22/05/2009. Relancez la commande à partir du 23/05/2009, "
            "ou ajoutez --force."
        )
    assert count(db, QuestionContact) == 4


def test_purge_runs_the_day_after_the_syntheses_are_due(db, consultation, asked):
    assert purge_personal_data(consultation, today=date(2009, 5, 23)).contacts == 3


def test_force_purges_an_open_consultation(db, consultation, asked):
    report = purge_personal_data(consultation, force=True, today=date(2009, 4, 1))
    db.session.commit()

    assert report.contacts == 3
    assert count(db, QuestionContact) == 1


def test_the_personal_data_page_explains_the_questions_processing(client):
    # Compared with single spaces: the template wraps its lines.
    html = " ".join(client.get("/donnees-personnelles").get_data(as_text=True).split())

    for text in ('<h2 id="questions">Les questions des citoyens</h2>', "mission d'intérêt public",
                 "votre commune ou votre code postal, utilisés uniquement pour compter",
                 "n'est jamais publiée, ni exportée, ni diffusée par l'interface de programmation (API)",
                 "sont conservés jusqu'à la fin de la consultation, puis supprimés",
                 "après la date de remise des synthèses départementales",
                 "Le nombre de soutiens de chaque question est conservé.",
                 "les modérateurs et les agents habilités de la préfecture du département concerné",
                 "droit d'opposition", "Commission nationale de l'informatique et des libertés (CNIL)"):
        assert text in html, text
