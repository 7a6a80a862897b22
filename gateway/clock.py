"""Time as ChiTra keeps it: naive UTC in the database, Vietnam's local date for people.

Payment dates, notice hours and "today" in reports are local (Asia/Ho_Chi_Minh, UTC+7, no
daylight saving); every stored timestamp is UTC without a zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Return the current UTC time (naive, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_today() -> date:
    """Return today's date in Vietnam (payment dates are local dates)."""
    return datetime.now(LOCAL).date()


def to_local(moment: datetime) -> datetime:
    """Return a stored (naive UTC) time as Vietnam's local time."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL)
