"""Litigation staff roster and 有庭必出 end to end through the CLI, on real SQLite and PostgreSQL stores:
an XLSX roster imported (bad rows named), exported and read back; a roster contact recognised as a sender;
the roster filling and contradicting appearance records; the hearing reminder answered by a reply that
names the head, shown by `filing watch`."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from filing.bootstrap import bootstrap
from filing.cli import app as cli
from filing.config import load_settings
from store import models as m
from tests.support.webdata import CST, ROOT, SLJ, notice, text_pdf

STAFF_MAIL = "wangwu.fzk@staff.example.invalid"  # on the roster only, never registered as an agency address
C901, C902, C903 = "（2026）鲁0481行初901号", "（2026）鲁0481行初902号", "（2026）鲁0481行初903号"
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=CST)


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: var/blobs\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\nocr:\n  cache_path: var/ocr-cache\n"
        "senders:\n  unauthenticated: file\n",
        encoding="utf-8",
    )
    return p


def invoke(config: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner(env={"COLUMNS": "220"}).invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def eml(n: int, sender: str, subject: str, when: datetime, body: str,
        files: list[tuple[str, list[str]]] = (), in_reply_to: str | None = None) -> bytes:  # type: ignore[assignment]
    msg = EmailMessage()
    msg["From"] = f"示例管理局 <{sender}>"
    msg["To"] = "filing@example.invalid"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<roster-{n:04d}@agency.example.invalid>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    for name, lines in files:
        msg.add_attachment(text_pdf([lines]), maintype="application", subtype="pdf", filename=name)
    return bytes(msg)


def summons(number: str, when: str) -> list[str]:
    return ["山东省滕州市人民法院", "传 票", f"案号 {number}", "案由 政府信息公开", "被传唤人 滕州市示例管理局",
            "传唤事由 开庭", f"应到时间 {when}", "应到处所 本院第三审判庭", "二〇二六年三月五日"]


def appearance(number: str, name: str, title: str | None) -> list[str]:
    return ["行政机关负责人出庭应诉情况登记表", f"案号 {number}", "单位 滕州市示例管理局", f"出庭负责人 {name}",
            *([f"职务 {title}"] if title else []), "开庭时间 2026年3月20日上午9时30分", "填报日期 2026年3月21日"]


def write(tmp: Path, name: str, data: bytes) -> str:
    p = tmp / name
    p.write_bytes(data)
    return str(p)


def test_roster_import_sender_head_decision_and_hearing_plan(config: Path, tmp_path: Path) -> None:
    assert invoke(config, "init")[0] == 0

    # 1. The roster from XLSX: good rows saved, each bad row named in Chinese with its row number.
    sheet = write(tmp_path, "名单.xlsx", xlsx([
        ["单位", "姓名", "职务", "法律职业资格", "联系电话", "电子邮箱", "是否负责人"],
        ["滕州市示例管理局", "张三", "局长", "", "0632-1234567", "", "是"],
        ["示例管理局", "李四", "副局长", "", 13800000000, "", ""],
        ["slj", "王五", "法制科科长", "法律职业资格A证", "", STAFF_MAIL.upper(), "否"],
        ["滕州市不存在局", "赵六", "局长", "", "", "", ""],
        ["滕州市示例管理局", "", "科员", "", "", "", ""],
        ["滕州市示例管理局", "钱七", "科员", "", "", "not-an-email", ""],
        ["滕州市示例管理局", "孙八", "科员", "", "", "", "也许"],
        ["滕州市示例管理局", "李四", "副局长", "", "", "", ""],
        ["滕州市人民政府", "周九", "科员", "", "", "demo-shili@agency.example.invalid", ""],
    ]))
    code, out, err = invoke(config, "roster", "import", sheet)
    assert code == 1
    assert "新增 3 人" in out and "有误 6 行" in out
    for line in ("第5行：单位“滕州市不存在局”未登记", "第6行：缺少姓名", "第7行：邮箱格式不正确：not-an-email",
                 "第8行：“是否负责人”应填 是 或 否", "第9行：与第3行重复",
                 "第10行：邮箱 demo-shili@agency.example.invalid 已登记为其他单位（滕州市示例管理局）的报送邮箱"):
        assert line in err, err
    assert "Traceback" not in err

    # Export, read back: the same roster, nothing changes.
    exported = tmp_path / "out" / "导出.xlsx"
    assert invoke(config, "roster", "export", "-o", str(exported))[0] == 0
    rows = list(load_workbook(exported).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "姓名") and len(rows) == 4
    assert ("滕州市示例管理局", "王五", "法制科科长", "法律职业资格A证", None, STAFF_MAIL, "否") in rows
    code, out, _ = invoke(config, "roster", "import", str(exported))
    assert code == 0 and "新增 0 人" in out and "未变 3 人" in out
    code, out, _ = invoke(config, "roster")
    assert "副职负责人" in out and "工作人员" in out

    # 2. Mail: notices, a summons, appearance records; one message sent from a roster contact's address.
    mails = [
        eml(1, SLJ, f"应诉材料 {C901}", T0, "现报送应诉通知书及传票。",
            [("应诉通知书.pdf", notice(C901, "王示例", "政府信息公开", "二〇二六年三月二日")),
             ("传票.pdf", summons(C901, "2026年3月20日上午9时30分"))]),
        eml(2, SLJ, f"应诉材料 {C902}", T0, "现报送应诉通知书。",
            [("应诉通知书.pdf", notice(C902, "李示例", "行政处罚", "二〇二六年三月二日"))]),
        eml(3, STAFF_MAIL, f"应诉材料 {C903}", T0, "现报送应诉通知书。",
            [("应诉通知书.pdf", notice(C903, "孙示例", "行政许可", "二〇二六年三月二日"))]),
    ]
    code, _out, err = invoke(config, "import", *(write(tmp_path, f"m{i}.eml", b) for i, b in enumerate(mails)))
    assert code == 0, err

    app = bootstrap(load_settings(config, environ={}))
    with app.uow() as uow:
        s = uow.session
        staff_msg = s.scalar(select(m.Message).where(m.Message.from_address == STAFF_MAIL))
        assert staff_msg is not None and staff_msg.sender_status == "registered" and staff_msg.status == "filed"
        assert staff_msg.agency is not None and staff_msg.agency.code == "slj"
        assert f"address {STAFF_MAIL} is a litigation staff contact of agency slj" in staff_msg.sender_evidence
        case901 = s.scalar(select(m.Case).where(m.Case.case_number == C901))
        assert case901 is not None and case901.hearing_at == datetime(2026, 3, 20, 9, 30)

    # 3. The hearing reminder asks for the head; the watch warns until someone is named.
    assert invoke(config, "remind", "--as-of", "2026-03-18")[0] == 0
    with app.uow() as uow:
        reminder = uow.session.scalar(select(m.OutboxMessage).where(m.OutboxMessage.kind == "reminder_hearing"))
        assert reminder is not None and "出庭负责人" in reminder.body_text
        reminder_id, reminder_subject, reminder_body = reminder.header_message_id, reminder.subject, reminder.body_text
    code, out, _ = invoke(config, "watch", "--as-of", "2026-03-18")
    assert code == 0 and C901 in out and "单位尚未报告出庭负责人" in out

    # A reply that only quotes the reminder or says the head cannot come names no plan; one that names
    # the head is the plan, with the reply as evidence.
    quoted = f"好的，收到。\n\n-----原始邮件-----\n{reminder_body}"
    declined = "负责人因公务无法出庭，出庭负责人：待定。"
    named = "您好，\n出庭负责人：张三 局长\n\n> 请直接回复本邮件，告知拟出庭应诉的负责人姓名和职务"
    replies = [eml(10 + i, SLJ, f"回复：{reminder_subject}", T0 + timedelta(days=15, hours=i), body,
                   in_reply_to=reminder_id) for i, body in enumerate((quoted, declined))]
    # Another agency naming a head for this case is not this agency's plan.
    replies.append(eml(12, "demo-szf@agency.example.invalid", f"回复：{reminder_subject}",
                       T0 + timedelta(days=15, hours=2), f"{C901}\n出庭负责人：周九 局长", in_reply_to=reminder_id))
    replies.append(eml(13, SLJ, f"回复：{reminder_subject}", T0 + timedelta(days=15, hours=3), named,
                       in_reply_to=reminder_id))
    for i, raw in enumerate(replies):
        assert invoke(config, "import", write(tmp_path, f"r{i}.eml", raw))[0] == 0
        if i < 3:
            with app.uow() as uow:
                assert uow.session.scalar(select(m.AppearancePlan)) is None
    with app.uow() as uow:
        plans = list(uow.session.scalars(select(m.AppearancePlan)))
        assert [(p.name, p.title, p.role, p.source) for p in plans] == [("张三", "局长", "principal", "reply")]
        assert plans[0].message_id is not None and "出庭负责人：张三 局长" in plans[0].evidence[0]
        assert "应诉人员名单：张三，局长（正职负责人）" in plans[0].evidence
    code, out, _ = invoke(config, "watch", "--as-of", "2026-03-18")
    assert code == 0 and "张三" in out and "单位尚未报告出庭负责人" not in out

    # 4. Appearance records: the roster tells the rank a record left open, and contradicts a record that
    # calls a staff member a head (a fact check, not a silent pick).
    records = [
        eml(20, SLJ, f"出庭情况 {C902}", T0 + timedelta(days=19), "现报送负责人出庭情况。",
            [("出庭情况.pdf", appearance(C902, "李四", None))]),
        eml(21, SLJ, f"出庭情况 {C903}", T0 + timedelta(days=19), "现报送负责人出庭情况。",
            [("出庭情况.pdf", appearance(C903, "王五", "副局长"))]),
    ]
    assert invoke(config, "import", *(write(tmp_path, f"a{i}.eml", b) for i, b in enumerate(records)))[0] == 0
    with app.uow() as uow:
        s = uow.session
        c902 = s.scalar(select(m.Case).where(m.Case.case_number == C902))
        c903 = s.scalar(select(m.Case).where(m.Case.case_number == C903))
        assert c902 is not None and c903 is not None
        assert (c902.head_present, c902.head_principal, c902.head_name) == (True, False, "李四")
        filled = s.scalar(select(m.CaseFact).where(m.CaseFact.case_id == c902.id,
                                                   m.CaseFact.field == "head_principal"))
        assert filled is not None and filled.reason and "按应诉人员名单：李四，副局长" in filled.reason
        # The record's own reading stands; a person decides.
        assert (c903.head_present, c903.head_principal) == (True, False)
        checks = list(s.scalars(select(m.FactCheck).where(m.FactCheck.case_id == c903.id,
                                                          m.FactCheck.status == "open")))
        assert [(c.fact, c.kind) for c in checks] == [("head_present", "conflict")], checks
        assert "应诉人员名单：王五，法制科科长（工作人员）" in checks[0].reason
        assert not list(s.scalars(select(m.FactCheck).where(m.FactCheck.case_id == c902.id,
                                                            m.FactCheck.status == "open")))
    code, out, _ = invoke(config, "queue", "checks")
    assert code == 0 and C903 in out

    # 5. The roster corrected (王五 is a deputy head after all): the cases are judged again, the check goes.
    fixed = write(tmp_path, "更正.xlsx", xlsx([["单位", "姓名", "职务"], ["slj", "王五", "副局长"]]))
    code, out, _ = invoke(config, "roster", "import", fixed)
    assert code == 0 and "更新 1 人" in out and "重新核对 2 件案件" in out
    with app.uow() as uow:
        s = uow.session
        c903 = s.scalar(select(m.Case).where(m.Case.case_number == C903))
        assert c903 is not None and (c903.head_present, c903.head_principal) == (True, False)
        checks = list(s.scalars(select(m.FactCheck).where(m.FactCheck.case_id == c903.id)))
        assert [(c.status, c.resolved_by) for c in checks] == [("cleared", "system")]

    # 6. A head not on the (non-empty) roster whose record states the rank: evidence, no fact check.
    stranger = eml(22, SLJ, f"出庭情况 {C901}", T0 + timedelta(days=19), "现报送负责人出庭情况。",
                   [("出庭情况.pdf", appearance(C901, "周某", "副局长"))])
    assert invoke(config, "import", write(tmp_path, "a9.eml", stranger))[0] == 0
    with app.uow() as uow:
        s = uow.session
        c901 = s.scalar(select(m.Case).where(m.Case.case_number == C901))
        assert c901 is not None and (c901.head_present, c901.head_principal, c901.head_name) == (True, False, "周某")
        record = s.scalar(select(m.Document).where(m.Document.case_id == c901.id,
                                                   m.Document.doc_type == "appearance_record"))
        assert record is not None and "roster: not_listed (出庭负责人周某不在本单位应诉人员名单中)" in record.evidence
        assert not list(s.scalars(select(m.FactCheck).where(m.FactCheck.case_id == c901.id,
                                                            m.FactCheck.status == "open")))

    # 7. The roster entry that filled 902's rank is removed: the rank is judged again, not left standing.
    assert invoke(config, "roster", "remove", "slj", "赵无此人")[0] == 2
    code, out, _ = invoke(config, "roster", "remove", "slj", "李四", "--as", "张管理")
    assert code == 0 and "删除李四" in out, out
    with app.uow() as uow:
        s = uow.session
        c902 = s.scalar(select(m.Case).where(m.Case.case_number == C902))
        assert c902 is not None and (c902.head_present, c902.head_principal, c902.head_name) == (True, None, "李四")
        undone = s.scalars(select(m.CaseFact).where(m.CaseFact.case_id == c902.id,
                                                    m.CaseFact.field == "head_principal")
                           .order_by(m.CaseFact.id.desc())).first()
        assert undone is not None and undone.value is None and undone.previous is False
        assert undone.reason and "名单已变更" in undone.reason and "李四" in undone.reason
        # Not listed and no rank on the record: a person checks who appeared.
        (check,) = s.scalars(select(m.FactCheck).where(m.FactCheck.case_id == c902.id, m.FactCheck.status == "open"))
        assert (check.fact, check.kind) == ("head_role", "doubtful")
        assert "出庭负责人李四不在本单位应诉人员名单中，文书亦未写明正职/副职" in check.reason
        record = s.scalar(select(m.Document).where(m.Document.case_id == c902.id,
                                                   m.Document.doc_type == "appearance_record"))
        assert record is not None and [e for e in record.evidence if e.startswith("roster: ")] == [
            "roster: not_listed (出庭负责人李四不在本单位应诉人员名单中)"]  # the earlier fill is gone
        assert s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "roster.remove",
                                                   m.AuditEntry.actor == "张管理")) is not None
    app.engine.dispose()
