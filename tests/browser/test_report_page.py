"""The report page in a real browser (Debian Chromium via Playwright): tables, drill-down, charts, print.

The router is served on its own FastAPI app with the web UI's security headers (CSP forbids inline
styles and scripts), as the web UI mounts it behind login.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import create_engine

from filing.bootstrap import App, bootstrap
from filing.config import Settings
from filing.web import report_routes
from filing.web.security import apply_security_headers
from store.migrate import upgrade
from tests.support.report_truth import TRUTH, load_truth, seed_from_truth

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not TRUTH.is_file(), reason="sample corpus not present")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def report_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp("report-page")
    url = f"sqlite:///{tmp / 'filing.db'}"
    upgrade(create_engine(url))
    app = bootstrap(Settings.model_validate({"database": {"url": url}, "storage": {"path": str(tmp / "blobs")}}))
    with app.uow() as uow:
        seed_from_truth(uow.session, load_truth())
        uow.commit()
    yield app
    app.engine.dispose()


@contextmanager
def serve_routers(app: App, *routers: APIRouter) -> Iterator[str]:
    """The routers on their own FastAPI app with the web UI's security headers, on a free port."""
    api = FastAPI()
    api.state.filing_app = app

    @api.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        apply_security_headers(response, html=response.headers.get("content-type", "").startswith("text/html"))
        return response

    for router in routers:
        api.include_router(router)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def report_server(report_app: App) -> Iterator[str]:
    with serve_routers(report_app, report_routes.router) as url:
        yield url


@pytest.fixture(scope="module")
def page(report_server: str, chromium: Any) -> Iterator[Any]:
    # The session's one Chromium (tests/support/browser.py): a second Playwright in the same process fails.
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    errors: list[str] = []

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    pg.on("console", on_console)
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def cell(page: Any, agency: str, col: str) -> str:
    text: str = page.locator(f'#summary tr[data-agency="{agency}"] td[data-col="{col}"]').inner_text()
    return text.strip()


def test_report_page_shows_figures_charts_and_drill_down(page: Any, report_server: str) -> None:
    resp = page.goto(f"{report_server}/reports?quarter=2026Q3")
    assert resp.status == 200
    assert "滕州市行政机关行政应诉情况季度通报" in page.inner_text("h1")
    assert "2026年第三季度" in page.inner_text(".period")
    # The stylesheet loaded under the CSP (no inline styles): the table collapses its borders.
    assert page.locator("#summary").evaluate("t => getComputedStyle(t).borderCollapse") == "collapse"
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
    # Q3 2026 as the bureau could know it from the mail (truth.json): 公安局 opened a case, no hearing;
    # 市场监督管理局 had one hearing with a deputy head and won （2026）鲁0405行初28号; no known loss.
    assert cell(page, "gaj", "hearings") == "0" and cell(page, "gaj", "appearance_rate") == "—"
    assert cell(page, "scj", "hearings") == "1" and cell(page, "scj", "deputy") == "1"
    assert cell(page, "scj", "appearance_rate") == "100.0%" and cell(page, "scj", "loss_rate") == "0.0%"
    assert page.locator('#summary tr.total td[data-col="loss_rate"]').inner_text() == "0.0%"
    dashes = page.locator("#summary td.rate.dash")
    assert dashes.count() > 0 and set(dashes.all_inner_texts()) == {"—"}
    # Bars are drawn for rates that exist and not for "—".
    bars = page.locator("svg.chart rect.bar")
    widths = [float(w) for w in bars.evaluate_all("els => els.map(e => e.getAttribute('width'))")]
    assert any(w > 100 for w in widths) and 0.0 in widths
    assert page.locator("svg.chart polyline").count() >= 1  # the quarterly trend
    # Drill-down: the number links to the cases behind it.
    page.locator('#summary tr[data-agency="scj"] td[data-col="deputy"] a').click()
    target = page.locator(":target")
    assert "（2026）鲁0405行初28号" in target.inner_text()
    # …and each case links to its page in the web UI.
    link = target.locator("a.case").first
    assert link.inner_text() == "（2026）鲁0405行初28号"
    assert (link.get_attribute("href") or "").startswith("/cases/")
    assert "出庭应诉率 = 负责人出庭庭次 ÷ 开庭次数" in page.inner_text("#definitions")
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{report_server}/reports?quarter=2026Q3")
    shot = ARTIFACTS / "report-page-2026Q3.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


def test_report_page_prints(page: Any, report_server: str) -> None:
    page.goto(f"{report_server}/reports?quarter=2026Q4")
    page.emulate_media(media="print")
    try:
        assert not page.locator(".toolbar").is_visible()  # the toolbar is not printed
        pdf = ARTIFACTS / "report-2026Q4.pdf"
        ARTIFACTS.mkdir(exist_ok=True)
        page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
        page.screenshot(path=str(ARTIFACTS / "report-page-2026Q4-print.png"), full_page=True)
    finally:
        page.emulate_media(media="screen")


def test_bad_quarter_is_a_clear_error(page: Any, report_server: str) -> None:
    resp = page.goto(f"{report_server}/reports?quarter=2026Q7")
    assert resp.status == 400 and "2026Q3" in page.inner_text("body")


def test_year_report_from_the_form(page: Any, report_server: str) -> None:
    page.goto(f"{report_server}/reports?quarter=2026Q3")
    q3_lost = int(page.locator('#summary tr.total td[data-col="lost"]').inner_text())
    page.fill("#period-input", "2026")
    page.click(".toolbar button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("quarter=2026"))
    assert "2026年度" in page.inner_text(".period")
    assert "2026年1月1日至2026年12月31日" in page.inner_text(".meta")
    assert int(page.locator('#summary tr.total td[data-col="lost"]').inner_text()) >= q3_lost
    data = page.request.get(f"{report_server}/reports/export?quarter=2026&format=json").json()
    assert data["period"]["key"] == "2026"
    # Every case of the sample is of 2026: no trend point for 2025.
    assert data["trend"] and all(p["key"].startswith("2026") for p in data["trend"])
    ranged = page.goto(f"{report_server}/reports?from=2026-01-01&to=2026-06-30")
    assert ranged.status == 200 and "2026年1月1日至2026年6月30日" in page.inner_text(".period")
    # Any from–to range from the date fields, like the CLI's --from/--to; the downloads follow it.
    page.goto(f"{report_server}/reports?quarter=2026")
    assert page.input_value("#range-from") == "2026-01-01" and page.input_value("#range-to") == "2026-12-31"
    page.fill("#range-from", "2026-04-01")
    page.fill("#range-to", "2026-09-30")
    page.click("#range-form button[type=submit]")
    page.wait_for_url(lambda url: "from=2026-04-01" in url and "to=2026-09-30" in url)
    assert "2026年4月1日至2026年9月30日" in page.inner_text(".meta")
    href = page.get_attribute(".toolbar a[href*='format=json']", "href")
    assert href is not None
    data = page.request.get(report_server + href).json()
    assert data["period"]["key"] == "2026-04-01..2026-09-30"
