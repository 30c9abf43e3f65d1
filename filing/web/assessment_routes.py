"""The assessment points page (考核扣分) of the web UI, for a quarter or a calendar year. Mounted behind login
like the report routes."""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from filing.report.cache import kept_report
from filing.report.html import CSS_URL, TEMPLATES_DIR, _env
from filing.report.types import Period
from filing.web.report_routes import _app, _period

router = APIRouter()


def year_period(spec: str) -> Period:
    m = re.fullmatch(r"\s*(\d{4})\s*", spec)
    if not m:
        raise HTTPException(400, f"年度格式应为 2026，收到：{spec}")
    y = int(m.group(1))
    p = Period.between(date(y, 1, 1), date(y, 12, 31))
    return Period(p.start, p.end, str(y), f"{y}年度")


@router.get("/reports/assessment", response_class=HTMLResponse)
def assessment_page(request: Request, quarter: str | None = None, year: str | None = None) -> HTMLResponse:
    app = _app(request)
    today = app.settings.today()
    period = year_period(year) if year else _period(quarter, today)
    report = kept_report(app, period, today).report
    html = _env(TEMPLATES_DIR).get_template("assessment.html").render(
        report=report, a=report.assessment, period=period, css_url=CSS_URL, standalone=False,
        quarter="" if year else period.key,
        year=year or "",
    )
    return HTMLResponse(html)
