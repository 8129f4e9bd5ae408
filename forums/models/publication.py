"""The publication version: one counter bumped whenever something the public sees changes."""
from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutils import utcnow
from .types import UTCDateTime


class PublicationState(db.Model):
    """A single row (id 1): public caches and ETags are keyed by its version."""

    __tablename__ = "publication_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
