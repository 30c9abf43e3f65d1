"""Working-day arithmetic on the real 2025 and 2026 State Council schedules."""

from __future__ import annotations

import random
import warnings
from datetime import date, timedelta

import pytest

from terms.workdays import CalendarConfig, UnknownYearWarning, WorkCalendar, YearOverride


@pytest.fixture()
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        # Spring Festival 2025: Jan 28 – Feb 4 off, Sun Jan 26 and Sat Feb 8 are make-up working days.
        (date(2025, 1, 26), True),
        (date(2025, 1, 27), True),
        (date(2025, 1, 28), False),
        (date(2025, 2, 4), False),
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),
        (date(2025, 2, 9), False),
        # National Day 2025: Oct 1–8 off, Sun Sep 28 and Sat Oct 11 work.
        (date(2025, 9, 28), True),
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),
        # Spring Festival 2026: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 work.
        (date(2026, 2, 14), True),
        (date(2026, 2, 15), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),
        (date(2026, 3, 1), False),
        # National Day 2026: Sep 25–27 (Mid-Autumn) and Oct 1–7 off, Sun Sep 20 and Sat Oct 10 work.
        (date(2026, 9, 20), True),
        (date(2026, 9, 25), False),
        (date(2026, 9, 28), True),
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),
        (date(2026, 10, 11), False),
        # An ordinary weekend.
        (date(2026, 3, 7), False),
        (date(2026, 3, 9), True),
    ],
)
def test_is_workday_real_schedule(cal: WorkCalendar, day: date, workday: bool) -> None:
    assert cal.is_workday(day) is workday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # The documented example: received Mon 2026-09-28 → 5th working day is Sat 2026-10-10 (make-up).
        (date(2026, 9, 28), 5, date(2026, 10, 10)),
        (date(2026, 9, 28), 1, date(2026, 9, 29)),
        (date(2026, 9, 28), 3, date(2026, 10, 8)),
        (date(2026, 9, 28), 6, date(2026, 10, 12)),
        # Receipt on a holiday: counting starts the next day anyway.
        (date(2026, 10, 3), 1, date(2026, 10, 8)),
        # Spring Festival 2026: Fri Feb 13 → Sat Feb 14 (make-up) is the 1st, Tue Feb 24 the 2nd.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        (date(2026, 2, 13), 6, date(2026, 2, 28)),
        # Spring Festival 2025: Mon Jan 27 → Wed Feb 5 first working day after.
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        # National Day 2025: Tue Sep 30 → Thu Oct 9, then Fri Oct 10, Sat Oct 11 (make-up).
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
        (date(2026, 10, 10), -5, date(2026, 9, 28)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
    ],
)
def test_add_workdays(cal: WorkCalendar, start: date, n: int, expected: date) -> None:
    assert cal.add_workdays(start, n) == expected


def test_workdays_between_counts_end_not_start(cal: WorkCalendar) -> None:
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 10, 10)) == 5
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 9, 28)) == 0
    assert cal.workdays_between(date(2026, 10, 12), date(2026, 10, 22)) == 8


def test_deadline_in_calendar_days_moves_off_holiday(cal: WorkCalendar) -> None:
    # Sep 16 + 15 days = Oct 1 (National Day) → first working day Oct 8.
    assert cal.deadline_after_days(date(2026, 9, 16), 15) == date(2026, 10, 8)
    # Ends on a make-up Saturday: stays.
    assert cal.deadline_after_days(date(2026, 9, 25), 15) == date(2026, 10, 10)
    assert cal.deadline_after_days(date(2026, 3, 2), 15) == date(2026, 3, 17)


def test_makeup_days_can_be_excluded_by_config() -> None:
    cal = WorkCalendar(CalendarConfig(count_makeup_workdays=False))
    assert cal.is_workday(date(2026, 10, 10)) is False
    assert cal.add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 12)


def test_unknown_year_warns_loudly_and_guesses_weekdays() -> None:
    cal = WorkCalendar()
    assert not cal.knows_year(2031)
    with pytest.warns(UnknownYearWarning, match="2031"):
        assert cal.is_workday(date(2031, 1, 6)) is True
    # Once per year, not on every call.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cal.is_workday(date(2031, 1, 4)) is False
    assert cal.unknown_years([2026, 2031, 2032]) == [2031, 2032]


def test_override_defines_an_unknown_year_without_warning() -> None:
    override = YearOverride.from_ranges(
        holidays=[(date(2031, 1, 1), date(2031, 1, 3))], makeup_workdays=[date(2031, 1, 4)]
    )
    cal = WorkCalendar(CalendarConfig(overrides={2031: override}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cal.is_workday(date(2031, 1, 2)) is False
        assert cal.is_workday(date(2031, 1, 4)) is True
        assert cal.is_workday(date(2031, 1, 5)) is False
        assert cal.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 4)


def test_override_corrects_a_known_year() -> None:
    # A bureau-declared extra day off wins over the package.
    cal = WorkCalendar(CalendarConfig(overrides={2026: YearOverride(holidays=frozenset({date(2026, 3, 9)}))}))
    assert cal.is_workday(date(2026, 3, 9)) is False
    assert cal.is_workday(date(2026, 3, 10)) is True
    assert cal.is_workday(date(2026, 10, 10)) is True


def test_package_matches_the_corpus_2026_schedule(cal: WorkCalendar) -> None:
    expected = YearOverride.from_ranges(
        holidays=[
            (date(2026, 1, 1), date(2026, 1, 3)),
            (date(2026, 2, 15), date(2026, 2, 23)),
            (date(2026, 4, 4), date(2026, 4, 6)),
            (date(2026, 5, 1), date(2026, 5, 5)),
            (date(2026, 6, 19), date(2026, 6, 21)),
            (date(2026, 9, 25), date(2026, 9, 27)),
            (date(2026, 10, 1), date(2026, 10, 7)),
        ],
        makeup_workdays=[date(2026, m, d) for m, d in [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]],
    )
    d = date(2026, 1, 1)
    while d.year == 2026:
        official = d in expected.makeup_workdays or (d.weekday() < 5 and d not in expected.holidays)
        assert cal.is_workday(d) == official, d
        d = date.fromordinal(d.toordinal() + 1)


def _walk(cal: WorkCalendar, start: date, end: date) -> int:
    count, d = 0, start
    while d < end:
        d += timedelta(days=1)
        count += cal.is_workday(d)
    return count


@pytest.mark.parametrize("config", [
    None,
    CalendarConfig(count_makeup_workdays=False),
    CalendarConfig(overrides={2031: YearOverride.from_ranges([(date(2031, 1, 1), date(2031, 1, 3))],
                                                             [date(2031, 1, 4)])}),
])
def test_workdays_between_by_arithmetic_equals_a_day_by_day_count(config: CalendarConfig | None) -> None:
    cal = WorkCalendar(config)
    rnd = random.Random(23)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownYearWarning)
        for _ in range(400):
            start = date(2015, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 18))
            end = start + timedelta(days=rnd.randrange(-20, 1200))
            assert cal.workdays_between(start, end) == _walk(cal, start, end), (start, end)
