"""Minutes (comptes-rendus) of held forums: attendance, topics discussed, proposals, versions, documents."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutils import utcnow
from .agents import Agent
from .consultations import Consultation, Subtopic, Theme
from .forums import Forum, _enum
from .territories import Department
from .types import UTCDateTime


class AttendanceCategory(enum.StrEnum):
    """Who came to a forum, counted by category. Values are the Minutes column suffixes."""

    PUBLIC = "public"
    ELECTED = "elected"
    POLICE = "police"
    GENDARMERIE = "gendarmerie"
    MUNICIPAL_POLICE = "municipal_police"
    OTHER = "other"

    @property
    def label(self):
        """Return the French name of the category."""
        return {
            "public": "Public", "elected": "Élus", "police": "Police nationale",
            "gendarmerie": "Gendarmerie nationale", "municipal_police": "Police municipale",
            "other": "Autres participants",
        }[self.value]

    @property
    def column(self):
        """Return the name of the Minutes attribute holding this category's count."""
        return "attendance_" + self.value


class ProposalOrigin(enum.StrEnum):
    """Who made a proposal at the forum."""

    PUBLIC = "public"
    ELECTED = "elu"
    ASSOCIATION = "association"
    SECURITY_FORCES = "forces_ordre"

    @property
    def label(self):
        """Return the French name of the origin."""
        return {
            "public": "Public", "elu": "Élu", "association": "Association",
            "forces_ordre": "Forces de l'ordre",
        }[self.value]


class AttachmentKind(enum.StrEnum):
    """What a document attached to minutes is."""

    SIGNED = "signed"
    OTHER = "other"

    @property
    def label(self):
        """Return the French name of the kind."""
        return {"signed": "Compte-rendu signé", "other": "Autre document"}[self.value]


def counted_total(counts):
    """Return the sum of the attendance counts that were taken, or None when none was."""
    taken = [count for count in counts if count is not None]
    return sum(taken) if taken else None


class Minutes(db.Model):
    """The record of one held forum, kept current; every save also writes a MinutesVersion."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), unique=True)
    #: Denormalised from the forum so that departmental figures are one indexed query.
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    #: People present by category; None when the category was not counted.
    attendance_public: Mapped[int | None]
    attendance_elected: Mapped[int | None]
    attendance_police: Mapped[int | None]
    attendance_gendarmerie: Mapped[int | None]
    attendance_municipal_police: Mapped[int | None]
    attendance_other: Mapped[int | None]
    #: How long the forum actually lasted.
    duration_minutes: Mapped[int | None]
    strengths: Mapped[str] = mapped_column(Text, default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="")
    #: Free notes (Markdown, sanitised when shown).
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Number of the current version (1 after the first save).
    version_number: Mapped[int] = mapped_column(default=0)
    #: The public summary on the forum page: attendance, concerns, proposals; never the documents.
    summary_published: Mapped[bool] = mapped_column(default=False)
    #: Whether the public summary names the agents who led the forum.
    summary_shows_names: Mapped[bool] = mapped_column(default=False)
    summary_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    forum: Mapped[Forum] = relationship(backref=db.backref("minutes", uselist=False, passive_deletes=True))
    department: Mapped[Department] = relationship()
    consultation: Mapped[Consultation] = relationship()
    created_by: Mapped[Agent | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[Agent | None] = relationship(foreign_keys=[updated_by_id])
    topics: Mapped[list["MinutesTopic"]] = relationship(
        back_populates="minutes", order_by="MinutesTopic.position", cascade="all, delete-orphan"
    )
    proposals: Mapped[list["Proposal"]] = relationship(
        back_populates="minutes", order_by="Proposal.position", cascade="all, delete-orphan"
    )
    versions: Mapped[list["MinutesVersion"]] = relationship(
        back_populates="minutes", order_by="MinutesVersion.number", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["MinutesAttachment"]] = relationship(
        back_populates="minutes", order_by="MinutesAttachment.uploaded_at", cascade="all, delete-orphan"
    )

    def attendance(self):
        """Return {AttendanceCategory: count, or None when not counted}, in the categories' order."""
        return {category: getattr(self, category.column) for category in AttendanceCategory}

    @property
    def attendance_total(self):
        """Return the number of people counted in every category, or None when no category was counted."""
        return counted_total(self.attendance().values())

    @property
    def has_signed_document(self):
        """Tell whether the signed compte-rendu is attached."""
        return any(a.kind is AttachmentKind.SIGNED for a in self.attachments)

    def __repr__(self):
        return f"<Minutes forum={self.forum_id} v{self.version_number}>"


class MinutesTopic(db.Model):
    """A sub-topic discussed at the forum: the concerns raised and the answers given."""

    __tablename__ = "minutes_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    subtopic_id: Mapped[int] = mapped_column(ForeignKey("subtopics.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    concerns: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[str] = mapped_column(Text, default="")

    minutes: Mapped[Minutes] = relationship(back_populates="topics")
    subtopic: Mapped[Subtopic] = relationship()


class Proposal(db.Model):
    """One proposal made at a forum, a first-class row so that syntheses can group and count them."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    subtopic_id: Mapped[int | None] = mapped_column(ForeignKey("subtopics.id"), index=True)
    origin: Mapped[ProposalOrigin] = mapped_column(_enum(ProposalOrigin, 20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="proposals")
    forum: Mapped[Forum] = relationship()
    department: Mapped[Department] = relationship()
    theme: Mapped[Theme] = relationship()
    subtopic: Mapped[Subtopic | None] = relationship()


class MinutesVersion(db.Model):
    """A saved state of the minutes: who saved it, when, and everything it said."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("minutes_id", "number", name="uq_minutes_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    #: The whole record as plain data (attendance, topics, proposals, questions taken up, notes).
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    minutes: Mapped[Minutes] = relationship(back_populates="versions")
    saved_by: Mapped[Agent | None] = relationship()


class MinutesAttachment(db.Model):
    """A document attached to minutes, stored outside the static folder under a generated name."""

    __tablename__ = "minutes_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(_enum(AttachmentKind, 10))
    #: The name the agent's file had, cleaned; shown and used as the download name only.
    original_name: Mapped[str] = mapped_column(String(160))
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    minutes: Mapped[Minutes] = relationship(back_populates="attachments")
    uploaded_by: Mapped[Agent | None] = relationship()
