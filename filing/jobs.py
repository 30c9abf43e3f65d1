"""The scheduled jobs, each a plain function of the App (and the day it runs for).

The scheduler decides *when*; these decide *whether* (working days, a quarter
just ended) and *what*. Calendar rules are pure functions below so tests can
table them. Every run leaves a `JobRun` row (last fire time, last success, last
error) that restarts use to catch up a missed run exactly once and metrics show.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from cases.compliance import sync_compliance
from filing.adapters import compliance_rules, imap_settings, notify_settings, smtp_settings, work_calendar
from filing.bootstrap import App
from filing.pipeline import receive
from filing.report.build import build_report
from filing.report.cache import refresh_current
from filing.report.jsonout import report_data
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes
from filing.worker import StepRunner
from ingest.ledger import Ledger
from ingest.poll import PollProgress, PollReport, poll_once
from notify.digest import queue_quarantine_digest
from notify.followups import sweep_followups
from notify.outbox import SendReport, send_pending
from notify.reminders import sweep_reminders
from store import models as m
from store.clock import utcnow
from store.ledger import DbLedger
from terms.workdays import WorkCalendar

log = logging.getLogger(__name__)

OUTBOX_BATCH = 20  # rows per run: a run then ends well within the shutdown grace
REPORT_CATCH_UP_DAYS = 31  # after this, a missed quarterly report is left to staff (`filing report`)


def ledger_for(app: App) -> Ledger:
    def _receive(raw: bytes, at: datetime) -> int:
        return receive(app, raw, received_at=at, source="imap").message_row_id

    return DbLedger(app.uow, app.blobs, _receive)


# ----------------------------------------------------------------- calendar rules (pure)


def quarter_end_before(day: date) -> date:
    """The last day of the quarter before the one holding `day`."""
    first_of_quarter = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first_of_quarter - timedelta(days=1)


def quarter_key(end: date) -> str:
    return f"{end.year}Q{(end.month - 1) // 3 + 1}"


def quarterly_report_due(day: date, calendar: WorkCalendar) -> str | None:
    """The quarter (e.g. 2026Q3) whose report is due on `day`: from the first working day after it
    ended, for a month (so a server that was down that day still sends it once). None otherwise."""
    end = quarter_end_before(day)
    first = calendar.roll_forward(end + timedelta(days=1))
    if first <= day < first + timedelta(days=REPORT_CATCH_UP_DAYS):
        return quarter_key(end)
    return None


# ----------------------------------------------------------------- job bookkeeping


@contextmanager
def job_run(app: App, name: str, fire_time: datetime | None = None) -> Iterator[None]:
    """Record start, success or error of one run of `name` in `job_runs`."""
    started = utcnow()
    _touch(app, name, last_fire_at=fire_time or started, last_started_at=started, count=True)
    try:
        yield
    except Exception as e:
        _touch(app, name, last_finished_at=utcnow(), last_error=f"{type(e).__name__}: {e}")
        raise
    _touch(app, name, last_finished_at=utcnow(), last_ok_at=utcnow(), last_error=None)


def _touch(app: App, name: str, count: bool = False, **values: object) -> None:
    for _ in range(2):
        with app.uow() as uow:
            row = uow.session.get(m.JobRun, name, with_for_update=True)
            if row is None:
                row = m.JobRun(name=name, runs=0)
                uow.session.add(row)
            for key, value in values.items():
                setattr(row, key, value)
            if count:
                row.runs = (row.runs or 0) + 1
            try:
                uow.commit()
                return
            except IntegrityError:  # two processes created the row at once; the second pass updates it
                uow.rollback()


def baseline(app: App, name: str, at: datetime) -> None:
    """Record that `name` is due from `at` on, without counting a run (first start of a deployment)."""
    _touch(app, name, last_fire_at=at)


def last_fire(app: App, name: str) -> datetime | None:
    with app.uow() as uow:
        row = uow.session.get(m.JobRun, name)
        return row.last_fire_at if row else None


def done_marker(app: App, name: str) -> bool:
    """True when a run named `name` (e.g. `quarterly_report:2026Q3`) has already succeeded."""
    with app.uow() as uow:
        row = uow.session.get(m.JobRun, name)
        return row is not None and row.last_ok_at is not None


# ----------------------------------------------------------------- the jobs


def poll_mailbox(app: App, on_progress: Callable[[PollProgress], None] | None = None) -> PollReport | None:
    """Take new mail into the store (each message becomes `received`); None when no mailbox is configured."""
    if not app.settings.mailbox.host:
        log.debug("mailbox.host is empty: nothing to poll")
        return None
    report = poll_once(imap_settings(app.settings), ledger_for(app), on_progress)
    log.info("poll: %s", report.summary, extra={"job": "poll", "accepted": report.accepted,
                                                 "duplicates": report.duplicates, "ok": report.ok})
    return report


def process_pending(runner: StepRunner, limit: int | None = None) -> int:
    """Run every pending step this process can claim; returns messages handled."""
    return runner.drain(limit)


def send_outbox(app: App) -> SendReport:
    report = send_pending(app.session_factory, smtp_settings(app.settings), limit=OUTBOX_BATCH)
    if report.sent or report.dead or report.uncertain or report.unavailable:
        log.info("outbox: %d sent, %d retried, %d dead, %d uncertain%s", report.sent, report.retried, report.dead,
                 report.uncertain, f"; stopped: {report.unavailable}" if report.unavailable else "",
                 extra={"job": "outbox", "sent": report.sent})
    return report


def remind(app: App, day: date) -> int | None:
    """The reminder sweep for `day` if it is a working day; None when skipped."""
    if not work_calendar(app.settings).is_workday(day):
        log.info("reminders: %s is not a working day, skipped", day, extra={"job": "reminders"})
        return None
    with app.uow() as uow:
        # Judgments that took effect since yesterday start being tracked before anyone is reminded.
        sync_compliance(uow.session, day, work_calendar(app.settings), compliance_rules(app.settings),
                        app.settings.calendar.timezone)
        report = sweep_reminders(uow.session, day, notify_settings(app.settings))
        sweep_followups(uow.session, day, notify_settings(app.settings), report)
        uow.commit()
    queued = sum(report.queued.values())
    log.info("reminders for %s: %d queued (%d already), %d case(s) without an address, %d held while the "
             "document waits in our review queue", day, queued, report.already_queued, len(report.no_address),
             len(report.held), extra={"job": "reminders"})
    return queued


def quarantine_digest(app: App, day: date) -> int | None:
    """Queue the staff digest of quarantined mail and outbox problems on working days; None when skipped."""
    if not work_calendar(app.settings).is_workday(day):
        return None
    with app.uow() as uow:
        rows = queue_quarantine_digest(uow.session, day, notify_settings(app.settings))
        uow.commit()
    log.info("quarantine digest for %s: %d email(s) queued", day, len(rows), extra={"job": "digest"})
    return len(rows)


def refresh_report(app: App) -> bool:
    """Keep this quarter's report page built for the web UI of this process (see filing.report.cache)."""
    built = refresh_current(app)
    if built:
        log.info("report page of this quarter rebuilt after a change", extra={"job": "report_refresh"})
    return built


def quarterly_report(app: App, day: date) -> str | None:
    """Build and store last quarter's report on the first working day after the quarter; once per quarter."""
    key = quarterly_report_due(day, work_calendar(app.settings))
    if key is None or done_marker(app, f"quarterly_report:{key}"):
        return None
    with job_run(app, f"quarterly_report:{key}"):
        report = build_report(app, Period.quarter(key), as_of=day)
        folder = app.var_dir / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{key}.xlsx").write_bytes(workbook_bytes(report))
        (folder / f"{key}.json").write_text(json.dumps(report_data(report), ensure_ascii=False, indent=2),
                                            encoding="utf-8")
        log.info("quarterly report %s written to %s", key, folder, extra={"job": "report", "quarter": key})
    return key
