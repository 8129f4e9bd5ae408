"""Forums: public meetings covering one or more cantons, their speakers, date changes and invitees."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutils import utcnow
from .types import UTCDateTime
from .agents import Agent
from .consultations import Consultation
from .territories import Arrondissement, Canton, Commune, Department


def _enum(cls, length):
    return db.Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                   length=length, validate_strings=True)


class ForumStatus(enum.StrEnum):
    """Where a forum is in its life cycle."""

    DRAFT = "draft"
    PUBLISHED = "published"
    POSTPONED = "postponed"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self):
        """Return the French name of the status."""
        return {
            "draft": "Brouillon", "published": "Publié", "postponed": "Reporté",
            "held": "Tenu", "cancelled": "Annulé",
        }[self.value]

    @property
    def is_public(self):
        """Tell whether forums in this status are shown on the public site."""
        return self is not ForumStatus.DRAFT


class SpeakerKind(enum.StrEnum):
    """Which force or body a speaker represents."""

    POLICE = "police_nationale"
    GENDARMERIE = "gendarmerie"
    MUNICIPAL_POLICE = "police_municipale"
    OTHER = "autre"

    @property
    def label(self):
        """Return the French name of the kind."""
        return {
            "police_nationale": "Police nationale", "gendarmerie": "Gendarmerie nationale",
            "police_municipale": "Police municipale", "autre": "Autre",
        }[self.value]


class InviteeQuality(enum.StrEnum):
    """Why a person is invited by name."""

    ELECTED = "elu"
    ASSOCIATION = "president_association"
    PROFESSIONAL = "socio_professionnel"
    CITIZEN_REFERENT = "referent_participation_citoyenne"
    OTHER = "autre"

    @property
    def label(self):
        """Return the French name of the quality."""
        return {
            "elu": "Élu", "president_association": "Président d'association",
            "socio_professionnel": "Socio-professionnel",
            "referent_participation_citoyenne": "Référent participation citoyenne", "autre": "Autre",
        }[self.value]


forum_cantons = db.Table(
    "forum_cantons",
    db.Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    db.Column("canton_code", String(5), ForeignKey("cantons.code"), primary_key=True, index=True),
)

#: Communes covered, used instead of cantons in departments without cantons (972, 973).
forum_communes = db.Table(
    "forum_communes",
    db.Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    db.Column("commune_code", String(5), ForeignKey("communes.code"), primary_key=True, index=True),
)


class Forum(db.Model):
    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    #: The arrondissement whose sub-prefecture prepares the forum: that of the venue's commune.
    arrondissement_code: Mapped[str | None] = mapped_column(ForeignKey("arrondissements.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Start and end as aware UTC datetimes; entered and shown in Europe/Paris.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    #: The commune of the venue, in the forum's department.
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    #: Access for people with disabilities: step-free access, hearing loop, parking…
    accessibility: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    #: Normally the sub-prefect of the arrondissement.
    animator_name: Mapped[str] = mapped_column(String(150), default="")
    animator_function: Mapped[str] = mapped_column(String(150), default="")
    #: Public description (Markdown, sanitised when shown).
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ForumStatus] = mapped_column(_enum(ForumStatus, 12), default=ForumStatus.DRAFT, index=True)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    #: iCalendar SEQUENCE: bumped on every change the public can see.
    sequence: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last change of any kind, for caches and feeds.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    consultation: Mapped[Consultation] = relationship()
    department: Mapped[Department] = relationship()
    arrondissement: Mapped[Arrondissement | None] = relationship()
    commune: Mapped[Commune | None] = relationship()
    created_by: Mapped[Agent | None] = relationship()
    cantons: Mapped[list[Canton]] = relationship(secondary=forum_cantons, order_by="Canton.code")
    communes: Mapped[list[Commune]] = relationship(secondary=forum_communes, order_by="Commune.name")
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="forum", order_by="Speaker.position", cascade="all, delete-orphan"
    )
    date_changes: Mapped[list["ForumDateChange"]] = relationship(
        back_populates="forum", order_by="ForumDateChange.recorded_at", cascade="all, delete-orphan"
    )
    invitees: Mapped[list["Invitee"]] = relationship(
        back_populates="forum", order_by="Invitee.full_name", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<Forum {self.id} {self.status.value}>"


class Speaker(db.Model):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[SpeakerKind] = mapped_column(_enum(SpeakerKind, 20))
    name: Mapped[str] = mapped_column(String(150))
    function: Mapped[str] = mapped_column(String(200), default="")

    forum: Mapped[Forum] = relationship(back_populates="speakers")


class ForumDateChange(db.Model):
    """A postponement: the dates a forum had before, kept for its history."""

    __tablename__ = "forum_date_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    previous_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    forum: Mapped[Forum] = relationship(back_populates="date_changes")


class Invitee(db.Model):
    """A person invited by name to a forum."""

    __tablename__ = "invitees"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(150))
    quality: Mapped[InviteeQuality] = mapped_column(_enum(InviteeQuality, 40))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: Optional, for the invitation mail merge; never published.
    email: Mapped[str | None] = mapped_column(String(254))
    #: None until attendance is recorded after the forum.
    attended: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    forum: Mapped[Forum] = relationship(back_populates="invitees")
