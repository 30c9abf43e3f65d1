"""Quarantined messages (unregistered or spoofed senders): release (registering the sender, or this message
only), discard with undo, and answer a sender. Admins release and discard; any staff member may answer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from filing import quarantine as q
from filing.web import deps
from filing.web.queries import (
    QUARANTINE_PAGE,
    problem_rows,
    quarantine_count,
    quarantine_messages,
    quarantine_rows,
    unreadable_rows,
)
from store import models as m
from store.users import StaffUser
from terms.errors import FilingError
from terms.labels import MESSAGE_STATUS_LABELS
from terms.status import MessageStatus

router = APIRouter()


@router.get("/quarantine")
def quarantine_page(request: Request, page: int = 1, user: StaffUser = Depends(deps.current_user),
                    s: Session = Depends(deps.db)) -> Response:
    agencies = [(a.code, a.name) for a in s.scalars(select(m.Agency).where(m.Agency.active).order_by(m.Agency.code))]
    total = quarantine_count(s)
    pages = max(1, -(-total // QUARANTINE_PAGE))
    page = min(max(page, 1), pages)
    msgs = quarantine_messages(s, page)
    # A page of messages, its repeated files and guesses in a few queries, not a few per message.
    repeated = q.repeated_files_many(s, msgs)
    guesses = q.guess_agencies(s, msgs, repeated)
    return deps.render(request, "quarantine.html", rows=quarantine_rows(s, msgs=msgs), total=total, page=page,
                       pages=pages, agencies=agencies, guesses=guesses, repeated=repeated,
                       discarded=q.discarded_messages(s), undo_days=q.DISCARD_UNDO_DAYS,
                       problems=problem_rows(s), unreadable=unreadable_rows(s))


def _quarantined(s: Session, message_id: int) -> m.Message:
    msg = s.get(m.Message, message_id)
    if msg is None or msg.status != MessageStatus.quarantined:
        raise HTTPException(404, "该隔离邮件不存在或已处理")
    return msg


def _subject(msg: m.Message) -> str:
    subject = (msg.subject or "（无主题）").strip()
    return f"“{subject[:40]}{'…' if len(subject) > 40 else ''}”"


@router.post("/quarantine/{message_id}/release")
def release(request: Request, message_id: int, agency_code: str = Form(""), mode: str = Form("register"),
            send_receipt: str = Form(""), user: StaffUser = Depends(deps.require_admin),
            s: Session = Depends(deps.db)) -> Response:
    subject = _subject(_quarantined(s, message_id))
    agency = s.scalar(select(m.Agency).where(m.Agency.code == agency_code))
    if agency is None:
        deps.flash(request, "放行失败：请选择已登记的单位")
        return deps.redirect(f"/quarantine#q-{message_id}")
    if mode not in q.ReleaseMode.__members__:
        raise HTTPException(400, "放行方式无效")
    # The service files the message in its own transactions (OCR runs outside any):
    # end ours first so SQLite's write lock is free.
    s.commit()
    try:
        done = q.release(deps.state(request).app, message_id, agency_code, user.name,
                         mode=q.ReleaseMode(mode),
                         # A registered address is the agency's own: it gets the receipt like any filing.
                         send_receipt=mode == q.ReleaseMode.register or bool(send_receipt))
    except FilingError as e:
        deps.flash(request, f"放行失败：{e.message}")
        return deps.redirect("/quarantine")
    how = "发件地址已登记到" if mode == q.ReleaseMode.register else "仅放行本封（发件地址未登记），归入"
    parts = [f"邮件{subject}已放行：{how}{agency.name}"]
    if done.duplicate_of is not None:
        parts.append(f"其附件已由第 {done.duplicate_of} 号邮件报送并归档，未重复登记文书，未发送回执")
    else:
        parts.append(f"状态：{MESSAGE_STATUS_LABELS.get(done.status, done.status)}")
        if done.repeated:
            names = "、".join(r.filename for r in done.repeated)
            parts.append(f"{names} 此前已收到，未重复登记")
        parts.append(f"回执发送至 {done.receipt_to}" if done.receipt_to else "未发送回执")
    deps.flash(request, "；".join(parts))
    return deps.redirect("/quarantine")


@router.post("/quarantine/{message_id}/discard")
def discard(request: Request, message_id: int, user: StaffUser = Depends(deps.require_admin),
            s: Session = Depends(deps.db)) -> Response:
    subject = _subject(_quarantined(s, message_id))
    s.commit()
    try:
        q.discard(deps.state(request).app, message_id, user.name)
    except FilingError as e:
        deps.flash(request, f"丢弃失败：{e.message}")
        return deps.redirect("/quarantine")
    deps.flash(request, f"邮件{subject}已丢弃（原件保留，{q.DISCARD_UNDO_DAYS} 天内可在“已丢弃”中撤销）")
    return deps.redirect("/quarantine")


@router.post("/quarantine/{message_id}/undo-discard")
def undo_discard(request: Request, message_id: int, user: StaffUser = Depends(deps.require_admin),
                 s: Session = Depends(deps.db)) -> Response:
    msg = s.get(m.Message, message_id)
    if msg is None:
        raise HTTPException(404, "该邮件不存在")
    subject = _subject(msg)
    s.commit()
    try:
        q.undo_discard(deps.state(request).app, message_id, user.name)
    except FilingError as e:
        deps.flash(request, f"撤销失败：{e.message}")
        return deps.redirect("/quarantine#discarded")
    deps.flash(request, f"已撤销丢弃：邮件{subject}回到隔离区")
    return deps.redirect(f"/quarantine#q-{message_id}")


@router.post("/messages/{message_id}/reply")
def reply(request: Request, message_id: int, body: str = Form(""), back: str = Form("/quarantine"),
          user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    msg = s.get(m.Message, message_id)
    if msg is None:
        raise HTTPException(404, "该邮件不存在")
    subject = _subject(msg)
    s.commit()
    target = back if back.startswith("/") and not back.startswith("//") else "/quarantine"
    try:
        row = q.queue_reply(deps.state(request).app, message_id, body, user.name)
    except FilingError as e:
        deps.flash(request, f"答复失败：{e.message}")
        return deps.redirect(target)
    deps.flash(request, f"对邮件{subject}的答复已放入发件队列，将发送至 {row.to_addr}")
    return deps.redirect(target)
