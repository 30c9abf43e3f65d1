"""The litigation staff roster and the 有庭必出 watch page in a real browser (Debian Chromium via Playwright):
add, edit, import, export and remove roster entries (audited); the watch page warns about a hearing
without a head until the agency's reply names one; the secret calendar feed works without a session
and stops working when revoked or regenerated."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from filing.adapters import work_calendar
from filing.commands.core import import_files
from store import models as m
from tests.browser.test_web_ui import log_in
from tests.support.browser import BrowserPage
from tests.support.webdata import ADMIN, CST, SLJ, WebData, eml

pytestmark = pytest.mark.browser
C901, C902 = "（2026）鲁0481行初901号", "（2026）鲁0481行初902号"


def sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def fetch(url: str) -> tuple[int, str, str]:
    """GET with no cookie at all, as a calendar program does."""
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode("utf-8")


def test_roster_page_add_edit_import_export_remove(browser_page: BrowserPage, web_data: WebData,
                                                   tmp_path: Path) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/roster")
    assert "名单为空" in page.inner_text("#roster-table")

    form = page.locator("#roster-add")
    form.locator("select[name=agency_id]").select_option(label="滕州市示例管理局")
    form.locator("input[name=name]").fill("张三")
    form.locator("input[name=post]").fill("局长")
    form.locator("input[name=email]").fill("zhangsan@staff.example.invalid")
    form.locator("button[type=submit]").click()
    assert "已添加应诉人员 张三" in page.inner_text(".flash")
    row = page.locator("#roster-table tbody tr", has_text="张三")
    assert "正职负责人" in row.inner_text() and "zhangsan@staff.example.invalid" in row.inner_text()

    # The same email for another agency is refused with the reason.
    form = page.locator("#roster-add")
    form.locator("select[name=agency_id]").select_option(label="滕州市人民政府")
    form.locator("input[name=name]").fill("冒用")
    form.locator("input[name=email]").fill("zhangsan@staff.example.invalid")
    form.locator("button[type=submit]").click()
    assert "已是其他单位（滕州市示例管理局）应诉人员 张三 的联系邮箱" in page.inner_text(".flash")

    # Edit: a deputy now.
    assert "名单为空" in page.inner_text("#roster-table")  # the refused form went back to its agency's list
    page.locator("#roster-filter select").select_option(label="全部单位")
    page.click("#roster-filter button")
    page.wait_for_url(re.compile(r"/roster\?agency=$"))
    page.locator("#roster-table tbody tr", has_text="张三").locator("a", has_text="修改").click()
    page.wait_for_url(re.compile(r"/roster/\d+$"))
    page.fill("#roster-edit input[name=post]", "副局长")
    page.click("#roster-edit button[type=submit]")
    assert "副职负责人" in page.locator("#roster-table tbody tr", has_text="张三").inner_text()

    # Import: the good row is added, the bad row named.
    upload = tmp_path / "名单.xlsx"
    upload.write_bytes(sheet([["单位", "姓名", "职务", "法律职业资格", "联系电话", "电子邮箱", "是否负责人"],
                              ["示例管理局", "王五", "法制科科长", "A证", "0632-1", "", "否"],
                              ["不存在的局", "赵六", "局长", "", "", "", ""]]))
    page.set_input_files("#roster-import input[type=file]", str(upload))
    page.click("#roster-import button[type=submit]")
    assert "新增 1 人" in page.inner_text(".flash")
    assert "第3行：单位“不存在的局”未登记" in page.inner_text("#import-errors")
    assert "工作人员" in page.locator("#roster-table tbody tr", has_text="王五").inner_text()
    bp.screenshot("roster.png", full_page=True)

    # Export: what the page lists, in the import's format.
    with page.expect_download() as dl:
        page.click("#roster-export")
    exported = tmp_path / "export.xlsx"
    dl.value.save_as(str(exported))
    rows = list(load_workbook(exported).worksheets[0].iter_rows(values_only=True))
    assert {r[1] for r in rows[1:]} == {"张三", "王五"}

    # Remove (the confirm dialog is accepted).
    page.locator("#roster-table tbody tr", has_text="王五").locator("button", has_text="删除").click()
    page.wait_for_load_state()
    assert "已从名单中删除 王五" in page.inner_text(".flash")
    assert "王五" not in page.inner_text("#roster-table")
    assert any("确定从名单中删除王五" in d for d in bp.dialogs)

    with web_data.app.uow() as uow:
        actions = [(a.action, a.actor) for a in uow.session.scalars(
            select(m.AuditEntry).where(m.AuditEntry.object_type == "roster_entry").order_by(m.AuditEntry.id))]
    assert actions == [("roster.add", ADMIN), ("roster.edit", ADMIN), ("roster.add", ADMIN),
                       ("roster.remove", ADMIN)]
    assert not bp.console_errors, bp.console_errors


def _hearings(data: WebData) -> datetime:
    """Give the two cases hearings in the coming working days (as their summonses would)."""
    settings = data.app.settings
    day = work_calendar(settings).add_workdays(settings.today(), 2)
    at = datetime.combine(day, time(9, 30))
    with data.app.uow() as uow:
        for number, when in ((C901, at), (C902, at + timedelta(hours=5))):
            case = uow.session.scalar(select(m.Case).where(m.Case.case_number == number))
            assert case is not None
            case.hearing_at, case.court = when, "山东省滕州市人民法院"
        agency = uow.session.scalar(select(m.Agency).where(m.Agency.code == "slj"))
        assert agency is not None
        uow.session.add(m.RosterEntry(agency_id=agency.id, name="张三", post="局长"))
        uow.commit()
    return at


def test_watch_page_plan_from_reply_and_calendar_feed(browser_page: BrowserPage, web_data: WebData,
                                                      tmp_path: Path) -> None:
    at = _hearings(web_data)
    bp, page = browser_page, browser_page.page
    log_in(bp, "/watch")
    row901 = page.locator("#watch-table tbody tr", has_text=C901)
    assert at.strftime("%Y-%m-%d %H:%M") in row901.inner_text()
    assert "单位尚未报告出庭负责人" in row901.inner_text()
    assert "2 件未落实负责人出庭" in page.inner_text("#watch-warnings")

    # The agency answers naming its head: recorded as the plan, with the reply as evidence.
    reply = tmp_path / "reply.eml"
    reply.write_bytes(eml(90, SLJ, "示例管理局法规科", f"关于{C901}开庭的回复", datetime.now(CST),
                          f"{C901}开庭，出庭负责人：张三 局长。", []))
    import_files(web_data.app, [reply], quiet=True)
    page.reload()
    row901 = page.locator("#watch-table tbody tr", has_text=C901)
    assert "张三" in row901.inner_text() and "正职负责人" in row901.inner_text() and "单位回复" in row901.inner_text()
    assert "应诉人员名单：张三，局长（正职负责人）" in row901.inner_text()
    assert row901.locator(".warn").count() == 0

    # Staff record a plan by hand for the other case: a staff member, so the warning stays.
    row902 = page.locator("#watch-table tbody tr", has_text=C902)
    row902.locator("input[name=name]").fill("王五")
    row902.locator("input[name=title]").fill("科员")
    row902.locator("button[type=submit]").click()
    assert "已记录" in page.inner_text(".flash")
    row902 = page.locator("#watch-table tbody tr", has_text=C902)
    assert "拟出庭的王五为工作人员，不是负责人" in row902.inner_text()
    assert "1 件未落实负责人出庭" in page.inner_text("#watch-warnings")
    bp.screenshot("watch.png", full_page=True)

    # The calendar feed: a secret URL shown once, readable without any session.
    page.click("#feed-generate")
    url = page.input_value("#feed-url")
    assert re.fullmatch(re.escape(bp.base_url) + r"/calendar/[A-Za-z0-9_-]{40,}\.ics", url)
    status, ctype, body = fetch(url)
    assert status == 200 and ctype.startswith("text/calendar")
    unfolded = body.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 2 and C901 in unfolded and "张三" in unfolded
    start = (at - timedelta(hours=8)).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in unfolded
    with web_data.app.uow() as uow:
        stored = [f.token_hash for f in uow.session.scalars(select(m.CalendarFeed))]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in stored and len(stored) == 1  # only the hash is kept

    # Regenerated: the old URL is dead, the new one works; revoked: nothing works.
    page.goto(bp.base_url + "/watch")
    page.click("#feed-generate")  # confirm dialog accepted
    new_url = page.input_value("#feed-url")
    assert new_url != url and fetch(url)[0] == 404 and fetch(new_url)[0] == 200
    page.goto(bp.base_url + "/watch")
    page.click("#feed-revoke")
    assert "日历订阅地址已作废" in page.inner_text(".flash")
    assert fetch(new_url)[0] == 404
    assert fetch(bp.base_url + "/calendar/not-a-token.ics")[0] == 404

    # The case page shows the plan too, with its source and evidence, and takes a plan itself.
    with web_data.app.uow() as uow:
        ids = {n: i for i, n in uow.session.execute(select(m.Case.id, m.Case.case_number))}
    page.goto(f"{bp.base_url}/cases/{ids[C901]}")
    plan = page.inner_text("#plan")
    assert "张三" in plan and "正职负责人" in plan and "单位回复" in plan, plan
    assert "应诉人员名单：张三，局长（正职负责人）" in page.inner_text("#plan-evidence")
    assert page.locator("#plan-source a", has_text="来信 #").count() == 1
    assert page.locator("#plan-warning").count() == 0
    page.goto(f"{bp.base_url}/cases/{ids[C902]}")
    assert "人工录入" in page.inner_text("#plan-source")
    assert "拟出庭的王五为工作人员，不是负责人" in page.inner_text("#plan-warning")
    page.fill("#plan-name-input", "李四")
    page.fill("#plan-title-input", "副局长")
    page.click("#plan-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/cases/{ids[C902]}#plan$"))
    assert "已记录" in page.inner_text(".flash")
    assert "李四" in page.inner_text("#plan-who") and "副职负责人" in page.inner_text("#plan-who")
    assert page.locator("#plan-warning").count() == 0
    assert "李四不在应诉人员名单中，按所报职务“副局长”认定为副职负责人" in page.inner_text("#plan-evidence")
    bp.screenshot("case-plan.png", full_page=True)
    assert not bp.console_errors, bp.console_errors
