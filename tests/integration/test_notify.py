"""Receipts, every reminder kind and the staff digest, from database rows to a real SMTP server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from notify.digest import queue_quarantine_digest
from notify.outbox import send_pending
from notify.receipts import queue_receipt
from notify.reminders import load_case_snapshot, planned_reminders, sweep_reminders
from notify.settings import NotifySettings
from notify.smtp import SmtpSettings
from store.db import make_engine, make_session_factory
from store.models import Agency, AgencyAddress, Attachment, Base, Case, Document, Message, OutboxMessage
from terms.rules import compute_missing
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.smtp

SETTINGS = NotifySettings(
    signature="滕州市司法局\n行政应诉案件备案邮箱", staff_addresses=("fzk@tzsfj.example.cn",),
    receipt_domain="filing.tzsfj.local",
    escalate_after_workdays=0,  # escalation has its own test below
)
ZRJ = "zrj-fzk@example.cn"


def cst(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Beijing-time wall clock moment as aware UTC."""
    return datetime(y, m, d, hh - 8 if hh >= 8 else hh, mm, tzinfo=UTC)


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def smtp_settings(sink: SmtpSink) -> SmtpSettings:
    return SmtpSettings(host=sink.host, port=sink.port, timeout_s=5, from_address="tzsfjyingsu@zz.shandong.cn",
                        from_name="滕州市司法局")


