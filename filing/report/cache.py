"""Built reports kept in the process, each with the data version it reflects (issue 23).

A quarter's report reads thousands of cases; the web asks for the same one again and again (the page,
its Excel and JSON downloads, the assessment page). The database raises `data_version` in every
transaction that changes what a report reads (migration report_data_version, by triggers), so a kept
report is used only while the number is the one read before it was built: never stale. The number is
read before the build, so data committed during the build can only make the kept report look older
than it is (the next request builds again), never newer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select

from filing.bootstrap import App
from filing.report.build import build_report
from filing.report.html import render_html
from filing.report.types import Period, Report
from store import models as m

T = TypeVar("T")
KEEP = 4  # reports per process: this quarter and a few the staff compare it with
EXTRAS_KEY = "report_cache"


@dataclass
class Kept:
    """One built report and what was made from it (the page, the workbook), all of one data version."""

    version: int
    report: Report
    _made: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def made(self, name: str, make: Callable[[Report], T]) -> T:
        """`make(report)`, once per name for this report (the same report gives the same output)."""
        with self._lock:
            if name in self._made:
                return self._made[name]
        out = make(self.report)
        with self._lock:
            self._made[name] = out
        return out


class ReportCache:
    """The last few reports built, by period and day."""

    def __init__(self, size: int = KEEP) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[Period, date], Kept] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, period: Period, as_of: date) -> Kept | None:
        """The kept report of `period` as of `as_of`, whatever its version (None: none kept)."""
        with self._lock:
            return self._kept.get((period, as_of))

    def get(self, app: App, period: Period, as_of: date) -> Kept:
        version = data_version(app)
        key = (period, as_of)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and version is not None and kept.version == version:
                self._kept.move_to_end(key)
                return kept
        kept = Kept(-1 if version is None else version, build_report(app, period, as_of))
        if version is None:
            return kept  # a store without the version (not migrated): nothing can tell when it changes
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return kept


def data_version(app: App) -> int | None:
    with app.uow() as uow:
        return uow.session.scalar(select(m.DataVersion.n).where(m.DataVersion.id == 1))


def kept_report(app: App, period: Period, as_of: date) -> Kept:
    """The report of `period` as of `as_of`, built now or kept from an earlier request of the same data."""
    cache = app.extras.setdefault(EXTRAS_KEY, ReportCache())
    assert isinstance(cache, ReportCache)
    return cache.get(app, period, as_of)


def page_html(app: App, period: Period, as_of: date) -> str:
    """The report page's HTML (the web UI's /reports body) of `period`, kept with its report."""
    kept = kept_report(app, period, as_of)
    return kept.made(f"page:{period.key}", lambda r: render_html(r, standalone=False, quarter=period.key))


def current_period(today: date) -> Period:
    """The quarter `today` is in: what /reports shows without a period asked for."""
    return Period.of_quarter(today.year, (today.month - 1) // 3 + 1)


def refresh_current(app: App) -> bool:
    """Build this quarter's page again if the store changed since it was built (a scheduler job), so
    staff opening /reports after new mail get it kept. True when it was built now."""
    today = app.settings.today()
    period = current_period(today)
    cache = app.extras.setdefault(EXTRAS_KEY, ReportCache())
    assert isinstance(cache, ReportCache)
    before = cache.peek(period, today)
    page_html(app, period, today)
    return cache.peek(period, today) is not before
