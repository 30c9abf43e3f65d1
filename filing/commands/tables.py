"""What `filing import` and `filing demo` print: the store's decisions as Chinese tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import review
from filing.bootstrap import App
from filing.web.templating import evidence_label, outbox_kind
from notify.receipts import ATTACHMENT_PROBLEMS
from store import models as m
from terms.labels import MESSAGE_STATUS_LABELS, OUTBOX_STATUS_LABELS, doc_label, formal_doc_label, outcome_label
from terms.status import ACCEPTED_MATCHES, REVIEW_MATCHES, AttachmentStatus, MessageState, MessageStatus

# What the progress line says while a message is in each stored state.
STEP_LABELS: dict[str, str] = {
    MessageState.received: "解析邮件",
    MessageState.parsed: "读取附件",
    MessageState.extracted: "识别文书",
    MessageState.classified: "匹配案件",
    MessageState.matched: "登记回执",
}


@dataclass(frozen=True)
class Imported:
    path: Path
    message_row_id: int
    status: str
    created: bool  # False: this very file was imported before, nothing was redone


def status_text(s: Session, message_row_id: int) -> tuple[str, str]:
    """(result, explanation) of one message, in Chinese, from what the store says."""
    msg = s.get(m.Message, message_row_id)
    if msg is None:
        return "—", ""
    if msg.state not in (MessageState.done, MessageState.parked):
        reason = msg.error or ""
        return ("处理失败，将重试" if msg.attempts else "处理中"), reason
    if msg.status == MessageStatus.duplicate:
        first = s.get(m.Message, msg.duplicate_of_id) if msg.duplicate_of_id else None
        return "重复邮件", f"与已收的{_name(first)}是同一封邮件，未再次归档"
    if msg.status == MessageStatus.quarantined:
        reasons = "；".join(evidence_label(e) for e in msg.sender_evidence) or "发件人未通过核验"
        return "已隔离", f"{reasons}。请在网页「隔离区」核实后放行或丢弃"
    if msg.status == MessageStatus.failed:
        return "处理失败", f"{msg.error or ''}（已暂停重试，请在网页查看）"
    label = MESSAGE_STATUS_LABELS.get(msg.status, msg.status)
    atts = [a for a in msg.attachments if not _is_container(a, msg.attachments)]
    broken = [a for a in atts if a.status == AttachmentStatus.error]
    notes = [f"{a.filename}：{ATTACHMENT_PROBLEMS.get(a.error_code or '', a.error or '无法读取')}" for a in broken]
    # Any other status (a partly read attachment) filed what it could: say what is missing.
    notes += [f"{a.filename}：部分页面无法读取" for a in atts if a.status not in (AttachmentStatus.ok,
                                                                             AttachmentStatus.error)]
    docs = [d for a in atts for d in a.documents]
    if msg.status == MessageStatus.no_attachments or not atts:
        return MESSAGE_STATUS_LABELS[MessageStatus.no_attachments], "邮件没有附件"
    if atts and len(broken) == len(atts):
        # Nothing readable came with it: the message is kept, but nothing was filed.
        return "附件无法读取", "；".join(notes) + "。未归档任何文书，请联系报送单位重新发送"
    filed = sum(1 for d in docs if d.match_status in ACCEPTED_MATCHES)
    waiting = sum(1 for d in docs if d.match_status in REVIEW_MATCHES)
    parts = [f"{len(docs)} 份文书"]
    if filed:
        parts.append(f"{filed} 份已归入案件")
    if waiting:
        parts.append(f"{waiting} 份待人工复核")
    if not docs:
        label = "未识别出文书"
    elif waiting and not filed:
        label = "待复核"
    elif waiting:
        label = "部分待复核"
    return label, "，".join(parts) + ("；" + "；".join(notes) if notes else "")


def _name(msg: m.Message | None) -> str:
    """How a person recognises a message: its file name when imported, else its subject."""
    if msg is None:
        return "邮件"
    if msg.delivery_key.startswith("import:"):
        return Path(msg.delivery_key.removeprefix("import:")).name
    return f"邮件《{msg.subject}》" if msg.subject else f"第 {msg.id} 号邮件"


def _is_container(att: m.Attachment, attachments: list[m.Attachment]) -> bool:
    return any(other.parent_sha256 == att.sha256 for other in attachments if other is not att)


def import_table(app: App, results: list[Imported]) -> Table:
    table = Table(title="导入结果")
    table.add_column("文件", no_wrap=True)
    table.add_column("结果", no_wrap=True)
    table.add_column("说明", overflow="fold")
    with app.uow() as uow:
        for r in results:
            result, note = status_text(uow.session, r.message_row_id)
            if not r.created:
                note = "此文件此前已导入，未重复处理" + (f"；{note}" if note else "")
            table.add_row(r.path.name, result, note)
    return table


def cases_table(app: App) -> Table:
    table = Table(title="案件")
    table.add_column("案号", no_wrap=True)
    for col in ("单位", "原告", "已收文书", "结果"):
        table.add_column(col, overflow="fold")
    with app.uow() as uow:
        for case in uow.session.scalars(select(m.Case).order_by(m.Case.id)):
            types = sorted({d.doc_type for d in case.documents if d.match_status in ACCEPTED_MATCHES})
            table.add_row(
                case.case_number or "—",
                case.agency.short_name if case.agency else "—",
                "、".join(case.plaintiffs or []) or "—",
                "、".join(doc_label(t) for t in types) or "—",
                outcome_label(case.outcome),
            )
    return table


def review_table(app: App) -> Table:
    with app.uow() as uow:
        items = review.pending_items(uow.session)
    table = Table(title=f"待复核 {len(items)} 件（网页「待复核」或 filing queue 处理）")
    for col in ("文书", "文件（页）", "类型", "文书上的案号", "建议案件（匹配度）"):
        table.add_column(col, overflow="fold")
    for it in items:
        best = it.candidates[0] if it.candidates else None
        table.add_row(
            str(it.document_id),
            f"{it.filename}（{_pages(it.pages)}）",
            formal_doc_label(it.doc_type),
            it.case_number or "未读到",
            f"{best.case_number or '—'}（{best.score:.2f}）" if best else "无，可新建案件",
        )
    return table


def _pages(pages: tuple[int, int]) -> str:
    return str(pages[0]) if pages[0] == pages[1] else f"{pages[0]}-{pages[1]}"


def outbox_table(app: App) -> Table:
    table = Table(title="待发邮件（回执与提醒）")
    for col in ("类型", "收件人", "主题", "状态"):
        table.add_column(col, overflow="fold")
    with app.uow() as uow:
        for row in uow.session.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)):
            table.add_row(outbox_kind(row.kind), row.to_addr, row.subject,
                          OUTBOX_STATUS_LABELS.get(row.status, row.status))
    return table


def show(*tables: Table) -> None:
    console = Console()
    for t in tables:
        console.print(t)
