"""The hand-written iCalendar feed: escaping, folding by octets, UTC times, one event per hearing."""

from __future__ import annotations

from datetime import UTC, datetime

from notify.ics import HearingEvent, escape_text, fold, render_calendar


def test_escape_text() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_fold_by_octets_never_splits_a_character() -> None:
    line = "SUMMARY:" + "开庭" * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert fold("short") == "short"


def test_render_calendar() -> None:
    events = [HearingEvent("hearing-7@bureau.example", datetime(2026, 3, 20, 9, 30),
                           "开庭：示例局 （2026）鲁0481行初901号", "本院第三审判庭",
                           "案号：（2026）鲁0481行初901号\n拟出庭负责人：张三 局长")]
    body = render_calendar(events, name="司法局·开庭", timezone="Asia/Shanghai",
                           now=datetime(2026, 3, 18, 1, 2, 3, tzinfo=UTC)).decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    unfolded = body.replace("\r\n ", "")
    assert "DTSTART:20260320T013000Z" in unfolded  # 09:30 in Shanghai
    assert "DTEND:20260320T033000Z" in unfolded
    assert "DTSTAMP:20260318T010203Z" in unfolded
    assert "UID:hearing-7@bureau.example" in unfolded
    assert "DESCRIPTION:案号：（2026）鲁0481行初901号\\n拟出庭负责人：张三 局长" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 1 == unfolded.count("END:VEVENT")


def test_empty_calendar_is_valid() -> None:
    body = render_calendar([], name="x", timezone="Asia/Shanghai", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert b"BEGIN:VEVENT" not in body and body.count(b"\r\n") == 8
