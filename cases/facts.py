"""The case facts staff see, confirm and correct, named as the export names them, and how a typed
value (form field, CLI argument) becomes a stored one. Pure: no database here."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from extract.understanding.dates import find_datetimes, parse_date

FACT_LABELS: dict[str, str] = {
    "court": "法院",
    "agency": "单位",
    "plaintiffs": "原告",
    "cause": "案由",
    "notice_date": "应诉通知日期",
    "hearing_at": "开庭时间",
    "head_present": "负责人出庭",
    "head_role": "出庭负责人身份",
    "head_name": "出庭负责人",
    "head_title": "出庭负责人职务",
    "decision_type": "裁判类型",
    "decision_date": "裁判日期",
    "outcome": "裁判结果",
    "appeal_of": "一审案件",
}
# Facts a figure of the quarterly report depends on: only these open fact checks.
REPORT_FACTS = frozenset(
    {"notice_date", "hearing_at", "head_present", "head_role", "decision_type", "decision_date", "outcome"}
)
# Facts that open fact checks: the report's; the case's parties and court, which staff and the agencies
# read on every case page; and the appearing head's name, shown on the case page and the 有庭必出 list
# (a doubtful name is shown to a person, not taken silently, though no figure uses it).
CHECKED_FACTS = REPORT_FACTS | {"court", "plaintiffs", "head_name"}
# The Case attributes each fact sets (the rest set the attribute of the same name).
FACT_ATTRS: dict[str, tuple[str, ...]] = {
    "agency": ("agency_id",),
    "appeal_of": ("appeal_of_id",),
    "head_role": ("head_present", "head_principal"),
}
ATTR_FACT = {"agency_id": "agency", "appeal_of_id": "appeal_of", "head_principal": "head_role"}


def attrs_of(fact: str) -> tuple[str, ...]:
    return FACT_ATTRS.get(fact, (fact,))


def fact_of(attr: str) -> str:
    return ATTR_FACT.get(attr, attr)


class HeadRole(StrEnum):
    principal = "principal"  # 正职
    deputy = "deputy"  # 副职
    present = "present"  # a head appeared, rank not stated
    absent = "absent"  # no head appeared


HEAD_ROLE_LABELS = {"principal": "正职出庭", "deputy": "副职出庭", "present": "负责人出庭（职务未注明）",
                    "absent": "负责人未出庭"}
OUTCOME_CHOICES = {"agency_won": "胜诉", "agency_lost": "败诉", "withdrawn": "撤诉", "pending": "未结"}
DECISION_CHOICES = {"judgment": "判决", "ruling": "裁定"}


def head_role(present: bool | None, principal: bool | None) -> str | None:
    if present is None:
        return None
    if not present:
        return HeadRole.absent.value
    if principal is None:
        return HeadRole.present.value
    return (HeadRole.principal if principal else HeadRole.deputy).value


def role_attrs(role: str | None) -> tuple[bool | None, bool | None]:
    """(head_present, head_principal) of a role."""
    return {
        None: (None, None),
        HeadRole.principal.value: (True, True),
        HeadRole.deputy.value: (True, False),
        HeadRole.present.value: (True, None),
        HeadRole.absent.value: (False, None),
    }[role]


class FactValueError(ValueError):
    """A typed value that cannot be the fact (the message is Chinese, for the person who typed it)."""


def _choice(raw: str, choices: dict[str, str], what: str) -> str:
    for key, label in choices.items():
        if raw in (key, label):
            return key
    raise FactValueError(f"{what}应为：{'、'.join(choices.values())}")


def parse_value(fact: str, raw: str) -> Any:
    """The stored value of a fact typed as text; empty text clears it. Agency and appeal are resolved by
    the caller (they name other rows)."""
    text = (raw or "").strip()
    if not text:
        return [] if fact == "plaintiffs" else None
    if fact in ("notice_date", "decision_date"):
        d = parse_date(text) or _iso_date(text)
        if d is None:
            raise FactValueError(f"无法识别的日期：{text}（例如 2026-04-27 或 二〇二六年四月二十七日）")
        return d
    if fact == "hearing_at":
        return _datetime(text)
    if fact == "head_present":
        if text in ("是", "出庭", "true", "1", "yes"):
            return True
        if text in ("否", "未出庭", "false", "0", "no"):
            return False
        raise FactValueError("负责人出庭应为：是、否")
    if fact == "head_role":
        return _choice(text, HEAD_ROLE_LABELS | {"principal": "正职", "deputy": "副职"}, "出庭负责人身份")
    if fact == "outcome":
        return _choice(text, OUTCOME_CHOICES, "裁判结果")
    if fact == "decision_type":
        return _choice(text, DECISION_CHOICES, "裁判类型")
    if fact == "plaintiffs":
        return [p for p in re.split(r"[、,，;；\s]+", text) if p]
    return text


def _iso_date(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _datetime(text: str) -> datetime:
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2})[:：](\d{2})", text)
    if m:
        try:
            y, mo, d, h, mi = (int(g) for g in m.groups())
            return datetime(y, mo, d, h, mi)
        except ValueError:
            pass
    found = find_datetimes(text)
    if found:
        return found[0]
    raise FactValueError(f"无法识别的开庭时间：{text}（例如 2026-04-27 09:30）")


def jsonable(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def display(fact: str, value: Any) -> str:
    """A stored fact value as staff read it."""
    if value is None or value == "" or value == []:
        return "—"
    if fact == "head_role":
        return HEAD_ROLE_LABELS.get(str(value), str(value))
    if fact == "outcome":
        return OUTCOME_CHOICES.get(str(value), str(value))
    if fact == "decision_type":
        return DECISION_CHOICES.get(str(value), str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*", value):
        return value[:16].replace("T", " ")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
