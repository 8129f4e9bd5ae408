"""Syntheses: each department's document for the ministry, and the national one for the assises."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutils import utcnow
from .agents import Agent
from .consultations import Consultation
from .forums import Forum, _enum
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
    """What every synthesis holds: the engine's generated content, and the agents' own text beside it.

    The two are kept apart so that recomputing the figures recomputes every generated sentence
    and never touches what an agent wrote (see synthesis.document).
    """

    #: The engine's draft and figures when last computed (forums.services.synthesis_content.Generated).
    generated: Mapped[dict | None] = mapped_column(JSON)
    #: When ``generated`` was computed.
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The agents' own text per section (forums.services.synthesis_content.SectionTexts).
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Bumped at every save of ``texts``: two saves at the same moment are settled on it.
    text_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


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
    #: Transmitted while forums were still to be held or before the meeting window closed.
    is_early: Mapped[bool] = mapped_column(default=False)
    #: Why the prefecture transmitted early, shown to the ministry.
    early_reason: Mapped[str] = mapped_column(Text, default="")
    #: Written at submission: what the national aggregation reads (synthesis.national.DepartmentResult),
    #: so that the nation adds up a hundred stored results instead of a million questions.
    submitted_result: Mapped[dict | None] = mapped_column(JSON)

    consultation: Mapped[Consultation] = relationship()
    department: Mapped[Department] = relationship()
    created_by: Mapped[Agent | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[Agent | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[Agent | None] = relationship(foreign_keys=[submitted_by_id])
    reopened_by: Mapped[Agent | None] = relationship(foreign_keys=[reopened_by_id])
    annexes: Mapped[list["SynthesisAnnex"]] = relationship(
        back_populates="synthesis", cascade="all, delete-orphan", order_by="SynthesisAnnex.id")

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


class SynthesisAnnex(db.Model):
    """The minutes of a forum as transmitted to the ministry: with the synthesis, or later as an addendum.

    A forum's minutes are locked once they have reached the ministry, and only then: a forum held
    after an early transmission still gets its minutes, which the prefecture sends as an addendum.
    """

    __tablename__ = "synthesis_annexes"
    __table_args__ = (UniqueConstraint("synthesis_id", "forum_id", name="uq_synthesis_annexes_forum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("department_syntheses.id"), index=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), index=True)
    #: The version of the minutes transmitted.
    minutes_version: Mapped[int]
    #: Sent after the synthesis, as an addendum (« complément »).
    is_addendum: Mapped[bool] = mapped_column(default=False)
    transmitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    transmitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))

    synthesis: Mapped[DepartmentSynthesis] = relationship(back_populates="annexes")
    forum: Mapped[Forum] = relationship()
    transmitted_by: Mapped[Agent | None] = relationship()

    def __repr__(self):
        return f"<SynthesisAnnex forum={self.forum_id}{' addendum' if self.is_addendum else ''}>"
