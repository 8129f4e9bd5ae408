"""The public summary of the minutes on the forum's page: only once published, no names unless chosen, no documents."""
import html
import re

import pytest

from forums.models import (
    AttachmentKind, AttendanceCategory, ForumStatus, Minutes, MinutesAttachment, MinutesTopic, MinutesVersion, Proposal,
    ProposalOrigin, QuestionStatus, Role,
)
from forums.publication import publication_version

from ..conftest import paris_time


def text(response):
    return html.unescape(response.get_data(as_text=True))


def squash(value):
    return " ".join(value.split())


def summary_of(page):
    found = re.search(r'<section class="fr-mt-6w" aria-labelledby="summary-title" id="minutes-summary">(.*?)</section>',
                      page, re.S)
    return squash(found.group(1)) if found else None


@pytest.fixture
def forum(create_forum):
    return create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17), title="Forum du pays d'Aix",
                        animator_name="M. Laurent Ferrand", animator_function="Sous-préfet d'Aix-en-Provence")


@pytest.fixture
def minutes(db, forum, subtopics, create_agent):
    """Minutes with attendance, two topics, two proposals and a signed document, written by a named agent."""
    author = create_agent(Role.SUBPREFECTURE, arrondissement="131")
    author.full_name = "Camille Rédactrice"
    video, municipal = subtopics["1.A.1"], subtopics["2.A.1"]
    video_theme, municipal_theme = video.part.theme_id, municipal.part.theme_id
    record = Minutes(
        forum=forum, department_code="13", consultation_id=forum.consultation_id, version_number=1,
        attendance_public=85, attendance_elected=6, attendance_police=3, attendance_gendarmerie=2,
        attendance_municipal_police=1, attendance_other=4, duration_minutes=135,
        strengths="Bonne écoute des forces de l'ordre.", weaknesses="Éclairage public insuffisant.",
        notes="Note interne : **ne pas publier**.", created_by=author, updated_by=author,
    )
    db.session.add(record)
    record.topics = [
        MinutesTopic(subtopic=video, position=0, concerns="Caméras en panne près de la gare.\nVols à la roulotte.",
                     answers="Réponse interne du commissaire."),
        MinutesTopic(subtopic=municipal, position=1, concerns="", answers="Réponse sans préoccupation."),
    ]
    record.proposals = [
        Proposal(forum=forum, department_code="13", consultation_id=forum.consultation_id,
                 theme_id=video_theme, subtopic=video, origin=ProposalOrigin.ELECTED,
                 text="Installer deux caméras place de la gare.", position=0),
        Proposal(forum=forum, department_code="13", consultation_id=forum.consultation_id,
                 theme_id=municipal_theme, subtopic=None, origin=ProposalOrigin.PUBLIC,
                 text="Créer un conseil local de sécurité.", position=1),
    ]
    record.versions = [MinutesVersion(number=1, snapshot={}, saved_by=author)]
    record.attachments = [MinutesAttachment(kind=AttachmentKind.SIGNED, original_name="CR-signe-confidentiel.pdf",
                                            storage_name="0" * 32 + ".pdf", mime_type="application/pdf", size=10,
                                            sha256="0" * 64, uploaded_by=author)]
    db.session.add(record)
    db.session.commit()
    return record


def publish(db, minutes, show_names=False):
    minutes.summary_published = True
    minutes.summary_shows_names = show_names
    minutes.summary_published_at = paris_time(2009, 3, 20, 10, 0)
    db.session.commit()


def test_unpublished_minutes_stay_off_the_public_page(client, minutes, forum):
    page = text(client.get(f"/forums/{forum.id}"))

    assert summary_of(page) is None
    for secret in ("Caméras en panne", "Installer deux caméras", "85", "CR-signe-confidentiel"):
        assert secret not in page


def test_a_published_summary_shows_attendance_concerns_and_proposals(db, client, minutes, forum):
    publish(db, minutes)

    summary = summary_of(text(client.get(f"/forums/{forum.id}")))

    assert "Ce qui s'est dit lors du forum" in summary
    assert "publiée par la préfecture le vendredi 20 mars 2009" in summary
    assert '<th scope="row">Public</th><td class="fr-cell--right">85</td>' in summary
    assert '<th scope="row">Élus</th><td class="fr-cell--right">6</td>' in summary
    assert '<th scope="row">Total</th><td class="fr-cell--right">101</td>' in summary
    assert "<dt class=\"fr-text--bold\">Vidéo-protection</dt>" in summary
    assert "Préoccupations :</span> Caméras en panne près de la gare.<br>Vols à la roulotte.</dd>" in summary
    # The answers given at the forum are shown, even for a sub-topic where no concern was noted.
    assert "Réponses apportées au forum :</span> Réponse interne du commissaire.</dd>" in summary
    assert ("<dt class=\"fr-text--bold\">Polices municipales</dt> <dd class=\"fr-mb-2w\"><span class=\"fr-text--bold\">"
            "Réponses apportées au forum :</span> Réponse sans préoccupation.</dd>") in summary
    # One heading for the attendance: the table's caption.
    assert ">Participation<" not in summary and "<caption>Participation au forum, par catégorie" in summary
    assert "Installer deux caméras place de la gare. <span class=\"fr-text--sm\">(Vidéo-protection — origine : Élu)" \
        in summary
    assert "Créer un conseil local de sécurité. <span class=\"fr-text--sm\">(La sécurité, une responsabilité " \
           "partagée — origine : Public)" in summary


