"""Minutes rules, called directly: round trip, validation, versions, locking, questions taken up, documents."""
import html
import io
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import FileStorage

from forums.models import (
    AttachmentKind, AttendanceCategory, AuditEvent, Consultation, DepartmentSynthesis, ForumStatus, Minutes,
    MinutesAttachment, MinutesVersion, Proposal, ProposalOrigin, Question, QuestionStatus, Role, SynthesisAnnex, SynthesisStatus,
    Theme,
)
from forums.services import minutes as service
from forums.services.minutes import MinutesData, MinutesError, ProposalData, TopicData
from forums.services.moderation import ModerationError, clear_addressed, mark_addressed
from forums.timeutils import utcnow

from ..conftest import paris_time
from ..test_file_types import MZ, pdf_bytes, png_bytes

#: A moment well after every forum of the 2009 consultation.
LATER = paris_time(2009, 3, 25, 10, 0)


@pytest.fixture
def forum(create_forum):
    """A published forum of arrondissement 131 that took place on 17 March 2009."""
    return create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")


@pytest.fixture
def author(create_agent):
    return create_agent(Role.SUBPREFECTURE, arrondissement="131")


@pytest.fixture
def question(forum, create_question):
    return create_question("Les caméras de la gare fonctionnent-elles ?", status=QuestionStatus.PUBLISHED,
                           forum=forum)


def minutes_data(subtopics, **overrides):
    """Return complete, valid minutes: two sub-topics, two proposals (one about a whole theme)."""
    video, municipal = subtopics["1.A.1"], subtopics["2.A.1"]
    data = MinutesData(
        attendance={AttendanceCategory.PUBLIC: 85, AttendanceCategory.ELECTED: 6, AttendanceCategory.POLICE: 3,
                    AttendanceCategory.GENDARMERIE: 2, AttendanceCategory.MUNICIPAL_POLICE: 1,
                    AttendanceCategory.OTHER: None},
        duration_minutes=135,
        topics=[TopicData(video.id, "Caméras en panne près de la gare.\r\n", "Réparation prévue en avril."),
                TopicData(municipal.id, "Patrouilles trop rares le soir.", "")],
        strengths="Dialogue ouvert.", weaknesses="Salle trop petite.",
        proposals=[ProposalData(video.part.theme_id, video.id, "elu", "Installer deux caméras place de la gare."),
                   ProposalData(municipal.part.theme_id, None, ProposalOrigin.PUBLIC,
                                "Créer un conseil local de sécurité.")],
        notes="Prochaine réunion **en juin**.",
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def save(db, forum, data, by, now=LATER):
    minutes = service.save_minutes(forum, data, by, now=now)
    db.session.commit()
    return minutes


def reload(db, forum):
    db.session.expire_all()
    return db.session.scalar(db.select(Minutes).where(Minutes.forum_id == forum.id))


def actions(db):
    db.session.expire_all()
    return db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- round trip ----------------------------------------------------------------------------------------

def test_attendance_topics_and_proposals_round_trip(db, forum, subtopics, author):
    save(db, forum, minutes_data(subtopics), author)

    minutes = reload(db, forum)
    assert minutes.attendance() == {
        AttendanceCategory.PUBLIC: 85, AttendanceCategory.ELECTED: 6, AttendanceCategory.POLICE: 3,
        AttendanceCategory.GENDARMERIE: 2, AttendanceCategory.MUNICIPAL_POLICE: 1, AttendanceCategory.OTHER: None,
    }, "a category left blank is not counted, not 0"
    assert (minutes.duration_minutes, minutes.strengths, minutes.weaknesses) == (135, "Dialogue ouvert.",
                                                                                 "Salle trop petite.")
    # Line breaks are stored as "\n" and texts trimmed; the Markdown source is kept as typed.
    assert [(t.subtopic.code, t.concerns, t.answers, t.position) for t in minutes.topics] == [
        ("1.A.1", "Caméras en panne près de la gare.", "Réparation prévue en avril.", 0),
        ("2.A.1", "Patrouilles trop rares le soir.", "", 1),
    ]
    assert minutes.notes == "Prochaine réunion **en juin**."
    video, municipal = subtopics["1.A.1"], subtopics["2.A.1"]
    assert [(p.theme_id, p.subtopic_id, p.origin, p.text, p.position, p.forum_id, p.department_code,
             p.consultation_id) for p in minutes.proposals] == [
        (video.part.theme_id, video.id, ProposalOrigin.ELECTED, "Installer deux caméras place de la gare.", 0,
         forum.id, "13", forum.consultation_id),
        (municipal.part.theme_id, None, ProposalOrigin.PUBLIC, "Créer un conseil local de sécurité.", 1,
         forum.id, "13", forum.consultation_id),
    ]
    assert (minutes.created_by_id, minutes.updated_by_id, minutes.version_number) == (author.id, author.id, 1)

    again = MinutesData.from_minutes(minutes)
    assert again.attendance[AttendanceCategory.PUBLIC] == 85 and again.attendance[AttendanceCategory.OTHER] is None
    assert [(t.subtopic_id, t.concerns) for t in again.topics] == [
        (video.id, "Caméras en panne près de la gare."), (municipal.id, "Patrouilles trop rares le soir.")]
    assert [(p.theme_id, p.subtopic_id, p.origin, p.text) for p in again.proposals] == [
        (p.theme_id, p.subtopic_id, p.origin, p.text) for p in minutes.proposals]


def test_saving_marks_the_forum_held_and_is_audited(db, forum, subtopics, author):
    save(db, forum, minutes_data(subtopics), author)

    db.session.expire_all()
    assert forum.status is ForumStatus.HELD
    assert actions(db) == ["forum.hold", "minutes.save"]
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "minutes.save")).one()
    assert (event.agent_id, event.department_code) == (author.id, "13")
    assert "Forum d'Aix" in event.summary and "version 1" in event.summary


