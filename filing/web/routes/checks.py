"""Fact checks in the review queue: the page where the fact should be, what was read, one step to settle."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.checks import CheckStatus, check_views, open_checks
from cases.corrections import resolve_check
from cases.facts import DECISION_CHOICES, HEAD_ROLE_LABELS, OUTCOME_CHOICES, FactValueError
from filing.web import deps
from store import models as m
from store.users import StaffUser
from terms.errors import FilingError

router = APIRouter()

# Facts with a fixed set of values get a choice list (typed by its first letter), the rest a text field.
CHOICES = {"outcome": OUTCOME_CHOICES, "decision_type": DECISION_CHOICES, "head_role": HEAD_ROLE_LABELS,
           "head_present": {"是": "是（出庭）", "否": "否（未出庭）"}}
HINTS = {"decision_date": "例如 2026-04-27 或 二〇二六年四月二十七日", "notice_date": "例如 2026-03-02",
         "hearing_at": "例如 2026-04-27 09:30", "court": "文书首部的法院全称，例如 山东省滕州市人民法院",
         "plaintiffs": "按文书填写全部原告，以、分隔"}


@router.get("/checks")
def checks_page(request: Request, user: StaffUser = Depends(deps.current_user),
                s: Session = Depends(deps.db)) -> Response:
    return deps.render(request, "checks.html", checks=check_views(s, open_checks(s)))


@router.get("/checks/next")
def next_check(user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    waiting = open_checks(s, limit=1)
    return deps.redirect(f"/checks/{waiting[0].id}" if waiting else "/queue")


@router.get("/checks/{check_id}")
def check_page(request: Request, check_id: int, user: StaffUser = Depends(deps.current_user),
               s: Session = Depends(deps.db)) -> Response:
    chk = s.get(m.FactCheck, check_id)
    if chk is None:
        raise HTTPException(404, "该核实事项不存在")
    view = check_views(s, [chk])[0]
    waiting = [c.id for c in open_checks(s)]
    position = waiting.index(chk.id) + 1 if chk.id in waiting else 0
    pages = []
    if chk.document_id is not None:
        doc = s.get(m.Document, chk.document_id)
        if doc is not None:
            pages = list(s.scalars(select(m.Page).where(
                m.Page.attachment_id == doc.attachment_id, m.Page.number >= doc.first_page,
                m.Page.number <= doc.last_page).order_by(m.Page.number)))
    prefill = "" if chk.read_value is None else view.read_text
    if chk.fact in CHOICES and isinstance(chk.read_value, bool):
        prefill = "是" if chk.read_value else "否"
    elif chk.fact in CHOICES:
        prefill = str(chk.read_value or "")
    return deps.render(request, "check.html", check=view, pages=pages, position=position, total=len(waiting),
                       choices=CHOICES.get(chk.fact), hint=HINTS.get(chk.fact, ""), prefill=prefill,
                       is_open=chk.status == CheckStatus.open)


@router.post("/checks/{check_id}/resolve")
def resolve(request: Request, check_id: int, value: str = Form(""), reason: str = Form(""),
            confirm_read: str = Form(""), user: StaffUser = Depends(deps.current_user),
            s: Session = Depends(deps.db)) -> Response:
    try:
        chk = resolve_check(s, check_id, None if confirm_read else value, user.name, reason.strip())
        s.commit()
    except (FilingError, FactValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
        return deps.redirect(f"/checks/{check_id}")
    deps.flash(request, f"已核实：案件 {chk.case.case_number or chk.case_id} 的核实事项 {check_id}")
    waiting = open_checks(s, limit=1)
    return deps.redirect(f"/checks/{waiting[0].id}" if waiting else "/queue")
