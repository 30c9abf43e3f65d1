"""The Jinja2 environment for templates/web: autoescape always on, Chinese labels as filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from terms.dates import DEFAULT_TIMEZONE, zone
from terms.labels import (
    CAUSE_LABELS,
    MATCH_LABELS,
    MESSAGE_STATUS_LABELS,
    OUTBOX_KIND_LABELS,
    OUTBOX_STATUS_LABELS,
    OUTCOME_LABELS,
    PAGE_SOURCE_LABELS,
    SENDER_LABELS,
    actor_label,
    error_label,
)
from terms.labels import formal_doc_label as doc_label

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "web"

# The matcher stores its evidence in English (logs, exports); staff read it in Chinese.
_EVIDENCE = (
    (re.compile(r"^own case number (\S+) differs from (\S+) by one OCR-confusable character$"),
     "文书案号 {0} 与 {1} 仅差一个易误识字符"),
    (re.compile(r"^own case number (\S+)$"), "文书本身的案号 {0}"),
    (re.compile(r"^sent in the same message as the documents of (\S+)$"), "与 {0} 的文书在同一封邮件中报送"),
    (re.compile(r"^same message also holds documents of other cases besides (\S+)$"),
     "同一邮件还含有 {0} 以外其他案件的文书"),
    (re.compile(r"^subject or body names (\S+)$"), "邮件主题或正文写明 {0}"),
    (re.compile(r"^reply to our receipt for (\S+)$"), "回复本局关于 {0} 的回执"),
    (re.compile(r"^started case (\S+)$"), "由本文书新建案件 {0}"),
    (re.compile(r"^same agency$"), "同一报送单位"),
    (re.compile(r"^different agency$"), "报送单位不同"),
    (re.compile(r"^plaintiff similar \(([\d.]+)\)$"), "原告姓名相似（{0}）"),
    (re.compile(r"^cause similar$"), "案由相近"),
    (re.compile(r"^same court$"), "同一法院"),
    (re.compile(r"^in the same file as \(or a file named after\) (\S+)$"),
     "与 {0} 的文书同在一个文件中（或文件名写明该案号）"),
    (re.compile(r"^same hearing day (\S+)$"), "开庭日期相同（{0}）"),
    (re.compile(r"^complaint kind fits the case type$"), "起诉状类别与案件类型相符"),
    # The sender check (quarantine reasons).
    (re.compile(r"^address (\S+) is not registered$"), "发件地址 {0} 未登记"),
    (re.compile(r"^address (\S+) is registered to agency (\S+)$"), "发件地址 {0} 已登记在单位 {1} 名下"),
    (re.compile(r"^address (\S+) is a litigation staff contact of agency (\S+)$"),
     "发件地址 {0} 是单位 {1} 报备的应诉人员联系邮箱"),
    (re.compile(r"^display name (.+) claims agency (.+)$"), "发件人名称 {0} 自称单位 {1}"),
    (re.compile(r"^display name claims one of our agencies from an unregistered address$"),
     "以本市单位名义从未登记地址发信（疑似冒用）"),
    (re.compile(r"^the From mailbox is malformed: no usable address$"), "发件人地址格式错误"),
    (re.compile(r"^From holds (\d+) mailboxes \((.*)\), not one$"), "发件人栏含 {0} 个地址（{1}）"),
    (re.compile(r"^not authenticated \(no passing DKIM or trusted Authentication-Results\)$"),
     "未通过发件认证（无有效 DKIM 或可信认证结果）"),
    (re.compile(r"^policy requires authentication: held$"), "按规定须认证，已暂扣"),
    (re.compile(r"^sender not authenticated: every document waits for review$"), "发件人未经认证：全部文书待人工审核"),
    (re.compile(r"^sender not authenticated: held for review$"), "发件人未经认证，待人工审核"),
    (re.compile(r"^(\d+) lower Authentication-Results header\(s\) claim our authserv-id: not trusted$"),
     "{0} 个较低位置的认证结果头冒用本机构标识，未采信"),
    (re.compile(r"^no DKIM signature$"), "无 DKIM 签名"),
)


def evidence_label(text: str) -> str:
    for pattern, label in _EVIDENCE:
        found = pattern.match(text)
        if found:
            return label.format(*found.groups())
    return text


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M", timezone: str = DEFAULT_TIMEZONE) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        # The store keeps instants as aware UTC; a naive value is a local wall time (a hearing).
        return value.strftime(fmt)
    return value.astimezone(zone(timezone)).strftime(fmt)


def local_date(value: date | datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return local_time(value, "%Y-%m-%d", timezone)
    return value.isoformat()


def age(value: datetime | None, now: datetime | None = None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """How long ago, in the units a reviewer cares about."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(timezone))
    secs = ((now or datetime.now(UTC)) - value).total_seconds()
    if secs < 3600:
        return f"{max(int(secs // 60), 0)} 分钟"
    if secs < 86400 * 2:
        return f"{int(secs // 3600)} 小时"
    return f"{int(secs // 86400)} 天"


def outbox_kind(kind: str) -> str:
    if kind in OUTBOX_KIND_LABELS:
        return OUTBOX_KIND_LABELS[kind]
    if kind.startswith("reminder"):
        return "催报提醒"
    return OUTBOX_KIND_LABELS.get(kind, kind)


def make_env(templates_dir: Path | None = None, timezone: str = DEFAULT_TIMEZONE) -> Environment:
    """The environment; times are shown in `timezone` (config calendar.timezone), the store keeps UTC."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir or TEMPLATES_DIR)),
        # Everything that reaches a page came from email or OCR at some point: escape it all.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters: dict[str, Any] = {
        "doc_label": doc_label,
        "actor_label": actor_label,
        "error_label": error_label,
        "local_time": partial(local_time, timezone=timezone),
        "local_date": partial(local_date, timezone=timezone),
        "age": partial(age, timezone=timezone),
        "outcome_label": lambda v: OUTCOME_LABELS.get(v or "", v or "—"),
        "match_label": lambda v: MATCH_LABELS.get(v or "", v or "—"),
        "msg_status_label": lambda v: MESSAGE_STATUS_LABELS.get(v or "", v or "—"),
        "sender_label": lambda v: SENDER_LABELS.get(v or "", v or "—"),
        "outbox_kind": outbox_kind,
        "outbox_status": lambda v: OUTBOX_STATUS_LABELS.get(v or "", v or "—"),
        "pct": lambda v: f"{(v or 0) * 100:.0f}%",
        "evidence_label": evidence_label,
        "page_source": lambda v: PAGE_SOURCE_LABELS.get(v or "", v or "—"),
        "cause_label": lambda v: CAUSE_LABELS.get(v or "", v or "—"),
    }
    env.filters.update(filters)
    return env