def test_an_update_reuses_rows_and_drops_the_ones_left_out(db, forum, subtopics, author):
    save(db, forum, minutes_data(subtopics), author)
    first_ids = [p.id for p in reload(db, forum).proposals]

    data = minutes_data(subtopics)
    data.proposals = data.proposals[:1]
    data.topics = data.topics[1:]
    save(db, forum, data, author)

    minutes = reload(db, forum)
    assert [p.id for p in minutes.proposals] == first_ids[:1]
    assert count(db, Proposal) == 1
    assert [t.subtopic.code for t in minutes.topics] == ["2.A.1"]


def test_empty_sub_topics_are_not_stored(db, forum, subtopics, author):
    data = minutes_data(subtopics)
    data.topics.append(TopicData(subtopics["1.A.2"].id, "  ", "\r\n"))

    save(db, forum, data, author)

    assert [t.subtopic.code for t in reload(db, forum).topics] == ["1.A.1", "2.A.1"]


# --- validation ------------------------------------------------------------------------------------------

def bad(subtopics, consultation_theme):
    """Return (overrides, expected error keys) for each refusal."""
    video, municipal = subtopics["1.A.1"], subtopics["2.A.1"]
    long_text = "x" * 10_001
    return [
        ({"attendance": {AttendanceCategory.PUBLIC: -4}}, {"attendance.public"}),
        ({"attendance": {AttendanceCategory.MUNICIPAL_POLICE: 10_001}}, {"attendance.municipal_police"}),
        ({"attendance": {AttendanceCategory.OTHER: "douze"}}, {"attendance.other"}),
        ({"duration_minutes": 0}, {"duration_minutes"}),
        ({"duration_minutes": 721}, {"duration_minutes"}),
        ({"strengths": long_text, "weaknesses": long_text}, {"strengths", "weaknesses"}),
        ({"notes": "x" * 20_001}, {"notes"}),
        ({"topics": [TopicData(999_999, "Un sous-thème inconnu.", "")]}, {"topics.0"}),
        ({"topics": [TopicData(video.id, "Une fois.", ""), TopicData(video.id, "Deux fois.", "")]}, {"topics.1"}),
        ({"topics": [TopicData(video.id, long_text, ""), TopicData(municipal.id, "", long_text)]},
         {"topics.0.concerns", "topics.1.answers"}),
        ({"proposals": [ProposalData(video.part.theme_id, video.id, "elu", "")]}, {"proposals.0.text"}),
        ({"proposals": [ProposalData(video.part.theme_id, video.id, "elu", "Non")]}, {"proposals.0.text"}),
        ({"proposals": [ProposalData(video.part.theme_id, video.id, "elu", "x" * 2001)]}, {"proposals.0.text"}),
        ({"proposals": [ProposalData(None, None, "elu", "Une proposition sans thème.")]}, {"proposals.0.theme_id"}),
        ({"proposals": [ProposalData(consultation_theme, None, "elu", "Le thème d'une autre consultation.")]},
         {"proposals.0.theme_id"}),
        ({"proposals": [ProposalData(municipal.part.theme_id, video.id, "elu", "Un sous-thème d'un autre thème.")]},
         {"proposals.0.subtopic_id"}),
        ({"proposals": [ProposalData(video.part.theme_id, 999_999, "elu", "Un sous-thème inconnu ici.")]},
         {"proposals.0.subtopic_id"}),
        ({"proposals": [ProposalData(video.part.theme_id, video.id, "martiens", "Une origine inconnue.")]},
         {"proposals.0.origin"}),
        ({"proposals": [ProposalData(video.part.theme_id, video.id, "elu", "Une proposition valable.")] * 201},
         {"proposals"}),
        ({"question_ids": [999_999]}, {"question_ids"}),
    ]


