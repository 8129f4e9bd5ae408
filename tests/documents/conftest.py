"""A department with something in every annex: minutes with stored documents, a forum without minutes,
questions in every status (with personal data that must stay out), and its synthesis row.

Built directly with the models, so that the documents are tested on their own.
"""
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import FileStorage

from forums.extensions import db as _db
from forums.file_storage import store_upload
from forums.models import (
    AttachmentKind, ForumStatus, Minutes, MinutesAttachment, MinutesTopic, Proposal, ProposalOrigin, QuestionStatus,
)
from forums.services.syntheses import prepare_draft
from forums.services.synthesis_content import SectionTexts

from ..conftest import paris_time

#: Words and addresses that are personal data: no export may contain them.
PERSONAL = ("citoyen.inquiet@example.fr", "Jeanne Martin", "Texte original avec M. Dupont")
PENDING_TEXT = "Question encore en attente de modération"
REJECTED_TEXT = "Question refusée par la charte"
OTHER_DEPARTMENT_TEXT = "Question posée à Paris"

PDF_BYTES = b"%PDF-1.4\n% compte-rendu signe\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

INSIGHT_MARKDOWN = """#### Les forums vus par la préfecture

Dans le département, **2 forums** se sont tenus. Les habitants parlent de *vidéo-protection*.

- Cambriolages en hausse
- Présence policière insuffisante
"""
DIAGNOSIS_MARKDOWN = """### Points forts

1. Un dialogue franc avec la gendarmerie
2. Des élus présents

<script>alert("diagnostic")</script>

> Une habitante : « on se sent écoutés »
"""
PROPOSALS_MARKDOWN = """### Propositions retenues

Renforcer les patrouilles pédestres le soir. <img src=x onerror="alert(1)">
"""


@dataclass
class DocumentData:
    """What the fixture created."""

    synthesis: object
    forums: dict = field(default_factory=dict)
    minutes: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    stored: dict = field(default_factory=dict)


def _upload(app, data, filename):
    return store_upload(FileStorage(stream=io.BytesIO(data), filename=filename),
                        app.config["UPLOAD_DIRECTORY"], 10 * 1024 * 1024)


def add_minutes(forum, subtopics, proposals=(), summary_published=False, **fields):
    """Write minutes for ``forum`` with one topic per given sub-topic code and the given proposals."""
    minutes = Minutes(forum=forum, department_code=forum.department_code, consultation_id=forum.consultation_id,
                      version_number=1, duration_minutes=150, attendance_public=40, attendance_elected=3,
                      attendance_gendarmerie=2, summary_published=summary_published,
                      summary_published_at=datetime.now(UTC) if summary_published else None, **fields)
    _db.session.add(minutes)
    minutes.topics = [
        MinutesTopic(subtopic=subtopics[code], position=position, concerns=f"Inquiétudes sur {subtopics[code].title}",
                     answers="Le commandant a répondu.")
        for position, code in enumerate(("1.A.1", "2.A.1"))
    ]
    minutes.proposals = [
        Proposal(forum=forum, department_code=forum.department_code, consultation_id=forum.consultation_id,
                 theme=subtopics[code].part.theme if code else theme, subtopic=subtopics[code] if code else None,
                 origin=origin, text=text, position=position)
        for position, (code, theme, origin, text) in enumerate(proposals)
    ]
    return minutes


@pytest.fixture
def upload_directory(app, tmp_path, monkeypatch):
    """Give the app an upload directory of this test's own, left behind with it."""
    directory = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIRECTORY", str(directory))
    return directory


