"""A hand-built department for the synthesis tests: forums, questions in every status, minutes, proposals.

Department 13 of the ``territories`` fixture has three cantons (1301, 1305, 1306). Every number
the synthesis should find is written out in EXPECTED.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime

from forums.extensions import db as _db
from forums.models import (
    AttachmentKind, AttendanceCategory, ForumStatus, Minutes, MinutesAttachment, MinutesTopic, Proposal,
    ProposalOrigin, QuestionStatus,
)
from forums.services.syntheses import department_synthesis, prepare_draft, reopen_synthesis, submit_synthesis

from ..conftest import paris_time

A = AttendanceCategory
#: Before and after the 2009 deadline for the syntheses (22 May).
BEFORE_DEADLINE = paris_time(2009, 5, 20, 12)
AFTER_DEADLINE = paris_time(2009, 5, 25, 12)

#: What the synthesis of the fixture department must count.
EXPECTED = {
    "forums/planned": 4, "forums/held": 3, "forums/cancelled": 1, "forums/with_minutes": 2,
    "forums/with_signed_document": 1, "forums/held_without_minutes": 1,
    "questions/received": 10, "questions/published": 5, "questions/pending": 3, "questions/rejected": 1,
    "questions/merged": 1, "questions/answered": 2, "questions/taken_up": 2,
    "questions/theme/1/received": 7, "questions/theme/1/published": 3,
    "questions/theme/2/received": 3, "questions/theme/2/published": 2,
    "questions/subtopic/1.A.1/received": 5, "questions/subtopic/1.A.2/received": 2,
    "questions/subtopic/2.A.1/received": 1, "questions/subtopic/2.A.2/received": 2,
    "attendance/public": 100, "attendance/elus": 9, "attendance/police_nationale": 6,
    "attendance/gendarmerie": 3, "attendance/police_municipale": 2, "attendance/autres": 4,
    "attendance/total": 124, "attendance/forums_reporting": 2,
    "proposals": 4, "proposals/theme/1": 1, "proposals/theme/2": 3,
    "proposals/subtopic/1.A.1": 1, "proposals/subtopic/1.A.2": 0, "proposals/subtopic/2.A.1": 1,
    "proposals/subtopic/2.A.2": 1,
    "proposals/origin/public": 1, "proposals/origin/elu": 1, "proposals/origin/association": 1,
    "proposals/origin/forces_de_l_ordre": 1,
}

#: A rejected question's words, which must never reach the synthesis.
PRIVATE_WORDS = "M. Dupont, 12 rue des Lilas"


@dataclass
class FixtureDepartment:
    """What was created, by role in the fixture."""

    forums: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    minutes: dict = field(default_factory=dict)


def add_minutes(forum, attendance, topics=(), proposals=(), signed=False, version=1,
                strengths="", weaknesses=""):
    """Write a forum's minutes directly: attendance {AttendanceCategory: n}, topics [(Subtopic, concerns)],
    proposals [(Subtopic or None, theme, ProposalOrigin, text)]."""
    minutes = Minutes(forum=forum, department_code=forum.department_code, consultation_id=forum.consultation_id,
                      version_number=version, strengths=strengths, weaknesses=weaknesses, duration_minutes=120)
    for category, number in attendance.items():
        setattr(minutes, category.column, number)
    minutes.topics = [MinutesTopic(subtopic=subtopic, concerns=concerns, position=position)
                      for position, (subtopic, concerns) in enumerate(topics)]
    minutes.proposals = [
        Proposal(forum=forum, department_code=forum.department_code, consultation_id=forum.consultation_id,
                 theme=theme, subtopic=subtopic, origin=origin, text=text, position=position)
        for position, (subtopic, theme, origin, text) in enumerate(proposals)
    ]
    kinds = [AttachmentKind.SIGNED] if signed else [AttachmentKind.OTHER]
    minutes.attachments = [
        MinutesAttachment(kind=kind, original_name="compte-rendu.pdf", storage_name=f"cr-{forum.id}-{kind.value}",
                          mime_type="application/pdf", size=100, sha256="0" * 64)
        for kind in kinds
    ]
    _db.session.add(minutes)
    _db.session.commit()
    return minutes


def build_department(create_forum, create_question, subtopics):
    """Create the fixture department 13 (and a little of department 75, which must stay out)."""
    made = FixtureDepartment()
    theme1, theme2 = subtopics["1.A.1"].part.theme, subtopics["2.A.1"].part.theme
    f = made.forums
    f["aix"] = create_forum(cantons=["1301"], status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17),
                            title="Forum d'Aix", commune="13001")
    f["arles"] = create_forum(cantons=["1306"], status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 24),
                              title="Forum d'Arles", commune="13004")
    # Held, covering a canton already covered: its minutes are missing.
    f["berre"] = create_forum(cantons=["1301"], status=ForumStatus.HELD, starts_at=paris_time(2009, 4, 2),
                              title="Forum de Berre", commune="13014")
    # Canton 1305 is only covered by a cancelled forum and a draft: it stays uncovered.
    f["cancelled"] = create_forum(cantons=["1305"], status=ForumStatus.CANCELLED, starts_at=paris_time(2009, 4, 9),
                                  commune="13014", cancellation_reason="Salle indisponible")
    f["next"] = create_forum(cantons=["1301"], status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 5, 12),
                             title="Forum de mai", commune="13001")
    f["draft"] = create_forum(cantons=["1305"], status=ForumStatus.DRAFT, starts_at=paris_time(2009, 5, 14),
                              commune="13062")
    f["paris"] = create_forum(cantons=["7501"], department="75", status=ForumStatus.HELD,
                              starts_at=paris_time(2009, 3, 20), commune="75056")

    answered = {"answer_text": "Réponse de la préfecture.", "answered_at": datetime(2009, 3, 20, tzinfo=UTC)}
    q = made.questions
    q["video"] = create_question("Qui consulte les images de la vidéo-protection ?", subtopic="1.A.1",
                                 status=QuestionStatus.PUBLISHED, forum=f["aix"], **answered)
    q["taken_up"] = create_question("Que fait-on contre les cambriolages ?", subtopic="1.A.1",
                                    status=QuestionStatus.PUBLISHED, addressed_forum_id=f["aix"].id,
                                    addressed_at=datetime(2009, 3, 17, 20, tzinfo=UTC))
    q["files"] = create_question("Qui a accès aux fichiers de police ?", subtopic="1.A.2",
                                 status=QuestionStatus.PUBLISHED, addressed_forum_id=f["arles"].id,
                                 addressed_at=datetime(2009, 3, 24, 20, tzinfo=UTC), **answered)
    q["municipal"] = create_question("La police municipale patrouille-t-elle le soir ?", subtopic="2.A.1",
                                     status=QuestionStatus.PUBLISHED, forum=f["arles"])
    q["pending"] = create_question("Combien de caméras en ville ?", subtopic="1.A.1")
    q["pending_private"] = create_question("Les agents de sécurité privée sont-ils contrôlés ?", subtopic="2.A.2")
    q["rejected"] = create_question(f"Mon voisin {PRIVATE_WORDS} fiche tout le monde.", subtopic="1.A.2",
                                    status=QuestionStatus.REJECTED)
    q["merged"] = create_question("Que fait-on contre les cambriolages ?", subtopic="1.A.1",
                                  status=QuestionStatus.MERGED, merged_into_id=q["taken_up"].id)
    q["edited"] = create_question(f"Je suis {PRIVATE_WORDS} : la sécurité privée est-elle encadrée ?",
                                  public_text="La sécurité privée est-elle encadrée ?", subtopic="2.A.2",
                                  status=QuestionStatus.PUBLISHED)
    # Asked to a forum still in draft: it counts for the department, without its forum.
    q["to_draft"] = create_question("Le forum de Rognac aura-t-il lieu ?", subtopic="1.A.1", forum=f["draft"])
    q["paris"] = create_question("Question parisienne sur la vidéo-protection.", subtopic="1.A.1",
                                 status=QuestionStatus.PUBLISHED, forum=f["paris"])

    m = made.minutes
    m["aix"] = add_minutes(
        f["aix"], {A.PUBLIC: 60, A.ELECTED: 6, A.POLICE: 2, A.GENDARMERIE: 3, A.OTHER: 4},
        topics=[(subtopics["1.A.1"], "Les habitants veulent savoir qui regarde les images de vidéo-protection.")],
        proposals=[(subtopics["1.A.1"], theme1, ProposalOrigin.PUBLIC, "Afficher qui consulte les images."),
                   (None, theme2, ProposalOrigin.SECURITY_FORCES, "Tenir une permanence mensuelle en mairie.")],
        signed=True, version=2, strengths="Écoute des habitants.", weaknesses="Salle trop petite.",
    )
    m["arles"] = add_minutes(
        f["arles"], {A.PUBLIC: 40, A.ELECTED: 3, A.POLICE: 4, A.MUNICIPAL_POLICE: 2},
        topics=[(subtopics["2.A.1"], "La police municipale devrait patrouiller le soir.")],
        proposals=[(subtopics["2.A.1"], theme2, ProposalOrigin.ELECTED, "Patrouilles de police municipale le soir."),
                   (subtopics["2.A.2"], theme2, ProposalOrigin.ASSOCIATION, "Former les agents de sécurité privée.")],
        strengths="Bonne connaissance du terrain.", weaknesses="Peu de jeunes présents.",
    )
    m["paris"] = add_minutes(f["paris"], {A.PUBLIC: 500}, signed=True)
    return made


def build_country(consultation, create_forum, create_question, subtopics, prefect, ministry):
    """Create the syntheses of four departments, one per status, and return the fixture department.

    13: the fixture department, draft synthesis; 75: submitted late; 972: reopened; 2A: nothing.
    """
    made = build_department(create_forum, create_question, subtopics)
    create_question("En attente à Paris.", department="75", subtopic="1.A.1")
    martinique = create_forum(cantons=[], communes=["97209"], department="972", status=ForumStatus.HELD,
                              starts_at=paris_time(2009, 4, 2), commune="97209")
    add_minutes(martinique, {AttendanceCategory.PUBLIC: 20})
    prepare_draft(consultation, "13", prefect, now=BEFORE_DEADLINE)
    submit_synthesis(prepare_draft(consultation, "75", prefect, now=AFTER_DEADLINE), prefect, now=AFTER_DEADLINE)
    submit_synthesis(prepare_draft(consultation, "972", prefect, now=BEFORE_DEADLINE), prefect, now=BEFORE_DEADLINE)
    reopen_synthesis(department_synthesis(consultation, "972"), "Compléter les propositions.", ministry)
    _db.session.commit()
    return made