@pytest.fixture
def other_theme(db, consultation):
    """The id of a theme of another consultation."""
    other = Consultation(slug="2010", name="Essai", meetings_start_on=date(2010, 3, 1),
                         meetings_end_on=date(2010, 4, 30), synthesis_due_on=date(2010, 5, 10), is_current=False)
    theme = Theme(consultation=other, code="1", position=1, title="Un thème de 2010")
    db.session.add(theme)
    db.session.commit()
    return theme.id


def test_every_refusal_names_its_field_and_nothing_is_written(db, forum, subtopics, author, other_theme):
    for overrides, keys in bad(subtopics, other_theme):
        with pytest.raises(MinutesError) as refused:
            service.save_minutes(forum, minutes_data(subtopics, **overrides), author, now=LATER)
        db.session.rollback()
        assert set(refused.value.errors) == keys, overrides
        assert all(isinstance(messages, list) and messages for messages in refused.value.errors.values())
    assert count(db, Minutes) == 0
    assert count(db, AuditEvent) == 0
    db.session.expire_all()
    assert forum.status is ForumStatus.PUBLISHED


def test_all_refusals_are_reported_at_once(db, forum, subtopics, author):
    data = minutes_data(subtopics, duration_minutes=5000, attendance={AttendanceCategory.PUBLIC: -1})
    data.proposals[1].text = "Non"

    with pytest.raises(MinutesError) as refused:
        service.save_minutes(forum, data, author, now=LATER)

    assert set(refused.value.errors) == {"duration_minutes", "attendance.public", "proposals.1.text"}
    assert "entre 1 et 720 minutes" in refused.value.errors["duration_minutes"][0]


def test_a_proposal_about_a_sub_topic_takes_its_theme(db, forum, subtopics, author):
    video = subtopics["1.A.1"]
    save(db, forum, minutes_data(subtopics, proposals=[ProposalData(None, video.id, "association",
                                                                    "Former les commerçants à la vidéo.")]),
         author)

    [proposal] = reload(db, forum).proposals
    assert (proposal.theme_id, proposal.subtopic_id, proposal.origin) == (
        video.part.theme_id, video.id, ProposalOrigin.ASSOCIATION)


# --- when minutes may be written -----------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "starts_in", "refused"), [
    (ForumStatus.PUBLISHED, timedelta(days=-1), None),
    (ForumStatus.POSTPONED, timedelta(hours=-1), None),
    (ForumStatus.HELD, timedelta(days=-3), None),
    (ForumStatus.PUBLISHED, timedelta(days=10), "n'a pas encore eu lieu"),
    (ForumStatus.POSTPONED, timedelta(minutes=5), "n'a pas encore eu lieu"),
    (ForumStatus.DRAFT, timedelta(days=-1), "n'a pas été publié"),
    (ForumStatus.CANCELLED, timedelta(days=-1), "a été annulé"),
])
def test_which_forums_may_have_minutes(create_forum, status, starts_in, refused):
    forum = create_forum(status=status, starts_at=utcnow() + starts_in)

    reason = service.can_have_minutes(forum)

    assert (reason is None) if refused is None else (refused in reason)


