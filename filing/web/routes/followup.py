"""The follow-up of a lost case on its page: rectification (整改) and compliance with the effective decision (履行)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cases.compliance import record_performed, set_compliance
from cases.facts import FactValueError
from cases.rectification import confirm_rectification, reopen_rectification, set_rectification
from filing.followup_views import compliance_views, rectification_views
from filing.web import deps
from filing.web.queries import today_local
from filing.web.routes.cases import _change
from store.users import StaffUser

router = APIRouter()


@router.get("/followup")
def followup_page(request: Request, user: StaffUser = Depends(deps.current_user),
                  s: Session = Depends(deps.db)) -> Response:
    """Every lost case's rectification and every tracked compliance, what waits first."""
    today = today_local(deps.state(request).app)
    order = {None: 0, "open": 1, "received": 2, "done": 3}
    rects = sorted(rectification_views(s), key=lambda v: (order.get(v.status, 9), v.due_date or date.max, v.case_id))
    comps = sorted(compliance_views(s, today), key=lambda v: (v.status != "open", -v.overdue_days,
                                                              v.due_date or date.max, v.case_id))
    return deps.render(request, "followup.html", rectifications=rects, compliances=comps, today=today)


def _date(raw: str, what: str, required: bool = True) -> date | None:
    text = raw.strip()
    if not text:
        if required:
            raise FactValueError(f"请填写{what}（如 2026-12-31）")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FactValueError(f"{what}应为日期，如 2026-12-31") from None


@router.post("/cases/{case_id}/rectification")
def rectification_set(request: Request, case_id: int, requirement: str = Form(""), due: str = Form(""),
                      reason: str = Form(""), user: StaffUser = Depends(deps.current_user),
                      s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        set_rectification(s, case_id, requirement, _date(due, "整改期限"), user.name, reason)

    return _change(request, s, f"/cases/{case_id}#rectification", "已布置整改", act)


@router.post("/cases/{case_id}/rectification/done")
def rectification_done(request: Request, case_id: int, done_on: str = Form(""), note: str = Form(""),
                       user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        day = _date(done_on, "完成日期", required=False) or today_local(deps.state(request).app)
        confirm_rectification(s, case_id, user.name, day, note)

    return _change(request, s, f"/cases/{case_id}#rectification", "已确认整改完成", act)


@router.post("/cases/{case_id}/rectification/reopen")
def rectification_reopen(request: Request, case_id: int, reason: str = Form(""),
                         user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        reopen_rectification(s, case_id, user.name, reason)

    return _change(request, s, f"/cases/{case_id}#rectification", "已重新打开整改", act)


@router.post("/cases/{case_id}/compliance")
def compliance_set(request: Request, case_id: int, order_text: str = Form(""), due: str = Form(""),
                   effective_on: str = Form(""), reason: str = Form(""),
                   user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        set_compliance(s, case_id, user.name, reason, order_text=order_text if order_text.strip() else None,
                       due_date=_date(due, "履行期限", required=False),
                       effective_on=_date(effective_on, "生效日期", required=False))

    return _change(request, s, f"/cases/{case_id}#compliance", "已设定履行事项", act)


@router.post("/cases/{case_id}/compliance/done")
def compliance_done(request: Request, case_id: int, done_on: str = Form(""), note: str = Form(""),
                    user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        day = _date(done_on, "履行日期", required=False) or today_local(deps.state(request).app)
        record_performed(s, case_id, user.name, day, note)

    return _change(request, s, f"/cases/{case_id}#compliance", "已记录履行完毕", act)
