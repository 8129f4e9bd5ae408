"""Citizens' questions: the text, its moderation and answer, supports, and the asker's contact apart."""
import enum
import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from synthesis import french

from ..extensions import db
from ..timeutils import utcnow
from .agents import Agent
from .consultations import Consultation, Subtopic, Theme
from .forums import Forum, _enum
from .territories import Commune, Department
from .types import UTCDateTime


class QuestionStatus(enum.StrEnum):
    """Where a question is in moderation. Answers and forum take-ups come on top of PUBLISHED."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    MERGED = "merged"

    @property
    def label(self):
        """Return the French name of the status."""
        return {
            "pending": "En attente de modération", "published": "Publiée",
            "rejected": "Non publiée", "merged": "Regroupée avec une question identique",
        }[self.value]


class RejectionReason(enum.StrEnum):
    """The rules of the public moderation charter a question can break."""

    ABUSIVE = "propos_injurieux"
    POLITICAL = "caractere_politique"
    PERSONS = "mise_en_cause"
    THIRD_PARTY_DATA = "donnees_tiers"
    EMERGENCY = "signalement"
    OFF_TOPIC = "hors_sujet"
    DUPLICATE = "doublon"

    @property
    def label(self):
        """Return the charter rule in French, as the citizen and the moderator read it."""
        return REJECTION_LABELS[self]


REJECTION_LABELS = {
    RejectionReason.ABUSIVE: "Propos injurieux, diffamatoires ou discriminatoires",
    RejectionReason.POLITICAL: "Caractère politique, syndical ou religieux",
    RejectionReason.PERSONS: "Mise en cause de personnes",
    RejectionReason.THIRD_PARTY_DATA: "Données personnelles de tiers",
    RejectionReason.EMERGENCY: "Signalement relevant du 17 ou d'une plainte",
    RejectionReason.OFF_TOPIC: "Hors sujet",
    RejectionReason.DUPLICATE: "Doublon",
}


class QuestionCounter(db.Model):
    """The last reference number given in a department: ``13-000124`` is the 124th."""

    __tablename__ = "question_counters"

    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    #: None when the question is asked to the department rather than to one forum.
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    subtopic_id: Mapped[int] = mapped_column(ForeignKey("subtopics.id"), index=True)
    #: Human-readable reference given in the acknowledgement, e.g. "13-000124".
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    #: The text as the citizen wrote it; never changed.
    text: Mapped[str] = mapped_column(Text)
    #: The text shown to the public: the original, or the moderator's edit without personal data.
    public_text: Mapped[str] = mapped_column(Text)
    #: public_text normalised for full-text search (French, accents folded), identical on every database.
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Hash of the normalised text, to find exact duplicates within a department.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    #: Optional, for statistics only.
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[QuestionStatus] = mapped_column(
        _enum(QuestionStatus, 12), default=QuestionStatus.PENDING, index=True
    )
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(_enum(RejectionReason, 30))
    #: Optional explanation added to the charter reason for the citizen.
    rejection_note: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)
    support_count: Mapped[int] = mapped_column(default=0)
    #: SHA-256 of the private follow-up token; the token itself is only ever in the citizen's link.
    followup_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    #: The prefecture's public answer (Markdown, sanitised when shown).
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    #: The forum where the question was taken up, when it was.
    addressed_forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id"), index=True)
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship()
    department: Mapped[Department] = relationship()
    forum: Mapped[Forum | None] = relationship(foreign_keys=[forum_id])
    theme: Mapped[Theme] = relationship()
    subtopic: Mapped[Subtopic] = relationship()
    commune: Mapped[Commune | None] = relationship()
    merged_into: Mapped["Question | None"] = relationship(remote_side=[id])
    addressed_forum: Mapped[Forum | None] = relationship(foreign_keys=[addressed_forum_id])
    moderated_by: Mapped[Agent | None] = relationship(foreign_keys=[moderated_by_id])
    edited_by: Mapped[Agent | None] = relationship(foreign_keys=[edited_by_id])
    answered_by: Mapped[Agent | None] = relationship(foreign_keys=[answered_by_id])
    contact: Mapped["QuestionContact | None"] = relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True
    )

    @staticmethod
    def hash_token(token):
        """Return the stored form of a follow-up token."""
        return hashlib.sha256(token.encode()).hexdigest()

    def set_public_text(self, text):
        """Set the text shown to the public, and the terms it is found by."""
        self.public_text = text
        self.search_text = french.search_text(text)

    @property
    def is_public(self):
        """Tell whether the question is shown on the public site."""
        return self.status is QuestionStatus.PUBLISHED

    @property
    def is_answered(self):
        """Tell whether the prefecture answered the question publicly."""
        return self.answered_at is not None

    def __repr__(self):
        return f"<Question {self.reference} {self.status.value}>"


def _published_list_index(name, *leading):
    """Index published questions in a list's order, closed by what filters and the order read: no row is fetched."""
    published = text("status = 'published'")
    return Index(name, *leading, func.coalesce(Question.moderated_at, Question.submitted_at), Question.id,
                 Question.theme_id, Question.subtopic_id, Question.moderated_at, Question.submitted_at,
                 postgresql_where=published, sqlite_where=published)


# The public lists: national or departmental, last published or most supported first. On PostgreSQL
# a generated column ``search_vector`` (outside the model) holds the full-text vector, indexed by
# ``ix_questions_published_search`` and carried by ``ix_questions_published_search_recent`` and
# ``ix_questions_published_search_department_recent`` (the recent orders, for searches of common words).
_published_list_index("ix_questions_published_recent", Question.consultation_id)
_published_list_index("ix_questions_published_department_recent", Question.consultation_id, Question.department_code)
_published_list_index("ix_questions_published_supported", Question.consultation_id, Question.support_count)
_published_list_index("ix_questions_published_department_supported", Question.consultation_id,
                      Question.department_code, Question.support_count)


# The moderation desk: a department's pending questions oldest first, the filters of the queue closing
# the key (the queue, its counts, the pace of moderation and the dashboard read the index alone); all its
# questions newest first, with what the list's filters read; the decisions of the last hour.
_pending = text("status = 'pending'")
Index("ix_questions_pending", Question.consultation_id, Question.department_code, Question.submitted_at,
      Question.id, Question.theme_id, Question.forum_id, postgresql_where=_pending, sqlite_where=_pending)
Index("ix_questions_department_submitted", Question.consultation_id, Question.department_code,
      Question.submitted_at, Question.id, Question.status, Question.answered_at, Question.addressed_at)
Index("ix_questions_moderated", Question.consultation_id, Question.moderated_at, Question.department_code)


class QuestionContact(db.Model):
    """What identifies the asker, kept apart from the question: never published, exported, or in the API.

    Purged after the consultation (``flask questions purge-personal-data``).
    """

    __tablename__ = "question_contacts"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    #: For the acknowledgement and the answer notification.
    email: Mapped[str | None] = mapped_column(String(254))
    #: Shown with the question when given; anonymous otherwise.
    display_name: Mapped[str | None] = mapped_column(String(80))

    question: Mapped[Question] = relationship(back_populates="contact")


class QuestionSupport(db.Model):
    """One browser's "Je soutiens cette question"; the browser is known by a hash of a random cookie."""

    __tablename__ = "question_supports"
    __table_args__ = (UniqueConstraint("question_id", "supporter_hash", name="uq_question_supports_supporter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    supporter_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