def test_minutes_of_a_future_forum_are_refused(db, create_forum, subtopics, author):
    future = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 4, 2, 18, 30))

    with pytest.raises(MinutesError) as refused:
        service.save_minutes(future, minutes_data(subtopics), author, now=paris_time(2009, 4, 2, 18, 0))

    assert list(refused.value.errors) == ["__all__"]
    assert "jeudi 2 avril 2009 à 18 h 30" in refused.value.errors["__all__"][0]
    assert count(db, Minutes) == 0
    assert future.status is ForumStatus.PUBLISHED


# --- versions ------------------------------------------------------------------------------------------------

def test_every_changed_save_is_a_version_and_an_unchanged_one_is_not(db, forum, subtopics, author, create_agent):
    prefect = create_agent(Role.PREFECTURE, department="13")
    save(db, forum, minutes_data(subtopics), author, now=paris_time(2009, 3, 18, 9, 0))
    save(db, forum, minutes_data(subtopics), prefect, now=paris_time(2009, 3, 18, 10, 0))
    changed = minutes_data(subtopics, attendance={AttendanceCategory.PUBLIC: 120})
    save(db, forum, changed, prefect, now=paris_time(2009, 3, 19, 9, 0))
    save(db, forum, changed, prefect, now=paris_time(2009, 3, 19, 10, 0))

    minutes = reload(db, forum)
    assert minutes.version_number == 2
    assert [(v.number, v.saved_by_id, v.saved_at) for v in minutes.versions] == [
        (1, author.id, paris_time(2009, 3, 18, 9, 0)), (2, prefect.id, paris_time(2009, 3, 19, 9, 0))]
    assert (minutes.updated_by_id, minutes.updated_at) == (prefect.id, paris_time(2009, 3, 19, 9, 0))
    assert actions(db).count("minutes.save") == 2


def test_a_past_version_keeps_what_the_minutes_said_then(db, forum, subtopics, author, question):
    save(db, forum, minutes_data(subtopics, question_ids=[question.id]), author)
    later = minutes_data(subtopics, attendance={AttendanceCategory.PUBLIC: 120})
    later.proposals[0].text = "Une autre idée pour la gare."
    save(db, forum, later, author)
    minutes = reload(db, forum)

    first = service.version_snapshot(minutes, 1)
    current = service.version_snapshot(minutes, 2)

    assert isinstance(first, MinutesVersion) and first.number == 1
    snapshot = first.snapshot
    assert snapshot["attendance"]["public"] == 85 and current.snapshot["attendance"]["public"] == 120
    assert snapshot["proposals"][0] == {
        "theme_id": subtopics["1.A.1"].part.theme_id, "theme_code": "1",
        "theme_title": "La sécurité, un devoir vis-à-vis de nos concitoyens",
        "subtopic_id": subtopics["1.A.1"].id, "subtopic_code": "1.A.1", "subtopic_title": "Vidéo-protection",
        "origin": "elu", "text": "Installer deux caméras place de la gare.",
    }
    assert snapshot["topics"][0]["subtopic_code"] == "1.A.1"
    assert snapshot["questions"] == [{"id": question.id, "reference": question.reference}]
    assert (snapshot["number"], snapshot["saved_by"]) == (1, author.full_name)
    # Un-ticked at the second save: the question leaves the current version only.
    assert current.snapshot["questions"] == []
    assert service.version_snapshot(minutes, 3) is None
    assert service.version_snapshot(None, 1) is None


# --- locking -------------------------------------------------------------------------------------------------

