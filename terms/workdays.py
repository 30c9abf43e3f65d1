"""Chinese working days: statutory holidays and make-up days (调休), with bureau overrides.

Counting rule (民法典 第201/203条): the day of the triggering event does not count; the
n-th working day after D is found by walking forward from D+1. A deadline expressed in
calendar days that ends on a non-working day moves to the next working day.

Data comes from `chinese_calendar` (State Council schedules it ships) plus per-year
overrides from config.yaml. A year neither knows is not guessed silently: we warn loudly
(`UnknownYearWarning`) and fall back to Monday–Friday so deadlines stay computable.
"""

from __future__ import annotations

import logging
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)


class UnknownYearWarning(UserWarning):
    """No holiday schedule for this year: working days are a Monday–Friday guess."""


@dataclass(frozen=True)
class YearOverride:
    """One year's schedule as the State Council publishes it: days off and make-up working days."""

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    @classmethod
    def from_ranges(cls, holidays: Iterable[tuple[date, date]], makeup_workdays: Iterable[date] = ()) -> YearOverride:
        days: set[date] = set()
        for start, end in holidays:
            if end < start:
                raise ValueError(f"holiday range ends before it starts: {start}..{end}")
            d = start
            while d <= end:
                days.add(d)
                d += timedelta(days=1)
        return cls(frozenset(days), frozenset(makeup_workdays))


@dataclass(frozen=True)
class CalendarConfig:
    """`overrides` win over the package for the dates they list; a year only in overrides is fully defined by them."""

    overrides: Mapping[int, YearOverride] = field(default_factory=dict)
    # Some bureaus do not count make-up weekend days toward filing deadlines (confirm locally).
    count_makeup_workdays: bool = True


def _package_years() -> range:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


class WorkCalendar:
    """Answers "is D a working day" and counts working days; pure apart from the warning."""

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self._config = config or CalendarConfig()
        self._package_years = _package_years()
        self._warned: set[int] = set()
        # chinese_calendar scans its whole table on every call: remember each day's answer.
        self._days: dict[date, bool] = {}
        self._year_exceptions: dict[int, tuple[list[date], list[int]]] = {}
        self._added: dict[tuple[date, int], date] = {}

    @property
    def config(self) -> CalendarConfig:
        return self._config

    def knows_year(self, year: int) -> bool:
        return year in self._package_years or year in self._config.overrides

    def unknown_years(self, years: Iterable[int]) -> list[int]:
        """Years a deadline may touch but no schedule covers — for a start-up check."""
        return sorted({y for y in years if not self.knows_year(y)})

    def is_workday(self, d: date) -> bool:
        known = self._days.get(d)
        if known is None:
            known = self._days[d] = self._is_workday(d)
        return known

    def _is_workday(self, d: date) -> bool:
        override = self._config.overrides.get(d.year)
        if override is not None:
            if d in override.holidays:
                return False
            if d in override.makeup_workdays:
                return self._config.count_makeup_workdays
        if d.year in self._package_years:
            if not chinese_calendar.is_workday(d):
                return False
            return self._config.count_makeup_workdays or d.weekday() < 5
        if override is None:
            self._warn_unknown(d.year)
        return d.weekday() < 5

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after `d` (d itself not counted); negative n walks back. n=0 returns d."""
        # A report asks for the same few deadlines of the same days again and again (each quarter of its trend).
        known = self._added.get((d, n))
        if known is None:
            known = self._added[(d, n)] = self._add_workdays(d, n)
        return known

    def _add_workdays(self, d: date, n: int) -> date:
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        current = d
        while remaining:
            current += timedelta(days=step)
            if self.is_workday(current):
                remaining -= 1
        return current

    def roll_forward(self, d: date) -> date:
        """`d` if it is a working day, else the next working day (a deadline never ends on a day off)."""
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def deadline_after_days(self, d: date, days: int) -> date:
        """A deadline of `days` calendar days after `d`, moved off a holiday."""
        return self.roll_forward(d + timedelta(days=days))

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days after `start` `end` falls. 0 if end <= start.

        By arithmetic: the Monday–Friday days in the range, corrected by the year's exceptions
        (holidays on weekdays, make-up weekend days), so a range of years costs no more than a week."""
        if end <= start:
            return 0
        count = _weekdays_through(end) - _weekdays_through(start)
        for year in range(start.year, end.year + 1):
            days, deltas = self._exceptions(year)
            lo = bisect_right(days, start) if year == start.year else 0
            hi = bisect_right(days, end) if year == end.year else len(days)
            count += sum(deltas[lo:hi])
        return count

    def _exceptions(self, year: int) -> tuple[list[date], list[int]]:
        """The year's days that differ from Monday–Friday, sorted: +1 a working weekend day, -1 a weekday off."""
        known = self._year_exceptions.get(year)
        if known is None:
            days: list[date] = []
            deltas: list[int] = []
            d = date(year, 1, 1)
            while d.year == year:
                work = self.is_workday(d)
                if work != (d.weekday() < 5):
                    days.append(d)
                    deltas.append(1 if work else -1)
                d += timedelta(days=1)
            known = self._year_exceptions[year] = (days, deltas)
        return known

    def _warn_unknown(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        text = (
            f"no holiday schedule for {year}: neither chinese_calendar nor config.yaml calendar overrides know it; "
            "counting Monday–Friday only. Add the State Council schedule for this year to config.yaml "
            "(calendar.overrides) or upgrade chinesecalendar."
        )
        log.error(text)
        warnings.warn(text, UnknownYearWarning, stacklevel=3)


def _weekdays_through(d: date) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) through `d`."""
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)
