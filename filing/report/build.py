"""Build a report from the application's database: the one entry point the CLI and the web use."""

from __future__ import annotations

from datetime import date

from filing.bootstrap import App
from filing.gc_scope import existing_objects_frozen
from filing.report.compute import compute_report, report_window
from filing.report.settings import context_from
from filing.report.snapshot import load_input
from filing.report.types import Period, Report


def build_report(app: App, period: Period, as_of: date | None = None) -> Report:
    tz = app.settings.calendar.timezone
    ctx = context_from(app.settings)
    day = as_of or app.settings.today()
    # The web builds it inside a process holding the app and its caches: collections walk only what it made.
    with existing_objects_frozen():
        with app.uow() as uow:
            # Only the cases this period's report can use (issue 23): its cost follows the period, not the store.
            data = load_input(uow.session, day, tz, window=(report_window(period, ctx.rules), max(period.end, day)))
        return compute_report(data, period, ctx)