def synthesis_for(db, forum, status):
    """Store the department's synthesis; a transmitted one carries the forum's minutes."""
    synthesis = DepartmentSynthesis(consultation_id=forum.consultation_id, department_code=forum.department_code,
                                    status=status)
    if status is SynthesisStatus.SUBMITTED:
        synthesis.annexes = [SynthesisAnnex(forum_id=forum.id, minutes_version=1)]
    db.session.add(synthesis)
    db.session.commit()
    return synthesis


def test_a_submitted_synthesis_locks_the_minutes_and_reopening_unlocks_them(db, forum, subtopics, author):
    save(db, forum, minutes_data(subtopics), author)
    synthesis = synthesis_for(db, forum, SynthesisStatus.DRAFT)
    assert service.minutes_lock_reason(forum) is None

    synthesis.status = SynthesisStatus.SUBMITTED
    synthesis.annexes = [SynthesisAnnex(forum_id=forum.id, minutes_version=1)]
    db.session.commit()
    reason = service.minutes_lock_reason(forum)
    with pytest.raises(MinutesError) as refused:
        service.save_minutes(forum, minutes_data(subtopics, duration_minutes=90), author, now=LATER)

    assert "verrouillé" in reason
    assert refused.value.errors == {"__all__": [reason]}
    db.session.rollback()
    assert reload(db, forum).duration_minutes == 135

    synthesis.status = SynthesisStatus.REOPENED
    db.session.commit()
    assert service.minutes_lock_reason(forum) is None
    save(db, forum, minutes_data(subtopics, duration_minutes=90), author)
    assert reload(db, forum).duration_minutes == 90


def test_another_departments_synthesis_locks_nothing(db, forum, subtopics, author):
    db.session.add(DepartmentSynthesis(consultation_id=forum.consultation_id, department_code="75",
                                       status=SynthesisStatus.SUBMITTED))
    db.session.commit()

    assert service.minutes_lock_reason(forum) is None


# --- questions taken up at the forum ---------------------------------------------------------------------------

def public_page(client, question):
    return " ".join(html.unescape(client.get(f"/questions/{question.reference}").get_data(as_text=True)).split())


def test_taken_up_questions_show_it_publicly_and_un_ticking_clears_it(db, client, forum, subtopics, author,
                                                                     question):
    save(db, forum, minutes_data(subtopics, question_ids=[question.id]), author)

    db.session.expire_all()
    assert (question.addressed_forum_id, question.addressed_at) == (forum.id, LATER)
    assert "Traitée lors du forum du mardi 17 mars 2009" in public_page(client, question)
    assert MinutesData.from_minutes(reload(db, forum)).question_ids == [question.id]

    save(db, forum, minutes_data(subtopics, question_ids=[]), author)

    db.session.expire_all()
    assert (question.addressed_forum_id, question.addressed_at) == (None, None)
    assert "Traitée lors du forum" not in public_page(client, question)
    assert [a for a in actions(db) if a.startswith("question.")] == ["question.address", "question.clear_addressed"]


def test_only_the_forums_published_questions_can_be_ticked(db, forum, subtopics, author, question, create_question,
                                                           create_forum):
    pending = create_question("Une question en attente de modération ?", forum=forum)
    elsewhere = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 18), title="Autre forum")
    other = create_question("Une question pour un autre forum ?", status=QuestionStatus.PUBLISHED, forum=elsewhere)

    assert [q.id for q in service.taken_up_candidates(forum)] == [question.id]
    for refused_id in (pending.id, other.id):
        with pytest.raises(MinutesError) as refused:
            service.save_minutes(forum, minutes_data(subtopics, question_ids=[refused_id]), author, now=LATER)
        assert list(refused.value.errors) == ["question_ids"]
        db.session.rollback()
    assert db.session.get(Question, pending.id).addressed_forum_id is None


def test_a_question_taken_up_from_the_moderation_pages_is_offered_and_kept(db, forum, subtopics, author,
                                                                          create_question):
    asked_to_department = create_question("Une question posée au département ?", status=QuestionStatus.PUBLISHED)
    mark_addressed(asked_to_department, forum, author, now=LATER)
    db.session.commit()

    assert [q.id for q in service.taken_up_candidates(forum)] == [asked_to_department.id]
    save(db, forum, minutes_data(subtopics, question_ids=[asked_to_department.id]), author)
    assert db.session.get(Question, asked_to_department.id).addressed_forum_id == forum.id


