"""Recovery codes: single-use codes that stand in for an agent's authenticator when it is lost."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code: the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(String(64))
    #: Set when the code is spent; a spent code is refused.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<RecoveryCode {self.id} agent={self.agent_id}>"
