from __future__ import annotations

from datetime import date, datetime, time

import pytest

from extract.understanding.dates import find_dates, find_datetimes, parse_date, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇二六年三月五日", date(2026, 3, 5)),
        ("二○二六年十二月二十一日", date(2026, 12, 21)),
        ("二〇二六年十月八日", date(2026, 10, 8)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026 年 3 月 5 日", date(2026, 3, 5)),
        ("2O26年1l月3日", date(2026, 11, 3)),
        ("2026.3.5", date(2026, 3, 5)),
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("于2025年1\n1月23日依法", date(2025, 11, 23)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026年2月30日", "0632-5550276", "第六十九条", "2026年13月1日"])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9时30分", time(9, 30)),
        ("上午9时30分", time(9, 30)),
        ("下午2时30分", time(14, 30)),
        ("14:30", time(14, 30)),
        ("上午九时三十分", time(9, 30)),
        ("下午三时", time(15, 0)),
        ("10时00分", time(10, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


def test_datetimes_and_order() -> None:
    text = "应到时间 2026年4月3日上午9时30分\n二〇二六年二月十一日"
    assert find_datetimes(text) == [datetime(2026, 4, 3, 9, 30)]
    assert [h.value for h in find_dates(text)] == [date(2026, 4, 3), date(2026, 2, 11)]


@pytest.mark.parametrize(
    ("text", "ref", "expected"),
    [
        ("2026年4月 39时30分", None, datetime(2026, 4, 3, 9, 30)),  # 日 lost, day and hour glued
        ("2026年6月8H9时00分", None, datetime(2026, 6, 8, 9, 0)),
        ("2026年11月23上日9时30分", None, datetime(2026, 11, 23, 9, 30)),
        ("20206年7月6日14时30分", 2026, datetime(2026, 7, 6, 14, 30)),  # inserted digit, resolved by the year
        ("2026年7月6日下午2时30分", None, datetime(2026, 7, 6, 14, 30)),
    ],
)
def test_ocr_damaged_datetimes(text: str, ref: int | None, expected: datetime) -> None:
    assert find_datetimes(text, ref) == [expected]


def test_inserted_year_digit_without_reference_is_not_guessed() -> None:
    assert find_datetimes("20206年7月6日14时30分") == []