def test_clearing_a_question_never_taken_up_is_refused(db, question, author):
    with pytest.raises(ModerationError):
        clear_addressed(question, author)


# --- documents -------------------------------------------------------------------------------------------------

@pytest.fixture
def minutes(db, forum, subtopics, author):
    return save(db, forum, minutes_data(subtopics), author)


def files_under(directory):
    return sorted(os.path.join(root, name) for root, _, names in os.walk(directory) for name in names)


def test_a_document_is_stored_attached_and_removed(db, tmp_path, minutes, author):
    directory = str(tmp_path / "uploads")

    attachment = service.attach_document(minutes, FileStorage(io.BytesIO(pdf_bytes()), filename="CR signé.pdf"),
                                         AttachmentKind.SIGNED, author, directory, 1024 * 1024)
    db.session.commit()

    assert (attachment.original_name, attachment.mime_type, attachment.uploaded_by_id) == (
        "CR signé.pdf", "application/pdf", author.id)
    assert minutes.has_signed_document
    assert files_under(directory) == [os.path.join(directory, attachment.storage_name[:2], attachment.storage_name)]

    service.remove_document(attachment, author, directory)
    db.session.commit()

    assert count(db, MinutesAttachment) == 0
    assert files_under(directory) == []
    assert actions(db)[-2:] == ["minutes.attach", "minutes.remove_document"]


def test_a_refused_file_is_an_error_on_the_document_and_nothing_is_stored(db, tmp_path, minutes, author):
    directory = str(tmp_path / "uploads")

    with pytest.raises(MinutesError) as refused:
        service.attach_document(minutes, FileStorage(io.BytesIO(MZ), filename="cr.pdf"), "signed", author,
                                directory, 1024 * 1024)

    assert list(refused.value.errors) == ["document"]
    assert "n'est pas accepté" in refused.value.errors["document"][0]
    db.session.rollback()
    assert count(db, MinutesAttachment) == 0
    assert files_under(directory) == []


def test_documents_are_locked_with_the_minutes(db, tmp_path, forum, minutes, author):
    directory = str(tmp_path / "uploads")
    attachment = service.attach_document(minutes, FileStorage(io.BytesIO(png_bytes()), filename="photo.png"),
                                         "other", author, directory, 1024 * 1024)
    db.session.commit()
    synthesis_for(db, forum, SynthesisStatus.SUBMITTED)
    before = files_under(directory)

    with pytest.raises(MinutesError):
        service.attach_document(minutes, FileStorage(io.BytesIO(pdf_bytes()), filename="cr.pdf"), "signed",
                                author, directory, 1024 * 1024)
    with pytest.raises(MinutesError):
        service.remove_document(attachment, author, directory)

    db.session.rollback()
    assert count(db, MinutesAttachment) == 1
    assert files_under(directory) == before


def test_a_version_lists_the_documents_attached_when_it_was_saved(db, tmp_path, forum, subtopics, minutes, author):
    service.attach_document(minutes, FileStorage(io.BytesIO(pdf_bytes()), filename="cr.pdf"), "signed", author,
                            str(tmp_path), 1024 * 1024)
    save(db, forum, minutes_data(subtopics, duration_minutes=100), author)

    assert service.version_snapshot(reload(db, forum), 2).snapshot["attachments"] == [
        {"original_name": "cr.pdf", "kind": "signed", "size": len(pdf_bytes())}]


# --- the public summary ----------------------------------------------------------------------------------------

def test_publishing_and_withdrawing_the_summary_is_audited(db, minutes, create_agent):
    prefect = create_agent(Role.PREFECTURE, department="13")

    service.publish_summary(minutes, prefect, show_names=True)
    db.session.commit()
    assert (minutes.summary_published, minutes.summary_shows_names) == (True, True)
    assert minutes.summary_published_at is not None

    service.unpublish_summary(minutes, prefect)
    db.session.commit()
    assert not minutes.summary_published
    assert actions(db)[-2:] == ["minutes.publish_summary", "minutes.unpublish_summary"]
    with pytest.raises(MinutesError):
        service.unpublish_summary(minutes, prefect)


