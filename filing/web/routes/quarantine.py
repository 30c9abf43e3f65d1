"""Quarantined messages (unregistered or spoofed senders): release to an agency, or discard. Admins decide."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from filing.service import discard_quarantined, release_quarantined
from filing.web import deps
from filing.web.queries import problem_rows, quarantine_rows, unreadable_rows
from store import models as m
from store.users import StaffUser
from terms.errors import FilingError
from terms.status import MessageStatus

router = APIRouter()


@router.get("/quarantine")
def quarantine_page(request: Request, user: StaffUser = Depends(deps.current_user),
                    s: Session = Depends(deps.db)) -> Response:
    agencies = [(a.code, a.name) for a in s.scalars(select(m.Agency).where(m.Agency.active).order_by(m.Agency.code))]
    return deps.render(request, "quarantine.html", rows=quarantine_rows(s), agencies=agencies,
                       problems=problem_rows(s), unreadable=unreadable_rows(s))


def _quarantined(s: Session, message_id: int) -> m.Message:
    msg = s.get(m.Message, message_id)
    if msg is None or msg.status != MessageStatus.quarantined:
        raise HTTPException(404, "该隔离邮件不存在或已处理")
    return msg


@router.post("/quarantine/{message_id}/release")
def release(request: Request, message_id: int, agency_code: str = Form(...),
            user: StaffUser = Depends(deps.require_admin), s: Session = Depends(deps.db)) -> Response:
    _quarantined(s, message_id)
    if s.scalar(select(m.Agency.id).where(m.Agency.code == agency_code)) is None:
        raise HTTPException(400, "请选择已登记的单位")
    # The service files the message in its own transactions (OCR runs outside any):
    # end ours first so SQLite's write lock is free.
    s.commit()
    try:
        status = release_quarantined(deps.state(request).app, message_id, agency_code, user.name)
    except FilingError as e:
        deps.flash(request, f"放行失败：{e.message}")
        return deps.redirect("/quarantine")
    deps.flash(request, f"邮件 {message_id} 已放行并归档（{status}）")
    return deps.redirect("/quarantine")


@router.post("/quarantine/{message_id}/discard")
def discard(request: Request, message_id: int, user: StaffUser = Depends(deps.require_admin),
            s: Session = Depends(deps.db)) -> Response:
    _quarantined(s, message_id)
    s.commit()
    try:
        discard_quarantined(deps.state(request).app, message_id, user.name)
    except FilingError as e:
        deps.flash(request, f"丢弃失败：{e.message}")
        return deps.redirect("/quarantine")
    deps.flash(request, f"邮件 {message_id} 已丢弃（原件仍保留备查）")
    return deps.redirect("/quarantine")
