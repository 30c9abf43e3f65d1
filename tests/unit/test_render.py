"""Templates render every view strictly; HTML is escaped; MIME headers are safe and correctly encoded."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError

from notify.render import (
    EmailRenderer,
    OutgoingEmail,
    build_message,
    clean_header,
    message_bytes,
    receipt_message_id,
    reply_subject,
)
from notify.views import (
    AppealWindowView,
    CaseStatus,
    DefenseDueView,
    HearingView,
    LateNote,
    Letterhead,
    MissingReminderView,
    OutboxProblem,
    QuarantineDigestView,
    QuarantineItem,
    ReceiptAttachment,
    ReceiptDocument,
    ReceiptView,
    cn_date,
    cn_datetime,
)

LH = Letterhead(bureau_name="滕州市司法局", signature="滕州市司法局\n行政应诉案件备案邮箱")


def receipt_view(**kw: object) -> ReceiptView:
    base: dict[str, object] = dict(
        letterhead=LH,
        agency_name="滕州市自然资源局",
        received_on="2026年10月22日",
        original_subject="（2026）鲁04行初20号应诉材料<script>alert(1)</script>",
        attachments=(
            ReceiptAttachment(
                filename="起诉状及应诉通知书.pdf",
                documents=(
                    ReceiptDocument("起诉状", "行政起诉状", "（2026）鲁04行初20号", "第1—3页",
                                    LateNote("2026年10月12日", "2026年10月19日", "2026年10月22日", 8,
                                             "应诉通知书落款日期")),
                    ReceiptDocument("应诉通知书", "应诉通知书", "（2026）鲁04行初20号", "第4页"),
                ),
            ),
            ReceiptAttachment(filename="送达回证.pdf", documents=(), problem="文件为空"),
        ),
        cases=(CaseStatus("（2026）鲁04行初20号", ("起诉状", "应诉通知书"), ("答辩状",)),),
        late_count=1,
        unmatched_count=0,
        unreadable_count=1,
        as_of="2026年10月22日",
        late_after_workdays=5,
    )
    base.update(kw)
    return ReceiptView(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def renderer() -> EmailRenderer:
    return EmailRenderer()


def test_receipt_renders_everything_the_agency_needs(renderer: EmailRenderer) -> None:
    out = renderer.render("receipt", "Re: 应诉材料", receipt_view())
    for needle in ("滕州市自然资源局：", "起诉状", "（2026）鲁04行初20号", "第8个工作日", "尚缺：答辩状",
                   "文件为空", "请直接回复本邮件", "滕州市司法局\n行政应诉案件备案邮箱", "5个工作日内"):
        assert needle in out.text, needle
    assert "尚缺：答辩状" in out.html
    # Agency-controlled text is escaped in HTML, left as is in plain text.
    assert "<script>" not in out.html
    assert "&lt;script&gt;" in out.html
    assert "<script>alert(1)</script>" in out.text


def test_receipt_without_late_documents_numbers_sections_consecutively(renderer: EmailRenderer) -> None:
    out = renderer.render("receipt", "Re: x", receipt_view(late_count=0))
    assert "三、登记有误的更正方式" in out.text
    assert "逾期报送提示" not in out.text


def test_strict_undefined_refuses_an_incomplete_view(renderer: EmailRenderer) -> None:
    class Broken:  # a view missing most attributes
        letterhead = LH
        agency_name = "滕州市自然资源局"

    with pytest.raises(UndefinedError):
        renderer.render("reminder_missing", "x", Broken())


@pytest.mark.parametrize(
    ("name", "view", "needles"),
    [
        ("reminder_missing",
         MissingReminderView(LH, "滕州市住房和城乡建设局", "（2026）鲁0481行初22号", ("答辩状", "传票"),
                             "2026年3月27日",
                             "该案应诉通知书落款日期为2026年3月6日，答辩状应于2026年3月27日前报送。",
                             ("起诉状", "应诉通知书"), "2026年4月1日"),
         ("答辩状、传票尚未报送", "2026年3月27日", "起诉状、应诉通知书")),
        ("reminder_defense_due",
         DefenseDueView(LH, "滕州市住房和城乡建设局", "（2026）鲁0481行初22号", "山东省滕州市人民法院",
                        "2026年3月6日", "2026年3月23日", 3, "2026年3月20日"),
         ("第六十七条", "2026年3月23日", "距今3日")),
        ("reminder_appeal_window",
         AppealWindowView(LH, "滕州市市场监督管理局", "（2026）鲁0481行初40号", "山东省滕州市人民法院", "判决书",
                          "2026年5月18日", 15, "2026年6月2日", "上一级人民法院", "判决撤销被诉行政行为",
                          "2026年5月25日"),
         ("第八十五条", "上诉期为15日", "2026年6月2日")),
        ("reminder_hearing",
         HearingView(LH, "滕州市人民政府", "（2026）鲁04行初20号", "山东省枣庄市中级人民法院",
                     cn_datetime(datetime(2026, 11, 23, 9, 30)), "第三审判庭", 2, "2026年11月21日"),
         ("有庭必出", "2026年11月23日（星期一）09:30", "第三审判庭", "负责人")),
        ("quarantine_digest",
         QuarantineDigestView(LH, "2026年3月20日",
                              (QuarantineItem("09:12", "x@example.com", "滕州市自然资源局", "材料", "发件人未登记"),),
                              (OutboxProblem("receipt", "a@b.cn", "Re: 材料", "发送结果不明", "timeout after DATA"),)),
         ("共有1封来信待核查", "发件人未登记", "发送结果不明", "不会自动重发")),
    ],
)
def test_each_kind_renders(renderer: EmailRenderer, name: str, view: object, needles: tuple[str, ...]) -> None:
    out = renderer.render(name, "主题", view)
    for needle in needles:
        assert needle in out.text, needle
        assert needle in out.html.replace("<strong>", "").replace("</strong>", ""), needle
    assert out.html.lstrip().startswith("<!DOCTYPE html>")


def test_chinese_dates() -> None:
    assert cn_date(date(2026, 3, 5)) == "2026年3月5日"
    assert cn_datetime(datetime(2026, 10, 10, 14, 30)) == "2026年10月10日（星期六）14:30"


def test_clean_header_and_reply_subject() -> None:
    assert clean_header("a\r\nBcc: victim@example.com") == "a Bcc: victim@example.com"
    assert reply_subject("回复：Re: 应诉材料", "材料") == "Re: 应诉材料"
    assert reply_subject("  ", "行政应诉材料") == "Re: 行政应诉材料"


def test_receipt_message_id_rule() -> None:
    # The sample corpus rule: sha1 of the Message-ID without angle brackets.
    import hashlib

    mid = "<20260322091512.4471@zz.shandong.cn>"
    digest = hashlib.sha1(b"20260322091512.4471@zz.shandong.cn").hexdigest()[:16]
    assert receipt_message_id(mid, "filing.tzsfj.local") == f"<receipt-{digest}@filing.tzsfj.local>"
    assert receipt_message_id(mid.strip("<>"), "x.local") == f"<receipt-{digest}@x.local>"


def test_mime_message_is_safe_and_decodes_back() -> None:
    subject = "Re: （2026）鲁0481行初37号 行政应诉材料\r\nBcc: evil@example.com"
    mail = OutgoingEmail(
        from_addr="tzsfjyingsu@zz.shandong.cn", from_name="滕州市司法局", to_addr="176823509@qq.com",
        subject=subject, message_id="<receipt-0123456789abcdef@filing.tzsfj.local>",
        text="滕州市自然资源局：\n\n材料已收悉。\n", html="<p>材料已收悉。</p>",
        in_reply_to="<orig@qq.com>", references=("<first@qq.com>", "<orig@qq.com>"),
        date=datetime(2026, 3, 22, 1, 0, tzinfo=UTC),
    )
    raw = message_bytes(build_message(mail))
    head, _, _body = raw.partition(b"\r\n\r\n")
    head.decode("ascii")  # every header is 7-bit: Chinese is RFC 2047-encoded
    assert b"\nBcc:" not in head and b"\r\nBcc" not in head
    assert b"=?utf-8?" in head
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Re: （2026）鲁0481行初37号 行政应诉材料 Bcc: evil@example.com"
    assert parsed["From"].addresses[0].display_name == "滕州市司法局"
    assert parsed["Message-ID"] == "<receipt-0123456789abcdef@filing.tzsfj.local>"
    assert parsed["In-Reply-To"] == "<orig@qq.com>"
    assert parsed["References"] == "<first@qq.com> <orig@qq.com>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == "滕州市自然资源局：\n\n材料已收悉。\n"
    assert "材料已收悉" in html.get_content()
    assert plain["Content-Transfer-Encoding"] == "base64"


def test_templates_dir_exists_next_to_package() -> None:
    from notify.render import DEFAULT_TEMPLATES

    assert (DEFAULT_TEMPLATES / "receipt.txt.j2").is_file()
    assert isinstance(DEFAULT_TEMPLATES, Path)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_subject_becomes_one_safe_header(subject: str) -> None:
    cleaned = clean_header(subject)
    assert "\r" not in cleaned and "\n" not in cleaned
    mail = OutgoingEmail(from_addr="a@b.cn", from_name="滕州市司法局", to_addr="c@d.cn", subject=subject,
                         message_id="<x@filing.tzsfj.local>", text="正文")
    raw = message_bytes(build_message(mail))
    head = raw.partition(b"\r\n\r\n")[0]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    # RFC 2047: whitespace between two adjacent encoded-words is not part of the text, so a space the folder
    # puts at such a boundary can be lost on decoding; everything else must come back unchanged.
    assert str(parsed["Subject"] or "").replace(" ", "") == cleaned.replace(" ", "")
    assert head.count(b"\r\nSubject:") + head.startswith(b"Subject:") == 1


def test_receipt_when_nothing_could_be_read(renderer: EmailRenderer) -> None:
    view = receipt_view(
        attachments=(ReceiptAttachment("应诉通知书.pdf", (), "文件已损坏"),), cases=(), late_count=0, unmatched_count=0,
    )
    out = renderer.render("receipt", "Re: x", view)
    assert "本次未能从附件中登记到任何文书，请按上述提示重新发送。" in out.text
    assert "本次未能从附件中登记到任何文书" in out.html
    assert "暂未能对应到具体案件" not in out.text
