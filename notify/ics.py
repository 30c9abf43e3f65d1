"""Hearings as an iCalendar feed (RFC 5545), written by hand: a handful of properties, escaped and folded.

Times are sent in UTC (…Z) so no VTIMEZONE is needed; a hearing's end is not known, so each event gets a
fixed length that only sizes it in a calendar view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

EVENT_LENGTH = timedelta(hours=2)


@dataclass(frozen=True)
class HearingEvent:
    uid: str  # stable across feeds: a calendar updates the event instead of adding another
    start: datetime  # naive local wall time, as the court's summons prints it
    summary: str
    location: str = ""
    description: str = ""


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on lines starting with a space, never splitting a character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(at: datetime, tz: ZoneInfo) -> str:
    aware = at.replace(tzinfo=tz) if at.tzinfo is None else at
    return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(events: Iterable[HearingEvent], *, name: str, timezone: str, now: datetime) -> bytes:
    tz = ZoneInfo(timezone)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//filing//hearings//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}", f"X-WR-TIMEZONE:{timezone}"]
    stamp = _utc(now, tz)
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(e.start, tz)}",
                  f"DTEND:{_utc(e.start + EVENT_LENGTH, tz)}", f"SUMMARY:{escape_text(e.summary)}"]
        if e.location:
            lines.append(f"LOCATION:{escape_text(e.location)}")
        if e.description:
            lines.append(f"DESCRIPTION:{escape_text(e.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(ln) for ln in lines) + "\r\n").encode("utf-8")
