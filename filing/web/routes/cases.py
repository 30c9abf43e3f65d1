"""Cases: a searchable list, one case's timeline and facts, and staff corrections (facts, new case, merge)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cases.corrections import add_case, correct_fact, merge_cases, resolve_case_number
from cases.facts import FactValueError
from cases.plans import current_plans, plan_warning
from cases.review import search_cases
from filing.followup_views import compliance_view, rectification_view
from filing.web import case_export, deps
from filing.web.case_list import (
    DEADLINES,
    MISSING,
    SORTS,
    CaseFilter,
    agency_options,
    all_filtered,
    instance_options,
    list_page,
)
from filing.web.queries import case_detail, case_rows, missing_fn, today_local
from store import models as m
from store.users import StaffUser
from terms.errors import FilingError
from terms.labels import OUTCOME_LABELS

router = APIRouter()


@router.get("/cases")
def cases_page(request: Request, q: str = "", agency: str = "", outcome: str = "", instance: str = "",
               missing: str = "", deadline: str = "", sort: str = "new", desc: str = "", page: str = "1",
               user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    app = deps.state(request).app
    f = CaseFilter.parse(q, agency, outcome, instance, missing, deadline, sort, desc, page)
    today, miss = today_local(app), missing_fn(app)
    found = list_page(s, f, today, miss, search_cases)
    rows = case_rows(s, found.cases, today, miss)
    return deps.render(request, "cases.html", rows=rows, q=f.q, f=replace(f, page=found.page), found=found,
                       agencies=agency_options(s), instances=instance_options(s), sorts=SORTS,
                       deadlines=DEADLINES, missing_options=MISSING, outcomes=OUTCOME_LABELS)


@router.get("/cases/export.{ext}")
def cases_export(request: Request, ext: str, q: str = "", agency: str = "", outcome: str = "", instance: str = "",
                 missing: str = "", deadline: str = "", sort: str = "new", desc: str = "",
                 user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    """The filtered list, every page, as CSV or XLSX."""
    if ext not in ("csv", "xlsx"):
        raise HTTPException(404, "只能导出 CSV 或 XLSX")
    app = deps.state(request).app
    f = CaseFilter.parse(q, agency, outcome, instance, missing, deadline, sort, desc)
    today, miss = today_local(app), missing_fn(app)
    cases = all_filtered(s, f, today, miss, search_cases)
    rows = case_rows(s, cases, today, miss)
    data = case_export.table(cases, rows)
    name = case_export.filename(today, ext)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if ext == "csv":
        return Response(case_export.csv_bytes(data), media_type="text/csv; charset=utf-8", headers=headers)
    title = f"案件列表（{today.isoformat()} 导出，共 {len(data)} 件）"
    return Response(case_export.xlsx_bytes(data, title), headers=headers,
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, user: StaffUser = Depends(deps.current_user),
              s: Session = Depends(deps.db)) -> Response:
    today = today_local(deps.state(request).app)
    detail = case_detail(s, case_id, today, missing_fn(deps.state(request).app))
    if detail is None:
        raise HTTPException(404, "该案件不存在")
    case = s.get(m.Case, case_id)
    assert case is not None
    plan = current_plans(s, [case]).get(case.id)
    return deps.render(request, "case.html", case=detail, rectification=rectification_view(s, case),
                       compliance=compliance_view(s, case, today), plan=plan,
                       plan_warning=plan_warning(plan) if case.hearing_at is not None else None)


def _change(request: Request, s: Session, back: str, done: str, action: Callable[[], str | None]) -> Response:
    """One audited change in this request's transaction; errors go back to the form as a message."""
    try:
        target = action()
        s.commit()
    except (FilingError, FactValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
        return deps.redirect(back)
    deps.flash(request, done)
    return deps.redirect(target or back)


@router.post("/cases/new")
def new_case(request: Request, case_number: str = Form(""), agency: str = Form(""), court: str = Form(""),
             plaintiffs: str = Form(""), cause: str = Form(""), reason: str = Form(""),
             user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    def act() -> str:
        case = add_case(s, user.name, reason, case_number, agency, court, plaintiffs, cause)
        return f"/cases/{case.id}"

    return _change(request, s, "/cases", "已新增案件", act)


@router.post("/cases/{case_id}/facts")
def correct(request: Request, case_id: int, fact: str = Form(...), value: str = Form(""),
            reason: str = Form(""), user: StaffUser = Depends(deps.current_user),
            s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        correct_fact(s, case_id, fact, value, user.name, reason)

    return _change(request, s, f"/cases/{case_id}", "案件事实已更正", act)


@router.post("/cases/{case_id}/merge")
def merge(request: Request, case_id: int, other: str = Form(...), reason: str = Form(""),
          user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    def act() -> None:
        text = other.strip()
        other_id = int(text.lstrip("#")) if text.lstrip("#").isdigit() else resolve_case_number(s, text)
        if other_id is None:
            raise FactValueError("请填写要并入本案的案号或案件编号")
        merge_cases(s, case_id, other_id, user.name, reason)

    return _change(request, s, f"/cases/{case_id}", "已合并案件", act)
