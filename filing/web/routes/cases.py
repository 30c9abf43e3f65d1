"""Cases: a searchable list and one case's timeline and facts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cases.review import search_cases
from filing.web import deps
from filing.web.queries import case_detail, missing_fn, search_case_rows, today_local
from store.users import StaffUser

router = APIRouter()


@router.get("/cases")
def cases_page(request: Request, q: str = "", user: StaffUser = Depends(deps.current_user),
               s: Session = Depends(deps.db)) -> Response:
    app = deps.state(request).app
    rows = search_case_rows(s, q, today_local(app), missing_fn(app), search_cases)
    return deps.render(request, "cases.html", rows=rows, q=q)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, user: StaffUser = Depends(deps.current_user),
              s: Session = Depends(deps.db)) -> Response:
    detail = case_detail(s, case_id, today_local(deps.state(request).app), missing_fn(deps.state(request).app))
    if detail is None:
        raise HTTPException(404, "该案件不存在")
    return deps.render(request, "case.html", case=detail)
