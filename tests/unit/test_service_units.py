"""Pure parts of the service: quarter rules, Prometheus text, JSON log lines."""

from __future__ import annotations

import io
import json
import logging
from datetime import date

import pytest

from filing.jobs import quarter_end_before, quarter_key, quarterly_report_due
from filing.logging import JsonFormatter, configure_logging
from filing.metrics import Metric, Sample, render
from terms.workdays import CalendarConfig, WorkCalendar, YearOverride

# A made-up year so the table does not depend on the chinese-calendar package's data.
CAL = WorkCalendar(CalendarConfig(overrides={
    2031: YearOverride.from_ranges([(date(2031, 1, 1), date(2031, 1, 3)), (date(2031, 10, 1), date(2031, 10, 8))]),
}))


@pytest.mark.parametrize(("day", "end"), [
    (date(2031, 1, 1), date(2030, 12, 31)),
    (date(2031, 3, 31), date(2030, 12, 31)),
    (date(2031, 4, 1), date(2031, 3, 31)),
    (date(2031, 10, 9), date(2031, 9, 30)),
    (date(2031, 12, 31), date(2031, 9, 30)),
])
def test_quarter_end_before(day: date, end: date) -> None:
    assert quarter_end_before(day) == end


@pytest.mark.parametrize(("day", "due"), [
    (date(2031, 10, 8), None),  # still the National Day holiday
    (date(2031, 10, 9), "2031Q3"),  # Thursday: the first working day after the quarter
    (date(2031, 10, 20), "2031Q3"),  # a server that was down that day still sends it (once: job_runs)
    (date(2031, 11, 9), None),  # a month later it is left to staff
    (date(2031, 1, 3), None),  # New Year holiday
    (date(2031, 1, 6), "2030Q4"),  # Monday after it
    (date(2031, 4, 1), "2031Q1"),  # Tuesday, a working day
    (date(2031, 6, 30), None),
])
def test_quarterly_report_due_on_first_working_day_after_the_quarter(day: date, due: str | None) -> None:
    assert quarterly_report_due(day, CAL) == due


def test_quarter_key() -> None:
    assert [quarter_key(date(2031, m, 28)) for m in (3, 6, 9, 12)] == ["2031Q1", "2031Q2", "2031Q3", "2031Q4"]


def test_prometheus_text_format() -> None:
    text = render([
        Metric("filing_messages", "gauge", "Messages by state.",
               (Sample("filing_messages", 3, (("state", "done"),)), Sample("filing_messages", 0, (("state", 'a"b'),)))),
        Metric("filing_ocr_seconds_total", "counter", "OCR seconds.", (Sample("filing_ocr_seconds_total", 1.5),)),
    ])
    assert text.splitlines() == [
        "# HELP filing_messages Messages by state.",
        "# TYPE filing_messages gauge",
        'filing_messages{state="done"} 3',
        'filing_messages{state="a\\"b"} 0',
        "# HELP filing_ocr_seconds_total OCR seconds.",
        "# TYPE filing_ocr_seconds_total counter",
        "filing_ocr_seconds_total 1.5",
    ]


def test_json_log_line_carries_context_and_exceptions() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    log = logging.getLogger("filing.test")
    log.info("step %s started", "parsed", extra={"message_id": 7, "step": "parsed"})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["msg"] == "step parsed started" and first["message_id"] == 7 and first["level"] == "info"
    assert second["level"] == "error" and "ValueError: boom" in second["exc"]
    assert isinstance(JsonFormatter().format(logging.makeLogRecord({"msg": "中文"})), str)
    logging.getLogger().handlers.clear()


def test_latest_missed_fire_time_is_the_most_recent_one() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.cron import CronTrigger

    from filing.scheduler import latest_missed

    tz = ZoneInfo("Asia/Shanghai")
    daily = CronTrigger(hour=8, minute=30, timezone=tz)
    last = datetime(2031, 3, 3, 8, 30, tzinfo=tz)
    assert latest_missed(daily, last, datetime(2031, 3, 3, 17, 0, tzinfo=tz)) is None
    assert latest_missed(daily, last, datetime(2031, 3, 6, 8, 0, tzinfo=tz)) == datetime(2031, 3, 5, 8, 30, tzinfo=tz)
    assert latest_missed(daily, last, datetime(2031, 3, 6, 8, 30, tzinfo=tz)) == datetime(2031, 3, 6, 8, 30, tzinfo=tz)
