"""The quarterly report in the web UI. Mount behind login:
`app.include_router(report_routes.router, dependencies=[Depends(deps.current_user)])`."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from filing.bootstrap import App
from filing.report.cache import current_period, kept_report, page_html
from filing.report.html import report_css
from filing.report.jsonout import report_data
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app(request: Request) -> App:
    """The App from the web UI's state (request.app.state.web.app), or request.app.state.filing_app."""
    web = getattr(request.app.state, "web", None)
    app = getattr(web, "app", None) or getattr(request.app.state, "filing_app", None)
    if app is None:
        raise RuntimeError("report routes mounted without an App on app.state")
    return app


def _period(quarter: str | None, today: date, start: str | None = None, end: str | None = None) -> Period:
    """A quarter (2026Q3), a year (2026), a range (2026-01-01..2026-06-30), or from/to dates."""
    try:
        if start or end:
            if not (start and end):
                raise ValueError("起止日期需同时填写")
            return Period.between(date.fromisoformat(start), date.fromisoformat(end))
        if not quarter:
            return current_period(today)
        return Period.parse(quarter)
    except ValueError:
        raise HTTPException(400, f"统计期间应为季度（2026Q3）、年度（2026）或起止日期，收到：{quarter or ''}"
                                 f"{' ' + (start or '') + '..' + (end or '') if start or end else ''}") from None


@router.get("/reports", response_class=HTMLResponse)
def report_page(request: Request, quarter: str | None = None, start: str | None = Query(None, alias="from"),
                end: str | None = Query(None, alias="to")) -> HTMLResponse:
    app = _app(request)
    today = app.settings.today()
    period = _period(quarter, today, start, end)
    # Built once per data version (filing.report.cache): a change to the store makes the next request build
    # again, unless the scheduler's report_refresh job has built this quarter's already.
    return HTMLResponse(page_html(app, period, today))


@router.get("/reports/report.css")
def report_stylesheet() -> Response:
    return Response(report_css(), media_type="text/css; charset=utf-8")


@router.get("/reports/export")
def report_export(request: Request, quarter: str | None = None, format: str = "xlsx",
                  start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to")) -> Response:
    app = _app(request)
    today = app.settings.today()
    period = _period(quarter, today, start, end)
    if format not in ("xlsx", "json"):
        raise HTTPException(400, "format 应为 xlsx 或 json")
    kept = kept_report(app, period, today)
    name = f"report-{period.key.replace('..', '_')}"
    if format == "xlsx":
        return Response(kept.made("xlsx", workbook_bytes), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if format == "json":
        body = kept.made("json", lambda r: json.dumps(report_data(r), ensure_ascii=False, indent=2))
        return Response(body, media_type="application/json; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
    raise HTTPException(400, "format 应为 xlsx 或 json")
