"""Cases: a searchable list and one case's timeline and facts."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cases.review import search_cases
from filing.web import deps
from filing.web.case_list import (
    DEADLINES,
    MISSING,
    SORTS,
    CaseFilter,
    agency_options,
    instance_options,
    list_page,
)
from filing.web.queries import case_detail, case_row, missing_fn, today_local
from store.users import StaffUser
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
    rows = [case_row(s, c, today, miss) for c in found.cases]
    return deps.render(request, "cases.html", rows=rows, q=f.q, f=replace(f, page=found.page), found=found,
                       agencies=agency_options(s), instances=instance_options(s), sorts=SORTS,
                       deadlines=DEADLINES, missing_options=MISSING, outcomes=OUTCOME_LABELS)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, user: StaffUser = Depends(deps.current_user),
              s: Session = Depends(deps.db)) -> Response:
    detail = case_detail(s, case_id, today_local(deps.state(request).app), missing_fn(deps.state(request).app))
    if detail is None:
        raise HTTPException(404, "该案件不存在")
    return deps.render(request, "case.html", case=detail)