@pytest.fixture
def document_data(app, db, consultation, upload_directory, create_forum, create_question, subtopics, create_agent):
    """Create department 13's forums, minutes, stored documents, questions and synthesis."""
    theme_2 = subtopics["2.A.1"].part.theme
    held = create_forum(title="Forum d'Aix", status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 17))
    missing = create_forum(title="Forum d'Arles", cantons=("1306",), commune="13004", status=ForumStatus.HELD,
                           starts_at=paris_time(2009, 3, 24))
    later = create_forum(title="Forum de Berre", cantons=("1305",), commune="13014", status=ForumStatus.HELD,
                         starts_at=paris_time(2009, 4, 2))
    upcoming = create_forum(title="Forum à venir", cantons=("1305",), commune="13014", status=ForumStatus.PUBLISHED,
                            starts_at=paris_time(2009, 5, 5))
    draft = create_forum(title="Forum en préparation", cantons=("1306",), commune="13004", status=ForumStatus.DRAFT,
                         starts_at=paris_time(2009, 5, 12))
    paris = create_forum(title="Forum de Paris", department="75", cantons=("7501",), commune="75056",
                         status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 18))
    agent = create_agent("prefecture", department="13")

    held_minutes = add_minutes(held, subtopics, summary_published=True,
                               strengths="Dialogue franc", weaknesses="Peu de jeunes",
                               notes="Notes **importantes** <script>alert('notes')</script>",
                               created_by_id=agent.id, updated_by_id=agent.id, proposals=(
                                   ("1.A.1", None, ProposalOrigin.PUBLIC, "Installer des caméras au centre"),
                                   (None, theme_2, ProposalOrigin.ELECTED, "=SOMME(A1:A9) réunir le conseil"),
                               ))
    later_minutes = add_minutes(later, subtopics, proposals=(
        ("2.A.1", None, ProposalOrigin.ASSOCIATION, "Proposition interne non publiée"),
    ))
    paris_minutes = add_minutes(paris, subtopics, summary_published=True, proposals=(
        ("2.A.1", None, ProposalOrigin.SECURITY_FORCES, "Proposition parisienne"),
    ))
    db.session.flush()

    signed = _upload(app, PDF_BYTES, "Compte rendu signé.pdf")
    photo = _upload(app, PNG_BYTES, "../photo salle.png")
    twin = _upload(app, PDF_BYTES + b"% autre\n", "Compte rendu signé.pdf")
    for stored, kind in ((signed, AttachmentKind.SIGNED), (photo, AttachmentKind.OTHER), (twin, AttachmentKind.OTHER)):
        held_minutes.attachments.append(MinutesAttachment(
            kind=kind, original_name=stored.original_name, storage_name=stored.storage_name,
            mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256, uploaded_by_id=agent.id))
    db.session.commit()

    questions = {
        "published": create_question("Que fait la police contre les cambriolages ?", forum=held,
                                     status=QuestionStatus.PUBLISHED, email=PERSONAL[0], display_name=PERSONAL[1],
                                     moderated_at=datetime(2009, 3, 10, 9, tzinfo=UTC), support_count=4,
                                     addressed_forum_id=held.id, answered_at=datetime(2009, 3, 12, tzinfo=UTC),
                                     answer_text="Nous renforçons les patrouilles."),
        "edited": create_question(PERSONAL[2], public_text="+33 texte publié après modération",
                                  status=QuestionStatus.PUBLISHED, subtopic="2.A.1",
                                  moderated_at=datetime(2009, 3, 11, tzinfo=UTC)),
        "upcoming": create_question("Question pour le prochain forum", status=QuestionStatus.PUBLISHED,
                                    forum=upcoming),
        "draft_forum": create_question("Question pour un forum en préparation", status=QuestionStatus.PUBLISHED,
                                       forum=draft),
        "pending": create_question(PENDING_TEXT, status=QuestionStatus.PENDING, email=PERSONAL[0]),
        "rejected": create_question(REJECTED_TEXT, status=QuestionStatus.REJECTED),
        "paris": create_question(OTHER_DEPARTMENT_TEXT, department="75", status=QuestionStatus.PUBLISHED),
    }

    synthesis = prepare_draft(consultation, "13", agent, now=datetime(2009, 5, 1, 10, tzinfo=UTC))
    synthesis.texts = SectionTexts().with_texts(
        {"insight.analysis": INSIGHT_MARKDOWN, "diagnosis.analysis": DIAGNOSIS_MARKDOWN,
         "proposals.own": PROPOSALS_MARKDOWN}, None, agent.id, datetime(2009, 5, 1, 10, tzinfo=UTC)).to_dict()
    db.session.add(synthesis)
    db.session.commit()
    return DocumentData(
        synthesis=synthesis,
        forums={"held": held, "missing": missing, "later": later, "upcoming": upcoming, "draft": draft,
                "paris": paris},
        minutes={"held": held_minutes, "later": later_minutes, "paris": paris_minutes},
        questions=questions,
        stored={"signed": signed, "photo": photo, "twin": twin},
    )
