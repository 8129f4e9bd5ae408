"""Syntheses: each department's document for the ministry, and the national one for the assises."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutils import utcnow
from .agents import Agent
from .consultations import Consultation
from .forums import _enum
from .territories import Department
from .types import UTCDateTime


class SynthesisStatus(enum.StrEnum):
    """Where a departmental synthesis is. "Late" is not a status: it is a flag on submission."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REOPENED = "reopened"

    @property
    def label(self):
        """Return the French name of the status."""
        return {"draft": "Projet", "submitted": "Transmise", "reopened": "Rouverte"}[self.value]


class SynthesisText:
    """The three parts every synthesis has, and the figures computed when it was (re)generated."""

    #: (1) Éclairage de proximité sur les problématiques dégagées (Markdown).
    local_insight: Mapped[str] = mapped_column(Text, default="")
    #: (2) Diagnostic : points forts et points faibles (Markdown).
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    #: (3) Propositions pour renforcer le lien de confiance (Markdown).
    proposals: Mapped[str] = mapped_column(Text, default="")
    #: Figures from the synthesis engine, as plain data (synthesis.figures to_dict).
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    figures_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    PARTS = ("local_insight", "diagnosis", "proposals")


class DepartmentSynthesis(SynthesisText, db.Model):
    """A department's synthesis: drafted by the prefecture, submitted to the ministry."""

    __tablename__ = "department_syntheses"
    __table_args__ = (
        UniqueConstraint("consultation_id", "department_code", name="uq_department_syntheses_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    status: Mapped[SynthesisStatus] = mapped_column(_enum(SynthesisStatus, 12), default=SynthesisStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    #: Set at submission when it came after the consultation's synthesis deadline.
    is_late: Mapped[bool] = mapped_column(default=False)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    #: Written at submission: what the national aggregation reads (synthesis.national.DepartmentResult),
    #: so that the nation adds up a hundred stored results instead of a million questions.
    submitted_result: Mapped[dict | None] = mapped_column(JSON)

    consultation: Mapped[Consultation] = relationship()
    department: Mapped[Department] = relationship()
    created_by: Mapped[Agent | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[Agent | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[Agent | None] = relationship(foreign_keys=[submitted_by_id])
    reopened_by: Mapped[Agent | None] = relationship(foreign_keys=[reopened_by_id])

    @property
    def is_locked(self):
        """Tell whether the synthesis (and the department's minutes) can no longer be changed."""
        return self.status is SynthesisStatus.SUBMITTED

    def __repr__(self):
        return f"<DepartmentSynthesis {self.department_code} {self.status.value}>"


class NationalSynthesis(SynthesisText, db.Model):
    """The ministry's synthesis of a consultation, for the assises."""

    __tablename__ = "national_syntheses"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    consultation: Mapped[Consultation] = relationship()
    created_by: Mapped[Agent | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[Agent | None] = relationship(foreign_keys=[updated_by_id])

    def __repr__(self):
        return f"<NationalSynthesis {self.consultation_id}>"
