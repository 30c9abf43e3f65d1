"""Build a report from the application's database: the one entry point the CLI and the web use."""

from __future__ import annotations

from datetime import date

from filing.bootstrap import App
from filing.report.compute import compute_report
from filing.report.settings import context_from
from filing.report.snapshot import load_input
from filing.report.types import Period, Report


def build_report(app: App, period: Period, as_of: date | None = None) -> Report:
    tz = app.settings.calendar.timezone
    with app.uow() as uow:
        data = load_input(uow.session, as_of or app.settings.today(), tz)
    return compute_report(data, period, context_from(app.settings))
