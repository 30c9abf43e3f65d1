"""Dates in one place: the bureau's local day, and ISO dates read back from stored JSON."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

# The bureau works in China Standard Time; config (calendar.timezone) may say otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def today(timezone: str = DEFAULT_TIMEZONE) -> date:
    """The bureau's calendar day now: every "today" in the system comes from here."""
    return datetime.now(zone(timezone)).date()


def local_date(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The bureau's calendar day of an instant (the store keeps instants in UTC)."""
    return moment.astimezone(zone(timezone)).date()


def iso_date(value: Any) -> date | None:
    """A date from a stored value: a date, a datetime, or an ISO string; anything else is None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def iso_datetime(value: Any) -> datetime | None:
    """A datetime from a stored value (a datetime or an ISO string), as stored: naive stays naive."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
