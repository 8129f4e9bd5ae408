"""Time helpers: timestamps are stored as aware UTC datetimes and shown in Europe/Paris."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow():
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)