# --- proposals -------------------------------------------------------------------------------------------------

def test_department_proposals_are_filtered_and_loaded(db, forum, subtopics, minutes, create_forum, author,
                                                      count_queries):
    video = subtopics["1.A.1"]
    arles = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 10), commune="13004",
                         cantons=["1306"], title="Forum d'Arles")
    save(db, arles, minutes_data(subtopics, proposals=[
        ProposalData(video.part.theme_id, video.id, "forces_ordre", "Des patrouilles à vélo en centre-ville.")]),
        author)
    consultation_id = forum.consultation_id
    db.session.expire_all()

    with count_queries() as statements:
        everything = service.department_proposals("13", consultation_id)
        texts = [(p.forum.title, p.theme.code, p.subtopic.code if p.subtopic else None) for p in everything]

    assert len(statements) == 1
    assert texts == [("Forum d'Arles", "1", "1.A.1"), ("Forum d'Aix", "1", "1.A.1"), ("Forum d'Aix", "2", None)]
    theme_two = subtopics["2.A.1"].part.theme_id
    assert [p.text for p in service.department_proposals("13", consultation_id, theme_id=theme_two)] == [
        "Créer un conseil local de sécurité."]
    assert len(service.department_proposals("13", consultation_id, subtopic_id=video.id)) == 2
    assert [p.forum_id for p in service.department_proposals("13", consultation_id, origin="forces_ordre")] == [
        arles.id]
    assert len(service.department_proposals("13", consultation_id, forum_id=forum.id)) == 2
    assert service.department_proposals("75", consultation_id) == []


# --- two agents at once -------------------------------------------------------------------------------------

def test_a_save_that_lost_a_race_is_refused_and_changes_nothing(db, forum, subtopics, author):
    save(db, forum, minutes_data(subtopics), author)
    minutes = reload(db, forum)
    # Another agent's save lands between this agent's reading of the minutes and their own save.
    db.session.execute(update(Minutes).where(Minutes.id == minutes.id).values(version_number=2)
                       .execution_options(synchronize_session=False))

    with pytest.raises(MinutesError) as refused:
        service.save_minutes(forum, minutes_data(subtopics, duration_minutes=60), author, now=LATER)

    assert "Un autre agent vient d'enregistrer ce compte-rendu" in refused.value.errors["__all__"][0]
    db.session.rollback()
    assert reload(db, forum).duration_minutes == 135


def test_a_form_opened_before_another_save_cannot_overwrite_it(db, forum, subtopics, author, create_agent):
    prefect = create_agent(Role.PREFECTURE, department="13")
    save(db, forum, minutes_data(subtopics), author)
    # Both agents open the form on version 1; the prefecture saves first.
    save(db, forum, minutes_data(subtopics, duration_minutes=90), prefect)

    with pytest.raises(MinutesError) as refused:
        service.save_minutes(forum, minutes_data(subtopics, duration_minutes=60), author, now=LATER, based_on=1)

    assert "Un autre agent vient d'enregistrer ce compte-rendu" in refused.value.errors["__all__"][0]
    db.session.rollback()
    minutes = reload(db, forum)
    assert (minutes.version_number, minutes.duration_minutes) == (2, 90)
    service.save_minutes(forum, minutes_data(subtopics, duration_minutes=60), author, now=LATER, based_on=2)
    assert reload(db, forum).version_number == 3


def test_two_first_saves_at_once_make_one_minutes(db, forum, subtopics, author):
    # The other agent's minutes exist in the database, not yet in this session's view of the forum.
    db.session.execute(Minutes.__table__.insert().values(
        forum_id=forum.id, department_code="13", consultation_id=forum.consultation_id, version_number=1))
    set_committed_value(forum, "minutes", None)

    with pytest.raises(MinutesError) as refused:
        service.save_minutes(forum, minutes_data(subtopics), author, now=LATER)

    assert "Un autre agent vient d'enregistrer ce compte-rendu" in refused.value.errors["__all__"][0]
    db.session.rollback()
    assert count(db, Minutes) == 0
