"""parse_message on hand-built messages shaped like what Chinese mail clients send."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import timedelta

import pytest
from PIL import Image

from ingest.parse import parse_message

CRLF = b"\r\n"
# Not in GB2312, only in GBK/GB18030: a gb2312 decoder loses them.
GBK_ONLY = "堃镕"


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def message(
    headers: Sequence[bytes | str],
    parts: Sequence[bytes] | None = None,
    body: bytes = b"hello",
    boundary: bytes = b"BOUNDARY",
) -> bytes:
    head = [h.encode() if isinstance(h, str) else h for h in headers]
    if parts is None:
        return CRLF.join([*head, b"Content-Type: text/plain; charset=utf-8", b"", body, b""])
    out = [*head, b"MIME-Version: 1.0", b'Content-Type: multipart/mixed; boundary="' + boundary + b'"', b""]
    for part in parts:
        out += [b"--" + boundary, part]
    out += [b"--" + boundary + b"--", b""]
    return CRLF.join(out)


def attachment(disposition: bytes, data: bytes, ctype: bytes = b"application/pdf") -> bytes:
    return (
        CRLF.join(
            [
                b"Content-Type: " + ctype,
                b"Content-Transfer-Encoding: base64",
                b"Content-Disposition: " + disposition,
                b"",
            ]
        )
        + CRLF
        + b64(data)
    )


def text_part(text: str, charset: str, subtype: str = "plain", cte: str = "base64") -> bytes:
    raw = text.encode(charset)
    body = b64(raw) if cte == "base64" else raw
    return (
        CRLF.join(
            [
                f"Content-Type: text/{subtype}; charset={charset}".encode(),
                f"Content-Transfer-Encoding: {cte}".encode(),
                b"",
            ]
        )
        + CRLF
        + body
    )


BASE = [
    "From: a@example.org",
    "To: b@example.org",
    "Date: Thu, 05 Feb 2026 14:52:19 +0800",
    "Message-ID: <m1@example.org>",
]
PDF = b"%PDF-1.4\n%test\n"


def test_rfc2231_filename_utf8_and_continuations() -> None:
    raw = message(
        BASE,
        [
            attachment(b"attachment; filename*=UTF-8''%E8%A1%8C%E6%94%BF%E8%B5%B7%E8%AF%89%E7%8A%B6.pdf", PDF),
            attachment(b"attachment; filename*0*=utf-8''%E7%AD%94%E8%BE%A9; filename*1*=%E7%8A%B6.pdf", PDF),
        ],
    )
    sub = parse_message(raw)
    assert [p.filename for p in sub.parts] == ["行政起诉状.pdf", "答辩状.pdf"]
    assert all(p.data == PDF for p in sub.parts)


def test_rfc2231_name_wins_over_plain_fallback() -> None:
    for disposition in (
        b"attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E8%A1%8C%E6%94%BF.pdf",
        b"attachment; filename*=UTF-8''%E8%A1%8C%E6%94%BF.pdf; filename=\"fallback.pdf\"",
    ):
        assert [p.filename for p in parse_message(message(BASE, [attachment(disposition, PDF)])).parts] == ["行政.pdf"]


def test_rfc2231_gb2312_label_with_gbk_only_characters() -> None:
    name = f"{GBK_ONLY}诉市政府.pdf"
    encoded = "".join(f"%{b:02X}" for b in name.encode("gbk")).encode()
    sub = parse_message(message(BASE, [attachment(b"attachment; filename*=gb2312''" + encoded, PDF)]))
    assert [p.filename for p in sub.parts] == [name]


def test_raw_8bit_gbk_filename_is_recovered() -> None:
    name = f"（2026）鲁0402行初33号应诉通知书{GBK_ONLY}.pdf"
    disposition = b'attachment; filename="' + name.encode("gbk") + b'"'
    part = CRLF.join(
        [b'Content-Type: application/pdf; name="' + name.encode("gbk") + b'"', b"Content-Transfer-Encoding: base64"]
    )
    raw = message(BASE, [part + CRLF + b"Content-Disposition: " + disposition + CRLF + CRLF + b64(PDF)])
    sub = parse_message(raw)
    assert [p.filename for p in sub.parts] == [name]
    assert "\ufffd" not in sub.parts[0].filename


def test_raw_8bit_utf8_filename() -> None:
    name = "行政裁定书.pdf"
    raw = message(BASE, [attachment(b'attachment; filename="' + name.encode("utf-8") + b'"', PDF)])
    assert [p.filename for p in parse_message(raw).parts] == [name]


def test_rfc2047_subject_and_filename_with_gb2312_label() -> None:
    subject = f"行政应诉案件报备（{GBK_ONLY}）"
    encoded_subject = "=?gb2312?B?" + base64.b64encode(subject.encode("gbk")).decode() + "?="
    fname = "=?gb2312?B?" + base64.b64encode(f"{GBK_ONLY}.pdf".encode("gbk")).decode() + "?="
    raw = message([*BASE, f"Subject: {encoded_subject}"], [attachment(f'attachment; filename="{fname}"'.encode(), PDF)])
    sub = parse_message(raw)
    assert sub.subject == subject
    assert sub.parts[0].filename == f"{GBK_ONLY}.pdf"


def test_multibyte_character_split_across_encoded_words() -> None:
    data = "滕州市司法局".encode()
    first, second = base64.b64encode(data[:4]).decode(), base64.b64encode(data[4:]).decode()
    sub = parse_message(message([*BASE, f"Subject: =?utf-8?B?{first}?= =?utf-8?B?{second}?="]))
    assert sub.subject == "滕州市司法局"


def test_gb2312_quoted_printable_body_and_html_only_body() -> None:
    text = f"请查收{GBK_ONLY}的材料"
    import quopri

    qp = quopri.encodestring(text.encode("gbk"))
    part = b"Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp
    assert parse_message(message(BASE, [part])).body_text == text

    html = "<html><head><style>p{color:red}</style></head><body><p>附件是<b>答辩状</b></p><p>谢谢</p></body></html>"
    sub = parse_message(message(BASE, [text_part(html, "gb18030", "html")]))
    assert sub.body_text == "附件是答辩状\n\n谢谢" or sub.body_text.split() == ["附件是答辩状", "谢谢"]
    assert "color" not in sub.body_text


def test_plain_preferred_over_html_alternative() -> None:
    alt = CRLF.join(
        [
            b'Content-Type: multipart/alternative; boundary="ALT"',
            b"",
            b"--ALT",
            text_part("纯文本正文", "utf-8"),
            b"--ALT",
            text_part("<p>网页正文</p>", "utf-8", "html"),
            b"--ALT--",
        ]
    )
    sub = parse_message(message(BASE, [alt, attachment(b'attachment; filename="a.pdf"', PDF)]))
    assert sub.body_text == "纯文本正文"
    assert [p.filename for p in sub.parts] == ["a.pdf"]


def test_headers_date_ids_and_authentication_results_order() -> None:
    raw = message(
        [
            "Authentication-Results: mx.bureau.example; dkim=pass header.d=example.org",
            "Authentication-Results: other.example; spf=fail",
            *BASE[:2],
            "Date: Thu, 05 Feb 2026 14:52:19 +0800",
            "Message-ID: <abc@example.org>",
            "In-Reply-To: <receipt-1@filing.local>",
            "References: <x@y>\r\n <receipt-1@filing.local>",
        ]
    )
    sub = parse_message(raw)
    assert sub.message_id == "<abc@example.org>"
    assert sub.in_reply_to == "<receipt-1@filing.local>"
    assert sub.references == ("<x@y>", "<receipt-1@filing.local>")
    assert sub.date is not None and sub.date.utcoffset() == timedelta(hours=8)
    assert (sub.date.year, sub.date.hour) == (2026, 14)
    assert sub.authentication_results[0].startswith("mx.bureau.example;")
    assert sub.authentication_results[1].startswith("other.example;")


def test_iso_date_is_read_with_a_defect() -> None:
    sub = parse_message(message(["From: a@example.org", "Date: 2026-02-05 14:52:19"]))
    assert sub.date is not None and (sub.date.month, sub.date.day, sub.date.hour) == (2, 5, 14)
    assert sub.date.tzinfo is not None
    assert any("RFC 5322" in d for d in sub.defects)


def test_date_without_zone_is_aware_and_bad_date_is_a_defect() -> None:
    sub = parse_message(message(["From: a@example.org", "Date: Thu, 05 Feb 2026 14:52:19 -0000"]))
    assert sub.date is not None and sub.date.tzinfo is not None
    bad = parse_message(message(["From: a@example.org", "Date: the day after tomorrow"]))
    assert bad.date is None
    assert any("Date" in d for d in bad.defects)


def test_from_address_lowercased_and_display_decoded() -> None:
    display = word("滕州市自然资源局", "gb2312")
    sub = parse_message(message([f'From: "{display}" <Tzzrj@ZZ.Shandong.CN>']))
    assert sub.from_address == "tzzrj@zz.shandong.cn"
    assert sub.from_display == "滕州市自然资源局"
    assert sub.from_count == 1


def test_parseaddr_cve_trick_yields_no_address() -> None:
    sub = parse_message(message(["From: alice@example.org)<bob@example.org>"]))
    assert sub.from_address is None
    assert sub.from_count != 1


def test_obsolete_but_valid_from_syntax_is_accepted() -> None:
    for header, address in (
        ("Joe Q. Public <John.Q.Public@example.com>", "john.q.public@example.com"),
        ("Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>", "pete@silly.test"),
    ):
        assert parse_message(message([f"From: {header}"])).from_address == address


def test_unquoted_address_as_display_name_yields_no_address() -> None:
    sub = parse_message(message(["From: registered@agency.cn <attacker@evil.example>"]))
    assert sub.from_address is None


def test_multiple_from_mailboxes_yield_no_address() -> None:
    sub = parse_message(message(["From: a@example.org, b@example.org"]))
    assert sub.from_address is None and sub.from_count == 2
    assert sub.from_addresses == ("a@example.org", "b@example.org")
    twice = parse_message(message(["From: a@example.org", "From: b@example.org"]))
    assert twice.from_address is None and twice.from_count == 2


def test_encoded_word_in_display_cannot_inject_an_address() -> None:
    display = word("<registered@agency.gov.cn>", "utf-8")
    sub = parse_message(message([f"From: {display} <attacker@evil.example>"]))
    assert sub.from_address == "attacker@evil.example"


def test_octet_stream_part_is_kept_with_declared_type() -> None:
    raw = message(BASE, [attachment(b'attachment; filename="scan"', PDF, b"application/octet-stream")])
    sub = parse_message(raw)
    assert [(p.filename, p.content_type, p.data) for p in sub.parts] == [("scan", "application/octet-stream", PDF)]


def jpeg(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, "JPEG", quality=30)
    return buf.getvalue()


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def test_inline_logo_skipped_inline_scan_kept() -> None:
    related = CRLF.join(
        [
            b'Content-Type: multipart/related; boundary="REL"',
            b"",
            b"--REL",
            text_part('<p>see scan</p><img src="cid:logo"><img src="cid:scan">', "utf-8", "html"),
            b"--REL",
            b"Content-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(png(120, 40)),
            b"--REL",
            b"Content-Type: image/jpeg; name=scan.jpg\r\nContent-ID: <scan>\r\nContent-Disposition: inline; "
            b"filename=scan.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(jpeg(1240, 1754)),
            b"--REL--",
        ]
    )
    sub = parse_message(message(BASE, [related]))
    assert [(p.filename, p.inline, p.content_type) for p in sub.parts] == [("scan.jpg", True, "image/jpeg")]
    assert len(sub.skipped) == 1 and "120x40" in sub.skipped[0]
    assert sub.body_text == "see scan"


def test_small_image_sent_as_a_plain_part_is_kept() -> None:
    plain = b"Content-Type: image/png; name=stamp.png\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(png(120, 40))
    sub = parse_message(message(BASE, [text_part("x", "utf-8"), plain]))
    assert [(p.filename, p.inline) for p in sub.parts] == [("stamp.png", False)]


def test_forwarded_message_attachments_become_parts() -> None:
    inner = message(
        ["From: court@example.org", "Subject: " + word("应诉通知书", "gbk"), "Date: Mon, 02 Mar 2026 09:00:00 +0800"],
        [text_part("请按时应诉", "gbk"), attachment(b'attachment; filename="notice.pdf"', PDF)],
        boundary=b"INNER",
    )
    forward = b'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n' + inner
    sub = parse_message(message(BASE, [text_part("转发给你", "utf-8"), forward]))
    assert [p.filename for p in sub.parts] == ["notice.pdf"]
    assert sub.parts[0].data == PDF
    assert "转发给你" in sub.body_text and "应诉通知书" in sub.body_text and "请按时应诉" in sub.body_text


def test_base64_encoded_forwarded_message_is_opened() -> None:
    inner = message(["From: x@example.org", "Subject: inner"], [attachment(b'attachment; filename="in.pdf"', PDF)])
    forward = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(inner)
    assert [p.filename for p in parse_message(message(BASE, [forward])).parts] == ["in.pdf"]


def test_unnamed_attachment_gets_a_generated_name() -> None:
    sub = parse_message(message(BASE, [attachment(b"attachment", PDF)]))
    assert [p.filename for p in sub.parts] == ["attachment-1.pdf"]


def test_garbage_and_empty_input_never_raise() -> None:
    for raw in (b"", b"\x00\xff" * 100, b"From: \r\n\r\n", b"Content-Type: multipart/mixed\r\n\r\n--\r\n", b"\n\n\n"):
        sub = parse_message(raw)
        assert sub.from_address is None
        assert sub.parts == ()
        assert isinstance(sub.body_text, str)


def test_deeply_nested_multipart_is_cut_off_with_a_defect() -> None:
    depth = 3000
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth))
    tail = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    raw = b"From: a@example.org\r\n" + head + b"Content-Type: text/plain\r\n\r\ndeep" + tail
    sub = parse_message(raw)
    assert sub.from_address == "a@example.org"
    assert sub.defects  # the cut is recorded, not silent


def test_signature_parts_are_skipped_not_lost_silently() -> None:
    sig = attachment(b'attachment; filename="smime.p7s"', b"\x30\x82", b"application/pkcs7-signature")
    sub = parse_message(message(BASE, [text_part("x", "utf-8"), sig]))
    assert sub.parts == ()
    assert any("smime.p7s" in s for s in sub.skipped)


@pytest.mark.timeout(60)  # a hang guard: each takes well under a second, minutes before the header caps
def test_oversized_headers_are_capped_not_parsed_for_minutes() -> None:
    subject = parse_message(b"From: a@b.cn\r\nSubject: " + b"=?utf-8?B?5ruV?= " * 50_000 + b"\r\n\r\nx")
    assert subject.from_address == "a@b.cn"
    assert subject.subject.startswith("滕滕滕") and len(subject.subject) < 20_000
    assert any("oversized header" in d for d in subject.defects)

    many = parse_message(b"From: a@b.cn\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(30_000)) + b"\r\nx")
    assert many.from_address == "a@b.cn"

    crowd = parse_message(b"From: " + b"a@b.cn, " * 30_000 + b"\r\n\r\nx")
    assert crowd.from_address is None and crowd.from_count > 1

    params = b"".join(b"filename*%d*=%%E8; " % i for i in range(40_000))
    part = b"Content-Type: application/pdf\r\nContent-Disposition: attachment; " + params + b"\r\n\r\n" + PDF
    sub = parse_message(message(BASE, [part]))
    assert len(sub.parts) == 1 and sub.parts[0].data.startswith(b"%PDF")


def test_raw_gbk_subject_display_name_and_8bit_body() -> None:
    raw = (
        b"From: " + "滕州市公安局".encode("gbk") + b" <tzgaj96@126.com>\r\n"
        b"Subject: " + f"行政应诉材料{GBK_ONLY}".encode("gbk") + b"\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + f"请查收{GBK_ONLY}。".encode("gbk")
    )
    sub = parse_message(raw)
    assert (sub.from_display, sub.from_address) == ("滕州市公安局", "tzgaj96@126.com")
    assert sub.subject == f"行政应诉材料{GBK_ONLY}"
    assert sub.body_text == f"请查收{GBK_ONLY}。"
