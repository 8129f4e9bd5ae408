"""Column types shared by the models."""
from datetime import UTC

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware datetime stored in UTC and read back aware, on SQLite as on PostgreSQL.

    SQLite keeps no time zone: without this, a Paris time would be stored as if it were UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give an aware datetime so the stored time is unambiguous")
        value = value.astimezone(UTC)
        # SQLite stores the digits only: give it naive UTC so nothing depends on the driver.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