class World:
    """Builds ledger rows the way the pipeline leaves them."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.agency = Agency(code="zrj", name="滕州市自然资源局", short_name="自然资源局")
        self.agency.addresses.append(AgencyAddress(address=ZRJ))
        s.add(self.agency)
        s.flush()
        self.n = 0

    def case(self, number: str, **kw: Any) -> Case:
        c = Case(case_number=number, case_type="行初", agency_id=self.agency.id, agency_role="defendant",
                 court="山东省滕州市人民法院", court_code="鲁0481", **kw)
        self.s.add(c)
        self.s.flush()
        return c

    def message(self, received: datetime, subject: str, docs: list[tuple[str, Case | None, str | None]],
                status: str = "filed", broken: list[tuple[str, str]] | None = None, **kw: Any) -> Message:
        self.n += 1
        msg = Message(
            raw_sha256=hashlib.sha256(f"raw-{self.n}".encode()).hexdigest(), size=1000,
            message_id=kw.pop("message_id", f"<msg-{self.n}@example.cn>"), source="imap",
            from_address=kw.pop("from_address", ZRJ), from_display="自然资源局法制科", agency_id=self.agency.id,
            sender_status=kw.pop("sender_status", "registered"), status=status, state="done", subject=subject,
            received_at=received, **kw,
        )
        att = Attachment(seq=1, filename="应诉材料.pdf", content_type="application/pdf",
                         sha256=hashlib.sha256(f"att-{self.n}".encode()).hexdigest(), size=500)
        page = 1
        for doc_type, case, doc_date in docs:
            att.documents.append(Document(
                first_page=page, last_page=page + 1, doc_type=doc_type, type_confidence=0.95,
                title={"complaint": "行政起诉状", "judgment": "行政判决书"}.get(doc_type),
                case_number=case.case_number if case else None,
                fields={"doc_date": doc_date} if doc_date else {}, case=case,
                match_status="auto" if case else "none",
            ))
            page += 2
        msg.attachments.append(att)
        for i, (name, code) in enumerate(broken or [], start=2):
            msg.attachments.append(Attachment(seq=i, filename=name, content_type="application/pdf",
                                              sha256=hashlib.sha256(f"bad-{self.n}-{i}".encode()).hexdigest(),
                                              size=0, status="error", error_code=code))
        self.s.add(msg)
        self.s.flush()
        return msg


def test_receipt_reply_with_documents_missing_late_and_resend_request(
    factory: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    with factory() as s:
        w = World(s)
        case = w.case("（2026）鲁0481行初22号", notice_date=date(2026, 3, 6))
        msg = w.message(
            cst(2026, 3, 20), "（2026）鲁0481行初22号 应诉材料",
            [("complaint", case, "2026-01-18"), ("notice_to_respond", case, "2026-03-06")],
            broken=[("送达回证.pdf", "encrypted_pdf")], message_id="<20260320.4471@qq.com>",
            references=["<earlier@qq.com>"],
        )
        row = queue_receipt(s, msg.id, SETTINGS)
        assert row is not None
        again = queue_receipt(s, msg.id, SETTINGS)
        assert again is not None and again.id == row.id
        s.commit()
    report = send_pending(factory, smtp_settings(smtp_sink))
    assert report.sent == 1
    (got,) = smtp_sink.messages
    m = got.message
    assert got.rcpt_tos == [ZRJ]
    digest = hashlib.sha1(b"20260320.4471@qq.com").hexdigest()[:16]
    assert m["Message-ID"] == f"<receipt-{digest}@filing.tzsfj.local>"
    assert m["In-Reply-To"] == "<20260320.4471@qq.com>"
    assert m["References"] == "<earlier@qq.com> <20260320.4471@qq.com>"
    assert m["Subject"] == "Re: （2026）鲁0481行初22号 应诉材料"
    body = m.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("滕州市自然资源局：")
    assert "2026年3月20日" in text
    assert "起诉状（行政起诉状），案号：（2026）鲁0481行初22号，第1—2页" in text
    assert "应诉通知书，案号：（2026）鲁0481行初22号，第3—4页" in text
    # Notice dated Fri 03-06 → due Fri 03-13; received Fri 03-20 = 10th working day.
    assert "至2026年3月13日届满" in text and "第10个工作日" in text
    assert "本次有2份文书超过规定期限报送" in text
    # Complaint and notice received: nothing else due yet on 03-20 (defense due 03-27).
    assert "按规定应当报送的材料均已收到" in text
    assert "送达回证.pdf" in text and "文件已加密" in text
    assert "请直接回复本邮件" in text
    html = m.get_body(("html",))
    assert html is not None and "（2026）鲁0481行初22号" in html.get_content()


def test_no_receipt_for_quarantined_or_duplicate(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        w = World(s)
        case = w.case("（2026）鲁0481行初23号")
        q = w.message(cst(2026, 3, 20), "材料", [("complaint", case, None)], status="quarantined",
                      sender_status="unregistered", from_address="stranger@example.com")
        d = w.message(cst(2026, 3, 20), "材料", [("complaint", case, None)], status="duplicate")
        assert queue_receipt(s, q.id, SETTINGS) is None
        assert queue_receipt(s, d.id, SETTINGS) is None
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def _kinds(factory: sessionmaker[Session]) -> list[tuple[str, str, date | None]]:
    with factory() as s:
        return [(r.kind, r.case_numbers[0], r.due_date) for r in s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind.like("reminder%")).order_by(OutboxMessage.id))]


def test_each_reminder_kind_once_and_delivered(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    with factory() as s:
        w = World(s)
        c1 = w.case("（2026）鲁0481行初22号", notice_date=date(2026, 3, 6))
        w.message(cst(2026, 3, 10), "材料", [("complaint", c1, None), ("notice_to_respond", c1, "2026-03-06")])
        c2 = w.case("（2026）鲁0481行初36号", notice_date=date(2026, 3, 2), hearing_at=datetime(2026, 4, 17, 14, 30),
                    hearing_place="本院第三审判庭")
        w.message(cst(2026, 3, 4), "材料", [("complaint", c2, None), ("notice_to_respond", c2, "2026-03-02")])
        w.message(cst(2026, 3, 12), "答辩状", [("defense", c2, "2026-03-11")])
        w.message(cst(2026, 4, 8), "传票", [("summons", c2, "2026-04-07")])
        c3 = w.case("（2026）鲁0481行初40号", notice_date=date(2026, 3, 13), outcome="agency_lost",
                    decision_type="judgment", decision_date=date(2026, 5, 18))
        w.message(cst(2026, 5, 20), "判决书", [("judgment", c3, "2026-05-18")])
        s.commit()

    def sweep(as_of: date) -> dict[str, int]:
        with factory() as s:
            rep = sweep_reminders(s, as_of, SETTINGS)
            s.commit()
            return dict(rep.queued)

    # 03-20: c1's defense is due Mon 03-23 (03-21 is a Saturday) → deadline reminder.
    assert sweep(date(2026, 3, 20)) == {"reminder_defense_due": 1}
    assert sweep(date(2026, 3, 20)) == {}  # re-run: nothing new
    # 03-27: notice 03-06 + 15 days + 5 working days passed without a defense → missing reminder.
    assert sweep(date(2026, 3, 27)) == {"reminder_missing": 1}
    # 04-15: two working days before c2's hearing (04-17) → 有庭必出 reminder; again on 04-16: no repeat.
    assert sweep(date(2026, 4, 15)) == {"reminder_hearing": 1}
    assert sweep(date(2026, 4, 16)) == {}
    # 05-20: c3 judgment (agency lost) dated 05-18: appeal window to 06-02; the judgment without
    # complaint, notice, summons, appearance record also makes those missing.
    q = sweep(date(2026, 5, 20))
    assert q["reminder_appeal_window"] == 1
    # One email for c3's four documents (all inferred from the judgment received 05-20), one for
    # c2's appearance record (hearing 04-17 + 5 working days = 04-24).
    assert q["reminder_missing"] == 2
    assert sweep(date(2026, 5, 21)) == {}
    kinds = _kinds(factory)
    assert len(kinds) == len(set(kinds))
    assert ("reminder_hearing", "（2026）鲁0481行初36号", date(2026, 4, 17)) in kinds
    assert ("reminder_appeal_window", "（2026）鲁0481行初40号", date(2026, 6, 2)) in kinds
    assert ("reminder_defense_due", "（2026）鲁0481行初22号", date(2026, 3, 23)) in kinds
    assert ("reminder_missing", "（2026）鲁0481行初36号", date(2026, 4, 24)) in kinds
    assert ("reminder_missing", "（2026）鲁0481行初40号", date(2026, 5, 20)) in kinds
    with factory() as s:
        planned = {p.key: p for p in planned_reminders(s, date(2026, 5, 20), SETTINGS)}
    c3_number = "（2026）鲁0481行初40号"
    c3_missing = next(p for p in planned.values() if p.kind == "reminder_missing" and p.case_number == c3_number)
    assert c3_missing.doc_types == ("complaint", "notice_to_respond", "summons", "appearance_record")

    report = send_pending(factory, smtp_settings(smtp_sink))
    assert report.sent == len(kinds)
    assert send_pending(factory, smtp_settings(smtp_sink), now=datetime.now(UTC) + timedelta(days=1)).sent == 0
    assert len(smtp_sink.messages) == len(kinds)
    by_subject = {r.message["Subject"]: r.message for r in smtp_sink.messages}
    hearing = next(m for subj, m in by_subject.items() if subj.startswith("【有庭必出】"))
    body = hearing.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "2026年4月17日（星期五）14:30" in text and "本院第三审判庭" in text and "有庭必出" in text
    defense = next(m for subj, m in by_subject.items() if subj.startswith("【期限提醒】"))
    body = defense.get_body(("plain",))
    assert body is not None and "2026年3月23日" in body.get_content() and "第六十七条" in body.get_content()
    appeal = next(m for subj, m in by_subject.items() if subj.startswith("【上诉期提醒】"))
    body = appeal.get_body(("plain",))
    assert body is not None and "2026年6月2日" in body.get_content() and "贵单位败诉" in body.get_content()
    grouped_subject = "（2026）鲁0481行初40号案件起诉状、应诉通知书等4份材料尚未报送"
    grouped = next(m for subj, m in by_subject.items() if grouped_subject in subj)
    body = grouped.get_body(("plain",))
    assert body is not None
    assert "起诉状、应诉通知书、传票、行政机关负责人出庭应诉情况材料尚未报送至我局" in body.get_content()
    assert "截至2026年5月20日，我局已收到该案的判决书，但未收到起诉状、应诉通知书、传票" in body.get_content()
    missing_defense = next(m for subj, m in by_subject.items() if "（2026）鲁0481行初22号案件答辩状尚未报送" in subj)
    body = missing_defense.get_body(("plain",))
    assert body is not None and "2026年3月6日" in body.get_content() and "2026年3月27日" in body.get_content()
    for m in by_subject.values():
        assert m["To"].addresses[0].addr_spec == ZRJ
        assert m["Message-ID"].endswith("@filing.tzsfj.local>")


def test_case_missing_list_for_export(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        w = World(s)
        c = w.case("（2026）鲁0481行初22号", notice_date=date(2026, 3, 6))
        w.message(cst(2026, 3, 10), "材料", [("notice_to_respond", c, "2026-03-06")])
        snap = load_case_snapshot(s, c, SETTINGS)
        cal = SETTINGS.work_calendar()
        assert compute_missing(snap, date(2026, 3, 26), cal, SETTINGS.rules) == ["complaint"]
        assert compute_missing(snap, date(2026, 3, 27), cal, SETTINGS.rules) == ["complaint", "defense"]


def test_quarantine_digest_to_staff_once(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    with factory() as s:
        w = World(s)
        case = w.case("（2026）鲁0481行初23号")
        w.message(cst(2026, 3, 20, 9, 12), "行政应诉材料", [("complaint", case, None)], status="quarantined",
                  sender_status="unregistered", from_address="stranger@example.com")
        w.message(cst(2026, 3, 21, 9, 0), "另一天", [], status="quarantined", sender_status="spoofed")
        assert queue_quarantine_digest(s, date(2026, 3, 19), SETTINGS) == []  # nothing yet
        rows = queue_quarantine_digest(s, date(2026, 3, 20), SETTINGS)
        assert len(rows) == 1
        assert queue_quarantine_digest(s, date(2026, 3, 20), SETTINGS)[0].id == rows[0].id
        s.commit()
    assert send_pending(factory, smtp_settings(smtp_sink)).sent == 1
    (got,) = smtp_sink.messages
    assert got.rcpt_tos == ["fzk@tzsfj.example.cn"]
    body = got.message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "stranger@example.com" in text and "2026-03-20 09:12" in text and "未在备案单位名录中登记" in text
    assert "另一天" not in text
    # The next day's digest still lists the unresolved one, plus the new one.
    with factory() as s:
        (row,) = queue_quarantine_digest(s, date(2026, 3, 21), SETTINGS)
        assert "stranger@example.com" in row.body_text and "另一天" in row.body_text
        assert "冒用" in row.body_text


def test_a_document_waiting_in_review_too_long_alerts_staff_in_the_digest(
    factory: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    with factory() as s:
        w = World(s)
        case = w.case("（2026）鲁0481行初24号")
        msg = w.message(cst(2026, 3, 10), "答辩状报备", [("defense", None, None)])  # Tuesday; not matched
        (doc,) = msg.attachments[0].documents
        doc.match_status = "review"
        w.message(cst(2026, 3, 12), "已归档", [("complaint", case, None)])
        s.flush()
        # Two working days later it is still fresh; on the third the digest names it (default: 3).
        assert queue_quarantine_digest(s, date(2026, 3, 12), SETTINGS) == []
        (row,) = queue_quarantine_digest(s, date(2026, 3, 13), SETTINGS)
        assert "超期待审核文书1件" in row.subject
        s.commit()
    assert send_pending(factory, smtp_settings(smtp_sink)).sent == 1
    body = smtp_sink.messages[0].message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "2026年3月10日收到（已3个工作日）" in text and "滕州市自然资源局" in text and "答辩状" in text, text
    assert "不就其类型向报送单位催报" in text
    # 0 turns the alert off.
    from dataclasses import replace

    with factory() as s:
        assert queue_quarantine_digest(s, date(2026, 3, 16), replace(SETTINGS, review_alert_after_workdays=0)) == []


def test_an_unanswered_missing_reminder_escalates_on_working_days(
    factory: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    from dataclasses import replace

    settings = replace(SETTINGS, escalate_after_workdays=3)
    with factory() as s:
        w = World(s)
        silent = w.case("（2026）鲁0481行初22号", notice_date=date(2026, 3, 6))
        w.message(cst(2026, 3, 10), "材料", [("complaint", silent, None), ("notice_to_respond", silent, "2026-03-06")])
        answered = w.case("（2026）鲁0481行初23号", notice_date=date(2026, 3, 6))
        w.message(cst(2026, 3, 10), "材料", [("complaint", answered, None),
                                            ("notice_to_respond", answered, "2026-03-06")])
        s.commit()

    def sweep(as_of: date) -> dict[str, int]:
        with factory() as s:
            rep = sweep_reminders(s, as_of, settings)
            s.commit()
            return dict(rep.queued)

    # Fri 03-27: both defenses are missing (notice 03-06 + 15 days + 5 working days).
    assert sweep(date(2026, 3, 27)) == {"reminder_missing": 2}
    with factory() as s:  # the agency answers the reminder of case 23 (the defense comes later, say)
        first = s.scalar(select(OutboxMessage).where(
            OutboxMessage.idempotency_key.like(f"reminder_missing:{answered.id}:%")))
        assert first is not None
        # A reply carries In-Reply-To: our reminder's Message-ID.
        s.add(Message(raw_sha256="r" * 64, size=10, message_id="<reply@example.cn>", source="imap",
                      from_address=ZRJ, status="filed", state="done", subject="回复：材料催报",
                      received_at=cst(2026, 3, 30), in_reply_to=first.header_message_id))
        s.commit()
    # Three working days later (Mon 03-30, Tue 03-31, Wed 04-01): the unanswered one is reminded again.
    assert sweep(date(2026, 3, 31)) == {}
    assert sweep(date(2026, 4, 1)) == {"reminder_missing_again": 1}
    # Three more working days: Thu 04-02, Fri 04-03, then 清明 (04-04 to 04-06) → Tue 04-07 staff hear of it.
    assert sweep(date(2026, 4, 3)) == {}
    assert sweep(date(2026, 4, 6)) == {}
    assert sweep(date(2026, 4, 7)) == {"escalation_staff": 1}
    assert sweep(date(2026, 4, 8)) == {}
    with factory() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        again = next(r for r in rows if r.kind == "reminder_missing_again")
        staff = next(r for r in rows if r.kind == "escalation_staff")
        assert again.to_addr == ZRJ and again.subject.startswith("【再次催报】") and "行初22号" in again.subject
        assert "此前已就此事发送催报提醒" in again.body_text
        assert staff.to_addr == "fzk@tzsfj.example.cn" and staff.subject.startswith("【催报未果】")
        assert "滕州市自然资源局" in staff.body_text and "两次发送催报提醒" in staff.body_text
        assert all("行初23号" not in r.subject for r in rows if r.kind != "reminder_missing")
    report = send_pending(factory, smtp_settings(smtp_sink))
    assert report.sent == 4 and {m.message["To"] for m in smtp_sink.messages} == {ZRJ, "fzk@tzsfj.example.cn"}


def test_a_sweep_catching_up_sends_one_escalation_step_per_day(factory: sessionmaker[Session]) -> None:
    from dataclasses import replace

    settings = replace(SETTINGS, escalate_after_workdays=3)
    with factory() as s:
        w = World(s)
        c = w.case("（2026）鲁0481行初22号", notice_date=date(2026, 3, 6))
        w.message(cst(2026, 3, 10), "材料", [("complaint", c, None), ("notice_to_respond", c, "2026-03-06")])
        s.commit()
    with factory() as s:  # the service was down for weeks: first sweep long after everything was due
        assert dict(sweep_reminders(s, date(2026, 4, 20), settings).queued) == {"reminder_missing": 1}
        s.commit()
    with factory() as s:
        assert dict(sweep_reminders(s, date(2026, 4, 21), settings).queued) == {"reminder_missing_again": 1}
        s.commit()
    with factory() as s:
        assert dict(sweep_reminders(s, date(2026, 4, 22), settings).queued) == {"escalation_staff": 1}


def test_digest_counts_overdue_followups_and_hearings_without_a_head(
    factory: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    from dataclasses import replace

    from store.models import AppearancePlan, Compliance, Rectification

    settings = replace(SETTINGS, web_url="https://filing.example.cn")
    day = date(2026, 3, 16)  # Monday; 3 working days ahead: through Thursday 19th
    with factory() as s:
        w = World(s)
        cases = [w.case(f"（2026）鲁0481行初{n}号") for n in range(30, 41)]
        s.add_all([
            Rectification(case_id=cases[0].id, requirement="完善程序", due_date=date(2026, 3, 13), status="open"),
            # The report arrived: staff owe the next step, the agency is not overdue.
            Rectification(case_id=cases[1].id, requirement="完善程序", due_date=date(2026, 3, 13), status="received"),
            Rectification(case_id=cases[2].id, requirement="完善程序", due_date=day, status="open"),  # due today
            Rectification(case_id=cases[3].id, requirement="完善程序", due_date=date(2026, 3, 2), status="done"),
            Compliance(case_id=cases[4].id, effective_on=date(2026, 2, 1), order_text="重新作出", status="open",
                       due_date=date(2026, 3, 15)),
            Compliance(case_id=cases[5].id, effective_on=date(2026, 2, 1), order_text="重新作出", status="done",
                       due_date=date(2026, 3, 1)),
            Compliance(case_id=cases[3].id, effective_on=date(2026, 2, 1), order_text="", status="open",
                       due_date=None),  # no due date read: nothing to be overdue
        ])
        cases[6].hearing_at = datetime(2026, 3, 17, 9, 0)  # nobody reported
        cases[7].hearing_at = datetime(2026, 3, 18, 9, 0)  # a principal planned
        cases[8].hearing_at = datetime(2026, 3, 19, 14, 30)  # a staff member planned
        cases[9].hearing_at = datetime(2026, 3, 20, 9, 0)  # beyond the window
        cases[10].hearing_at = datetime(2026, 3, 13, 9, 0)  # already held
        s.flush()
        s.add_all([
            AppearancePlan(case_id=cases[7].id, hearing_at=cases[7].hearing_at, name="王局长", title="局长",
                           role="principal", source="reply", evidence=[]),
            AppearancePlan(case_id=cases[8].id, hearing_at=cases[8].hearing_at, name="李四", title="科员",
                           role="staff", source="reply", evidence=[]),
            # A plan made for an earlier hearing time does not cover the rescheduled one.
            AppearancePlan(case_id=cases[6].id, hearing_at=datetime(2026, 3, 10, 9, 0), name="王局长",
                           title="局长", role="principal", source="reply", evidence=[]),
        ])
        s.flush()
        (row,) = queue_quarantine_digest(s, day, settings)
        assert "逾期未整改案件1件" in row.subject and "逾期未履行裁判1件" in row.subject, row.subject
        assert "近期开庭未报负责人出庭2件" in row.subject, row.subject
        text = row.body_text
        assert "另有1件败诉案件已过整改期限" in text and "另有1件生效裁判已过履行期限" in text
        assert "https://filing.example.cn/followup" in text and "https://filing.example.cn/watch" in text
        assert "2026-03-17 09:00" in text and "（2026）鲁0481行初36号" in text and "单位尚未报告出庭负责人" in text
        assert "（2026）鲁0481行初38号" in text and "李四为工作人员，不是负责人" in text
        for absent in ("行初37号", "行初39号", "行初40号"):
            assert absent not in text
        assert 'href="https://filing.example.cn/watch"' in row.body_html
        # On the due day nothing is overdue yet; with the hearing alert off nothing waits: no digest.
        assert queue_quarantine_digest(s, date(2026, 3, 13), replace(settings, head_plan_alert_workdays=0)) == []
        s.commit()
    assert send_pending(factory, smtp_settings(smtp_sink)).sent == 1