def test_the_summary_never_shows_internal_parts_documents_or_names_by_default(db, client, minutes, forum):
    publish(db, minutes)

    page = text(client.get(f"/forums/{forum.id}"))
    summary = summary_of(page)

    # The diagnosis, the notes and the duration are internal.
    for internal in ("Bonne écoute", "Éclairage public", "Note interne", "135"):
        assert internal not in summary
    for hidden in ("CR-signe-confidentiel", "/comptes-rendus/", "Camille Rédactrice", "M. Laurent Ferrand"):
        assert hidden not in summary
    assert "CR-signe-confidentiel" not in page and "/comptes-rendus/" not in page
    assert "Camille Rédactrice" not in page


def test_the_animator_is_named_only_when_the_prefecture_chose_it(db, client, minutes, forum):
    publish(db, minutes, show_names=True)

    summary = summary_of(text(client.get(f"/forums/{forum.id}")))

    assert "Forum animé par M. Laurent Ferrand, Sous-préfet d'Aix-en-Provence." in summary
    assert "Camille Rédactrice" not in summary


def test_publishing_and_withdrawing_through_the_minutes_page(db, client, login, create_agent, minutes, forum):
    login(create_agent(Role.PREFECTURE, department="13"))
    assert "Non publiée" in text(client.get(f"/comptes-rendus/forums/{forum.id}"))

    response = client.post(f"/comptes-rendus/forums/{forum.id}/publication", data={"publish": "1", "show_names": "y"})

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "La synthèse publique est en ligne sur la page du forum." in page
    assert "avec le nom de l'animateur" in page
    db.session.expire_all()
    assert minutes.summary_published and minutes.summary_shows_names and minutes.summary_published_at

    client.post(f"/comptes-rendus/forums/{forum.id}/publication", data={"unpublish": "1"})

    db.session.expire_all()
    assert not minutes.summary_published
    client.post("/auth/logout")
    assert summary_of(text(client.get(f"/forums/{forum.id}"))) is None


def test_a_published_summary_changes_the_public_version_and_internal_edits_do_not(db, client, minutes, forum):
    before = publication_version(db.session)[0]
    minutes.notes = "Une note interne de plus."
    minutes.topics[0].answers = "Autre réponse interne."
    db.session.commit()
    assert publication_version(db.session)[0] == before

    publish(db, minutes)
    published = publication_version(db.session)[0]
    assert published > before

    minutes.proposals[0].text = "Installer trois caméras place de la gare."
    db.session.commit()
    assert publication_version(db.session)[0] > published

    cached = text(client.get(f"/forums/{forum.id}"))
    assert "Installer trois caméras" in cached
    minutes.topics = minutes.topics[:1]
    minutes.proposals = []
    db.session.commit()
    assert "Installer trois caméras" not in text(client.get(f"/forums/{forum.id}"))

    withdrawn_before = publication_version(db.session)[0]
    minutes.summary_published = False
    db.session.commit()
    assert publication_version(db.session)[0] > withdrawn_before


def test_the_forum_page_costs_two_more_queries_with_a_summary_whatever_its_size(db, client, minutes, forum,
                                                                                count_queries):
    def query_count():
        with count_queries() as statements:
            assert client.get(f"/forums/{forum.id}").status_code == 200
        return len(statements)

    without = query_count()
    publish(db, minutes)
    with_summary = query_count()
    for index in range(5):
        minutes.proposals.append(Proposal(forum=forum, department_code="13", consultation_id=forum.consultation_id,
                                          theme_id=minutes.proposals[0].theme_id, origin=ProposalOrigin.ASSOCIATION,
                                          text=f"Proposition supplémentaire {index}", position=10 + index))
    db.session.commit()

    assert with_summary == without + 2
    assert query_count() == with_summary


def test_a_question_taken_up_at_the_forum_says_so_on_its_public_and_follow_up_pages(db, client, forum,
                                                                                      create_question):
    question = create_question(status=QuestionStatus.PUBLISHED, forum=forum)
    question.addressed_forum = forum
    question.addressed_at = paris_time(2009, 3, 18, 9, 0)
    db.session.commit()

    public = squash(text(client.get(f"/questions/{question.reference}")))
    followup = squash(text(client.get(f"/questions/suivi/{question.followup_token}")))

    assert "Traitée lors du forum du mardi 17 mars 2009" in public
    assert "Question traitée lors du forum du mardi 17 mars 2009" in followup


def test_attendance_left_blank_is_shown_as_not_recorded_not_as_zero(db, client, minutes, forum):
    minutes.attendance_gendarmerie = None
    minutes.attendance_other = 0
    publish(db, minutes)

    summary = summary_of(text(client.get(f"/forums/{forum.id}")))

    assert '<th scope="row">Gendarmerie nationale</th><td class="fr-cell--right">non renseigné</td>' in summary
    assert '<th scope="row">Autres participants</th><td class="fr-cell--right">0</td>' in summary
    assert '<th scope="row">Total</th><td class="fr-cell--right">95</td>' in summary

    for category in AttendanceCategory:
        setattr(minutes, category.column, None)
    db.session.commit()
    summary = summary_of(text(client.get(f"/forums/{forum.id}")))
    assert '<th scope="row">Total</th><td class="fr-cell--right">non renseigné</td>' in summary
    assert ">0<" not in summary
