"""Rectification (整改) and compliance (履行) end to end through the CLI, on the sample's cases (seeded from
truth.json), on SQLite and PostgreSQL: staff set both, the reminder sweep writes to the agency on working
days and once, the reminders reach a real SMTP server, the agency's emailed rectification report is read
by the real pipeline and filed to its case, staff record both done, the report lists and charges the
overdue compliance, and every step is in the audit log."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from filing.bootstrap import App, bootstrap
from filing.cli import run
from filing.config import load_settings
from filing.jobs import send_outbox
from store import models as m
from store.migrate import upgrade
from tests.support.report_truth import TRUTH, load_truth, seed_from_truth
from tests.support.smtp import SmtpSink
from tests.support.webdata import CST, eml

pytestmark = pytest.mark.skipif(not TRUTH.is_file(), reason="sample corpus not present")

LOST = "（2026）鲁0481行初36号"  # hxz, info disclosure, judgment of 2026-08-03 lost
NOT_LOST = "（2026）鲁0481行初30号"  # withdrawn
FOLLOWUP_KINDS = ("reminder_rectification", "reminder_rectification_overdue", "reminder_compliance",
                  "reminder_compliance_overdue")


@pytest.fixture
def store(db_url: str, tmp_path: Path, smtp_sink: SmtpSink) -> tuple[App, Path]:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: {tmp_path / 'blobs'}\n"
        f"ocr:\n  cache_path: {tmp_path / 'ocr'}\nsenders:\n  unauthenticated: file\n"
        f"smtp:\n  host: {smtp_sink.host}\n  port: {smtp_sink.port}\n"
        "notify:\n  from_address: filing@bureau.example.invalid\n",
        encoding="utf-8",
    )
    upgrade(create_engine(db_url))
    app = bootstrap(load_settings(cfg, environ={}))
    with app.uow() as uow:
        seed_from_truth(uow.session, load_truth())
        uow.commit()
    return app, cfg


def cli(cfg: Path, *args: str) -> int:
    return run(["--config", str(cfg), *args])


def rows(app: App, kind: str) -> list[tuple[str, date | None, int | None]]:
    """(status, due date, case id) of the outbox rows of a kind."""
    with app.uow() as uow:
        return [(o.status, o.due_date, o.case_id) for o in
                uow.session.scalars(select(m.OutboxMessage).where(m.OutboxMessage.kind == kind))]


def report_pdf_eml(address: str) -> bytes:
    page = ["滕州市洪绪镇人民政府", f"关于{LOST}案件败诉问题的整改情况报告", "滕州市司法局：",
            f"我局在{LOST}政府信息公开一案中败诉。现将败诉原因及整改措施报告如下：",
            "一、败诉原因：答复程序不规范。", "二、整改措施：修订信息公开答复流程，举一反三。", "2026年12月9日"]
    return eml(901, address, "洪绪镇人民政府", f"{LOST}整改报告", datetime(2026, 12, 9, 10, 0, tzinfo=CST),
               "现报送整改报告，请查收。", [("整改报告.pdf", [page])])


def test_rectification_and_compliance_through_the_cli(store: tuple[App, Path], smtp_sink: SmtpSink,
                                                      tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    app, cfg = store
    monkeypatch.setenv("COLUMNS", "250")  # tables as wide as their rows, not wrapped inside cells
    truth = load_truth()
    hxz = next(a for a in truth["agencies"] if a["code"] == "hxz")["addresses"][0]
    with app.uow() as uow:
        case_id = uow.session.scalar(select(m.Case.id).where(m.Case.case_number == LOST))
    assert case_id is not None

    # Every lost case is listed, nothing asked yet; a case not lost cannot be asked to rectify.
    assert cli(cfg, "rectification") == 0
    assert "未布置整改" in capsys.readouterr().out
    assert cli(cfg, "rectification", "set", NOT_LOST, "--ask", "x", "--due", "2026-12-10") == 2
    assert "不是败诉案件" in capsys.readouterr().err
    assert cli(cfg, "rectification", "set", LOST, "--ask", "规范政府信息公开答复程序", "--due", "2026-12-10",
               "--as", "张三") == 0

    # The judgment took effect (window passed, no appeal): tracked; it orders nothing we can read: staff set it.
    assert cli(cfg, "compliance", "sync", "--as-of", "2026-12-07") == 0
    with app.uow() as uow:
        comp = uow.session.scalar(select(m.Compliance).where(m.Compliance.case_id == case_id))
        assert comp is not None and comp.status == "open" and comp.due_date is None
        assert comp.effective_on < datetime(2026, 10, 1).date() and "未收到上诉" in comp.basis
    assert cli(cfg, "compliance", "set", LOST, "--order", "重新作出政府信息公开答复", "--due", "2026-12-04",
               "--reason", "判决书载明", "--as", "张三") == 0
    capsys.readouterr()

    # Monday 2026-12-07: the rectification falls due within 3 working days, the compliance is overdue.
    assert cli(cfg, "remind", "--as-of", "2026-12-07") == 0
    assert len(rows(app, "reminder_rectification")) == 1
    assert len(rows(app, "reminder_compliance_overdue")) == 1
    assert cli(cfg, "remind", "--as-of", "2026-12-07") == 0  # again: nothing twice
    assert cli(cfg, "remind", "--as-of", "2026-12-05") == 0  # a Saturday: no sweep
    assert [len(rows(app, k)) for k in FOLLOWUP_KINDS] == [1, 0, 0, 1]

    send_outbox(app)
    got = {r.message["Subject"]: r for r in smtp_sink.messages}
    rect = next(r for s, r in got.items() if s.startswith("【整改提醒】"))
    comp_mail = next(r for s, r in got.items() if s.startswith("【履行逾期】"))
    assert rect.rcpt_tos == [hxz] and comp_mail.rcpt_tos == [hxz]
    body = rect.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "规范政府信息公开答复程序" in body and "2026年12月10日" in body
    body = comp_mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "重新作出政府信息公开答复" in body and "已逾期3日" in body

    # The agency emails its rectification report: read, recognised, filed to the case, rectification received.
    mail = tmp_path / "report.eml"
    mail.write_bytes(report_pdf_eml(hxz))
    assert cli(cfg, "import", str(mail)) == 0
    with app.uow() as uow:
        s = uow.session
        doc = s.scalar(select(m.Document).where(m.Document.doc_type == "rectification_report"))
        assert doc is not None and doc.case_id == case_id and doc.match_status == "auto"
        r = s.scalar(select(m.Rectification).where(m.Rectification.case_id == case_id))
        assert r is not None and r.status == "received" and r.report_document_id == doc.id
    # Past the due date, but the report arrived: no overdue reminder.
    assert cli(cfg, "remind", "--as-of", "2026-12-11") == 0
    assert rows(app, "reminder_rectification_overdue") == []
    assert cli(cfg, "rectification", "done", LOST, "--on", "2026-12-11", "--note", "已核查整改报告",
               "--as", "张三") == 0
    capsys.readouterr()
    assert cli(cfg, "rectification") == 0
    assert "整改完成" in capsys.readouterr().out

    # The report lists the overdue compliance and charges it once, to its agency.
    out = tmp_path / "q4.json"
    assert cli(cfg, "report", "--quarter", "2026Q4", "--format", "json", "-o", str(out), "--as-of", "2026-12-14") == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["case_number"] for c in data["overdue_compliance"]] == [LOST]
    charged = [(a["label"], d["case_number"]) for a in data["assessment"]["agencies"] for d in a["deductions"]
               if d["rule"] == "unperformed_judgment"]
    assert charged == [("滕州市洪绪镇人民政府", LOST)]
    html = tmp_path / "q4.html"
    assert cli(cfg, "report", "--quarter", "2026Q4", "--format", "html", "-o", str(html), "--as-of", "2026-12-14") == 0
    assert "生效裁判逾期未履行" in html.read_text(encoding="utf-8")

    # Performed late: recorded; no more reminders; no longer listed, still charged (not performed by the date).
    assert cli(cfg, "compliance", "done", LOST, "--on", "2026-12-15", "--note", "已重新答复", "--as", "张三") == 0
    assert cli(cfg, "remind", "--as-of", "2026-12-16") == 0
    assert [len(rows(app, k)) for k in FOLLOWUP_KINDS] == [1, 0, 0, 1]
    assert cli(cfg, "report", "--quarter", "2026Q4", "--format", "json", "-o", str(out), "--as-of", "2026-12-31") == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["overdue_compliance"] == []
    assert any(d["rule"] == "unperformed_judgment" and "2026-12-15方履行" in d["note"]
               for a in data["assessment"]["agencies"] for d in a["deductions"])

    capsys.readouterr()
    assert cli(cfg, "export", "--format", "json", "--as-of", "2026-12-31") == 0
    exported = next(c for c in json.loads(capsys.readouterr().out)["cases"] if c["case_number"] == LOST)
    assert exported["rectification"]["status"] == "done" and exported["rectification"]["done_on"] == "2026-12-11"
    assert exported["compliance"]["status"] == "done" and exported["compliance"]["due_date"] == "2026-12-04"
    assert "rectification_report" in exported["documents"]

    with app.uow() as uow:
        actions = list(uow.session.execute(
            select(m.AuditEntry.action, m.AuditEntry.actor)
            .where(m.AuditEntry.object_type == "case", m.AuditEntry.object_id == case_id).order_by(m.AuditEntry.id)))
        assert actions == [("set_rectification", "张三"), ("open_compliance", "system"), ("set_compliance", "张三"),
                           ("rectification_report_received", "system"), ("confirm_rectification", "张三"),
                           ("record_compliance", "张三")]
        opened = uow.session.scalar(select(func.count()).select_from(m.Compliance))
        assert opened and opened >= 2  # 51号 (zrj) took effect too


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_report_waiting_in_our_review_queue_holds_the_rectification_reminder(store: tuple[App, Path]) -> None:
    app, cfg = store
    with app.uow() as uow:
        s = uow.session
        case = s.scalar(select(m.Case).where(m.Case.case_number == LOST))
        assert case is not None
        msg = m.Message(raw_sha256="f" * 64, source="import", status="filed", state="done", agency_id=case.agency_id,
                        sender_status="registered", received_at=datetime(2026, 12, 5, 10, 0, tzinfo=CST))
        s.add(msg)
        s.flush()
        att = m.Attachment(message_id=msg.id, seq=1, filename="整改报告.pdf", content_type="application/pdf",
                           sha256="f" * 64, size=1)
        s.add(att)
        s.flush()
        s.add(m.Document(attachment_id=att.id, first_page=1, last_page=1, doc_type="rectification_report",
                         case_number=LOST, match_status="review", fields={}))
        uow.commit()
    assert cli(cfg, "rectification", "set", LOST, "--ask", "规范答复程序", "--due", "2026-12-04") == 0
    assert cli(cfg, "remind", "--as-of", "2026-12-07") == 0
    assert rows(app, "reminder_rectification_overdue") == []  # the agency sent it: a person must file it first


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_doubted_decision_starts_no_compliance_until_a_person_settles_it(store: tuple[App, Path]) -> None:
    from cases.corrections import resolve_check

    app, cfg = store
    with app.uow() as uow:
        case_id = uow.session.scalar(select(m.Case.id).where(m.Case.case_number == LOST))
        assert case_id is not None
        chk = m.FactCheck(case_id=case_id, fact="decision_date", kind="doubtful", status="open",
                          reason="裁判日期被印章遮挡", read_value="2026-08-03")
        uow.session.add(chk)
        uow.commit()
        check_id = chk.id

    def tracked() -> set[int]:
        with app.uow() as uow:
            return set(uow.session.scalars(select(m.Compliance.case_id)))

    assert cli(cfg, "compliance", "sync", "--as-of", "2026-12-07") == 0
    assert case_id not in tracked() and tracked()  # the other lost cases are tracked
    with app.uow() as uow:
        resolve_check(uow.session, check_id, None, "张三")
        uow.commit()
    assert cli(cfg, "compliance", "sync", "--as-of", "2026-12-07") == 0
    assert case_id in tracked()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_reminders_stop_when_compliance_is_recorded_done(store: tuple[App, Path]) -> None:
    app, cfg = store
    other = "（2026）鲁0402行初51号"  # zrj, lost 2026-06-15
    assert cli(cfg, "compliance", "sync", "--as-of", "2026-12-14") == 0
    assert cli(cfg, "compliance", "set", other, "--due", "2026-12-18", "--reason", "判决书载明") == 0
    assert cli(cfg, "remind", "--as-of", "2026-12-14") == 0  # 4 working days before: not yet
    assert rows(app, "reminder_compliance") == []
    assert cli(cfg, "remind", "--as-of", "2026-12-15") == 0
    [(status, due, _)] = rows(app, "reminder_compliance")
    assert status == "queued" and due == date(2026, 12, 18)
    assert cli(cfg, "compliance", "done", other, "--on", "2026-12-16") == 0
    [(status, _, _)] = rows(app, "reminder_compliance")
    assert status == "cancelled"  # not sent after all: the matter is done
    assert cli(cfg, "remind", "--as-of", "2026-12-21") == 0
    assert rows(app, "reminder_compliance_overdue") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_confirmed_rectification_is_reopened_with_a_reason(store: tuple[App, Path],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    app, cfg = store
    assert cli(cfg, "rectification", "set", LOST, "--ask", "规范答复程序", "--due", "2026-12-04") == 0
    assert cli(cfg, "rectification", "reopen", LOST, "--reason", "未完成") == 2  # not confirmed done yet
    assert cli(cfg, "rectification", "done", LOST, "--on", "2026-12-03", "--as", "张三") == 0
    assert cli(cfg, "remind", "--as-of", "2026-12-07") == 0
    assert rows(app, "reminder_rectification_overdue") == []  # done: no reminder
    capsys.readouterr()
    assert cli(cfg, "rectification", "reopen", LOST, "--reason", "  ") == 2  # a reason is required
    assert "请填写重新打开整改的原因" in capsys.readouterr().err
    assert cli(cfg, "rectification", "reopen", LOST, "--reason", "复查发现问题仍存在", "--as", "李四") == 0
    out = capsys.readouterr().out
    assert "已重新打开整改" in out and "整改中" in out
    with app.uow() as uow:
        s = uow.session
        r = s.scalar(select(m.Rectification).join(m.Case).where(m.Case.case_number == LOST))
        assert r is not None and r.status == "open" and r.done_on is None
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "reopen_rectification")).one()
        assert (audit.actor, audit.note) == ("李四", "复查发现问题仍存在")
        assert audit.before["rectification"]["status"] == "done"
    # Open again with no report on file: the overdue reminder goes out on the next working day.
    assert cli(cfg, "remind", "--as-of", "2026-12-08") == 0
    assert [st for st, _due, _cid in rows(app, "reminder_rectification_overdue")] == ["queued"]
