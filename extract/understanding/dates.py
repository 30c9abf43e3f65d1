"""Dates and times as Chinese documents print them, tolerant of OCR spacing and O/0, l/1 swaps.

Forms: 二〇二六年三月五日, 二○二六年十二月二十一日, 2026年3月5日, 2026.3.5, 2026-03-05, 2026/3/5;
times: 9时30分, 上午9时30分, 下午2时30分 (→ 14:30), 14:30, 9时, 上午九时三十分.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from extract.understanding.casenumber import compact

__all__ = ["DateHit", "find_dates", "find_datetimes", "parse_date", "parse_time"]

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇○零一二两三四五六七八九十"
_AR = "0-9OolI|"
_AR_MAP = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})

_ARABIC_DATE = re.compile(rf"(?P<y>[12][{_AR}]{{3}})年(?P<m>[{_AR}]{{1,2}})月(?P<d>[{_AR}]{{1,2}})[日曰目]")
# The 〇 of 二〇二六 is what OCR loses or turns into punctuation, so the century is read from the
# first character and only the last two digits must be clean.
_CHINESE_DATE = re.compile(
    rf"(?P<c>[一二])[^年\n]{{0,2}}?(?P<y>[{_CN}O]{{2}})年(?P<m>[{_CN}]{{1,3}})月(?P<d>[{_CN}]{{1,3}})[日曰目]"
)
_DOTTED_DATE = re.compile(
    rf"(?<![0-9])(?P<y>20[{_AR}]{{2}})(?P<sep>[.\-/．])(?P<m>[{_AR}]{{1,2}})(?P=sep)(?P<d>[{_AR}]{{1,2}})(?![0-9])"
)
_TIME = re.compile(
    rf"(?P<ampm>上午|下午|中午|晚上|早上)?(?P<h>[{_AR}]{{1,2}}|[{_CN}]{{1,3}})(?:时|點|点|:|：)"
    rf"(?:(?P<mi>[{_AR}]{{1,2}}|[{_CN}]{{1,3}})分?|(?P<half>半))?"
)


@dataclass(frozen=True)
class DateHit:
    value: date
    start: int  # offsets in the compacted text (see casenumber.compact)
    end: int


def _cn_number(s: str) -> int | None:
    """Chinese numerals up to 99: 五, 十, 十二, 二十, 二十四, and digit-by-digit 二〇二六."""
    if not s:
        return None
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = 1 if head == "" else _CN_DIGITS.get(head)
        ones = 0 if tail == "" else _CN_DIGITS.get(tail)
        if tens is None or ones is None or len(head) > 1 or len(tail) > 1:
            return None
        return tens * 10 + ones
    value = 0
    for ch in s:
        d = _CN_DIGITS.get(ch)
        if d is None:
            return None
        value = value * 10 + d
    return value


def _num(s: str) -> int | None:
    t = s.translate(_AR_MAP)
    if t.isdigit():
        return int(t)
    return _cn_number(s)


def _make_date(y: int | None, m: int | None, d: int | None) -> date | None:
    if y is None or m is None or d is None or not 1990 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[DateHit]:
    """All valid dates in `text` (whitespace ignored), in order; offsets refer to the compacted text."""
    folded, _ = compact(text)
    hits: list[DateHit] = []
    for rx in (_ARABIC_DATE, _CHINESE_DATE, _DOTTED_DATE):
        for m in rx.finditer(folded):
            year = _num(m["y"])
            if rx is _CHINESE_DATE and year is not None:
                year += 2000 if m["c"] == "二" else 1900
            value = _make_date(year, _num(m["m"]), _num(m["d"]))
            if value is not None:
                hits.append(DateHit(value, m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


def parse_date(text: str) -> date | None:
    """The first date in `text`."""
    hits = find_dates(text)
    return hits[0].value if hits else None


def parse_time(text: str) -> time | None:
    """The first clock time in `text` (下午2时30分 → 14:30)."""
    folded, _ = compact(text)
    for m in _TIME.finditer(folded):
        h = _num(m["h"])
        mi = 30 if m["half"] else (_num(m["mi"]) if m["mi"] else 0)
        if h is None or mi is None:
            continue
        if m["ampm"] in ("下午", "晚上") and h < 12:
            h += 12
        if 0 <= h <= 23 and 0 <= mi <= 59:
            return time(h, mi)
    return None


# A hearing time as OCR leaves it: 日 misread or lost (8H9时, 27呈9时, 4月39时 = 4月3日9时), a stray
# character after the day (23上日), an inserted digit in the year (20206年).
_LOOSE_DATETIME = re.compile(
    rf"(?P<y>[12][{_AR}]{{3,4}})年(?P<m>[{_AR}]{{1,2}})月(?P<d>[{_AR}]{{1,2}})[^0-9年月时]{{0,2}}?"
    rf"(?P<ampm>上午|下午|中午|晚上|早上)?(?P<h>[{_AR}]{{1,2}})(?:时|點|点|:|：)(?P<mi>[{_AR}]{{1,2}})?"
)


def _year(raw: str, ref_year: int | None) -> int | None:
    digits = raw.translate(_AR_MAP)
    if not digits.isdigit():
        return None
    if len(digits) == 4:
        return int(digits)
    # Five digits: one was inserted. Take the deletion closest to the reference year.
    options = {int(digits[:i] + digits[i + 1 :]) for i in range(len(digits))}
    options = {y for y in options if 1990 <= y <= 2100}
    if not options or ref_year is None:
        return None
    best = min(options, key=lambda y: abs(y - ref_year))
    return best if abs(best - ref_year) <= 1 else None


def find_datetimes(text: str, ref_year: int | None = None) -> list[datetime]:
    """Dates followed by a clock time (2026年4月3日上午9时30分), in order, tolerant of OCR damage.

    `ref_year` (the document's year) resolves a year with an inserted digit.
    """
    folded, _ = compact(text)
    out: list[datetime] = []
    for m in _LOOSE_DATETIME.finditer(folded):
        y = _year(m["y"], ref_year)
        d = _make_date(y, _num(m["m"]), _num(m["d"]))
        h = _num(m["h"])
        mi = _num(m["mi"]) if m["mi"] else 0
        if d is None or h is None or mi is None:
            continue
        if m["ampm"] in ("下午", "晚上") and h < 12:
            h += 12
        if 0 <= h <= 23 and 0 <= mi <= 59:
            out.append(datetime.combine(d, time(h, mi)))
    return out
