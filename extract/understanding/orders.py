"""What a lost judgment orders the agency to do, and within what time, read from its disposition (判决如下…).

Pure. A time limit the court states relative to the judgment taking effect (判决生效之日起三十日内) or to its
service (收到本判决之日起60日内) is read, and so is a calendar date the ordering item sets as the deadline
(于2026年9月1日前, 在2026年9月1日之前). Any other date is a fact the court narrates (the decision under
review, an application, the judgment's own date), never a deadline; anything else ("立即", no limit) is left
to staff. A disposition that only quashes or declares unlawful (撤销…, 确认…违法) orders nothing to perform:
the order is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from extract.understanding.casenumber import compact
from extract.understanding.dates import find_dates

__all__ = ["Order", "read_order"]

_NUM = "0-9０-９一二两三四五六七八九十百"
# 判决/裁定 may be spelt out or not; 生效 or 发生法律效力; 之日起 / 后.
_LIMIT = re.compile(
    rf"(?P<base>(?:本?(?:判决|裁定)(?:书)?)?(?:生效|发生法律效力)|收到本?(?:判决|裁定)(?:书)?|(?:本?(?:判决|裁定)(?:书)?)送达)"
    rf"(?:之日)?(?:起|后)(?:的)?(?P<n>[{_NUM}]+)(?P<unit>个工作日|工作日|日|天|个月|月)(?:内|以内)"
)
# Words that make an item an order to act; 不履行 is what a declaration (确认…不履行…违法) names, not an order.
_ACTION = re.compile(r"重新|责令|判令|给付|支付|返还|赔偿|补偿|恢复|补救|(?<![不未])履行")
# An item that quashes or declares (撤销…, 确认…违法) orders something only with these words.
_DECLARES = re.compile(r"^(?:[一二三四五六七八九十]+[、，,.])?(?:撤销|确认)")
_STRONG = re.compile(r"重新|责令|判令")
_NOT_ORDER = re.compile(r"^(?:[一二三四五六七八九十]+[、，,.])?驳回")
# A deadline date is tied to 前/之前/以前; one followed by a verb and 的 describes a thing (于…日前提交的申请).
_BEFORE = re.compile(r"(?:之前|以前|前)(?![^，,；;。]{0,2}的)")
_DEADLINE_LEAD = re.compile(r"(?:应当|应|须|必须|至迟|最迟)?(?:于|在)$")
# The reasoning (本院认为…) comes before the court's decision; only what follows the last mark is ordered.
_DECISION_MARK = re.compile(r"(?:判决|裁定)如下[：:]?")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

Unit = Literal["days", "workdays", "months"]
Base = Literal["effective", "service"]


@dataclass(frozen=True)
class Order:
    """What the disposition orders: its wording and, if stated, the time limit."""

    text: str  # the ordering item(s) as printed; "" when the disposition orders nothing to perform
    count: int | None = None  # 30 for 三十日内
    unit: Unit | None = None
    base: Base | None = None  # counted from the judgment taking effect, or from its service
    phrase: str | None = None  # the time phrase as printed, for the evidence
    due_on: date | None = None  # a calendar date the order sets as its deadline (于2026年9月1日前)

    @property
    def has_limit(self) -> bool:
        return self.count is not None and self.unit is not None and self.base is not None


def _number(raw: str) -> int | None:
    s = raw.translate(_FULLWIDTH)
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    value = total + current
    return value or None


def _items(disposition: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[；;。])", disposition) if p.strip()]
    return parts or [disposition.strip()]


def _orders(item: str) -> bool:
    if _NOT_ORDER.match(item):
        return False
    if _DECLARES.match(item):
        return bool(_STRONG.search(item) or _LIMIT.search(item))
    return bool(_ACTION.search(item) or _LIMIT.search(item))


def _deadline_date(item: str, decided_on: date | None) -> tuple[date, str] | None:
    """The calendar date an ordering item sets as its deadline, with the phrase as printed.

    Only a date followed by 前/之前/以前 counts, and only one after the decision date: a date on or before
    it is a fact the court narrates (a deadline is never in the past when the judgment is made)."""
    folded, _ = compact(item)
    for hit in find_dates(folded):
        after = _BEFORE.match(folded, hit.end)
        if after is None or (decided_on is not None and hit.value <= decided_on):
            continue
        lead = _DEADLINE_LEAD.search(folded[max(0, hit.start - 6) : hit.start])
        start = hit.start - (len(lead.group(0)) if lead else 0)
        return hit.value, folded[start : after.end()]
    return None


def read_order(disposition: str | None, decided_on: date | None = None) -> Order:
    """The order to perform in a disposition, with its time limit when the court states one relative to
    the judgment's effect or service, or a calendar date as the deadline (`decided_on`: the decision's own
    date; no date on or before it is a deadline). Never guesses: nothing read means neither `has_limit`
    nor `due_on`."""
    if not disposition or not disposition.strip():
        return Order("")
    text = re.sub(r"\s+", "", disposition)
    marks = list(_DECISION_MARK.finditer(text))
    if marks:
        text = text[marks[-1].end() :]
    ordering = [it for it in _items(text) if _orders(it)]
    if not ordering:
        return Order("")
    joined = "".join(ordering)
    for item in ordering:
        hit = _LIMIT.search(item)
        count = _number(hit.group("n")) if hit is not None else None
        if hit is not None and count is not None:
            unit_raw = hit.group("unit")
            unit: Unit = "workdays" if "工作日" in unit_raw else "months" if "月" in unit_raw else "days"
            base: Base = "service" if ("收到" in hit.group("base") or "送达" in hit.group("base")) else "effective"
            return Order(joined, count, unit, base, hit.group(0))
        deadline = _deadline_date(item, decided_on)
        if deadline is not None:
            return Order(joined, phrase=deadline[1], due_on=deadline[0])
    return Order(joined)
