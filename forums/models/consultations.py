"""A national consultation and its themes, theme parts and sub-topics, all stored as data."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutils import utcnow
from .types import UTCDateTime


class Consultation(db.Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL-safe identifier, e.g. "2009".
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Introduction shown on the home page (Markdown).
    description: Mapped[str] = mapped_column(Text, default="")
    #: First and last day on which forums may be held (inclusive, Europe/Paris).
    meetings_start_on: Mapped[date]
    meetings_end_on: Mapped[date]
    #: Last day for prefectures to submit their departmental synthesis.
    synthesis_due_on: Mapped[date]
    #: Date of the national assises; may be unknown when the consultation opens.
    assises_on: Mapped[date | None]
    #: Exactly one consultation is current: the one the public site shows.
    is_current: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themes: Mapped[list["Theme"]] = relationship(
        back_populates="consultation", order_by="Theme.position", cascade="all, delete-orphan"
    )

    @classmethod
    def current(cls):
        """Return the current consultation, or None when none is open."""
        return db.session.scalar(db.select(cls).where(cls.is_current.is_(True)))

    def __repr__(self):
        return f"<Consultation {self.slug}>"


class Theme(db.Model):
    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("consultation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    #: Short code within the consultation, e.g. "1".
    code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    #: The fiche's main message, quoted on the public pages.
    key_message: Mapped[str] = mapped_column(Text, default="")
    #: Presentation of the theme (Markdown).
    description: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="themes")
    parts: Mapped[list["ThemePart"]] = relationship(
        back_populates="theme", order_by="ThemePart.position", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<Theme {self.code} {self.title}>"


class ThemePart(db.Model):
    __tablename__ = "theme_parts"
    __table_args__ = (UniqueConstraint("theme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    #: Code within the consultation, e.g. "1.A".
    code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    #: The key messages of the fiche for this part (Markdown).
    key_messages: Mapped[str] = mapped_column(Text, default="")

    theme: Mapped[Theme] = relationship(back_populates="parts")
    subtopics: Mapped[list["Subtopic"]] = relationship(
        back_populates="part", order_by="Subtopic.position", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<ThemePart {self.code} {self.title}>"


class Subtopic(db.Model):
    __tablename__ = "subtopics"
    __table_args__ = (UniqueConstraint("part_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("theme_parts.id"), index=True)
    #: Code within the consultation, e.g. "1.A.1".
    code: Mapped[str] = mapped_column(String(12))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    #: What the sub-topic covers (Markdown).
    description: Mapped[str] = mapped_column(Text, default="")

    part: Mapped[ThemePart] = relationship(back_populates="subtopics")

    @property
    def theme(self):
        """Return the theme this sub-topic belongs to."""
        return self.part.theme

    def __repr__(self):
        return f"<Subtopic {self.code} {self.title}>"
