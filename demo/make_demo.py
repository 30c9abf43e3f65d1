"""Regenerate the demo mailbox (demo/mailbox/*.eml) that ships with the project.

Invented agencies, people and case numbers. Scans are rendered with Noto CJK at 200 dpi so the
demo exercises real OCR; DOCX files exercise the text path. Run: python demo/make_demo.py
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from docx import Document as Docx
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
CST = timezone(timedelta(hours=8))


def scan_pdf(pages: list[list[str]]) -> bytes:
    """Render text lines onto bilevel A4 pages at 200 dpi and save them as an image-only PDF."""
    images = []
    font = ImageFont.truetype(FONT, 44, index=2)
    title_font = ImageFont.truetype(FONT, 64, index=2)
    for lines in pages:
        img = Image.new("L", (1654, 2339), 255)
        draw = ImageDraw.Draw(img)
        y = 200
        for i, line in enumerate(lines):
            if i == 0:
                w = draw.textlength(line, font=title_font)
                draw.text(((1654 - w) / 2, y), line, font=title_font, fill=0)
                y += 130
                continue
            draw.text((180, y), line, font=font, fill=0)
            y += 80
        images.append(img.convert("1"))
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return buf.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    d = Docx()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def message(n: int, sender: str, display: str, subject: str, when: datetime, body: str,
            files: list[tuple[str, str, bytes]], in_reply_to: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{display} <{sender}>"
    msg["To"] = "filing-demo@example.invalid"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<demo-{n:04d}@agency.example.invalid>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content(body)
    for name, ctype, data in files:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


NOTICE = [
    "山东省滕州市人民法院",
    "应诉通知书",
    "（2026）鲁0481行初901号",
    "滕州市示例管理局：",
    "本院已立案受理原告王示例诉你单位政府信息公开一案，",
    "现将起诉状副本一份发送给你单位。依照《中华人民共和国",
    "行政诉讼法》第六十七条的规定，你单位应当在收到起诉状",
    "副本之日起十五日内向本院提交作出行政行为的证据和所依据",
    "的规范性文件，并提出答辩状。",
    "",
    "二〇二六年十一月二日",
    "山东省滕州市人民法院",
]

COMPLAINT = [
    "行政起诉状",
    "原告：王示例，男，汉族，住滕州市示例街道。",
    "被告：滕州市示例管理局。",
    "诉讼请求：",
    "1. 判令被告依法公开原告申请的政府信息；",
    "2. 本案诉讼费用由被告承担。",
    "事实与理由：",
    "原告于2026年8月1日向被告申请公开有关信息，被告",
    "逾期未予答复，侵犯了原告的合法权益。",
    "此致",
    "山东省滕州市人民法院",
    "具状人：王示例",
    "2026年10月20日",
]

DEFENSE = [
    "行政答辩状",
    "答辩人：滕州市示例管理局",
    "因原告王示例诉答辩人政府信息公开一案（（2026）鲁0481行初901号），",
    "现提出答辩如下：",
    "答辩人已于法定期限内依法作出答复，请求依法驳回原告的诉讼请求。",
    "此致",
    "山东省滕州市人民法院",
    "答辩人：滕州市示例管理局",
    "2026年11月10日",
]


def main() -> None:
    out = HERE / "mailbox"
    out.mkdir(exist_ok=True)
    t0 = datetime(2026, 11, 4, 9, 12, tzinfo=CST)
    agency = ("demo-shili@agency.example.invalid", "滕州市示例管理局")
    m1 = message(1, *agency, "行政应诉案件报备：（2026）鲁0481行初901号 王示例", t0,
                 "司法局：现将我单位收到的应诉材料扫描件报备，请查收。",
                 [("应诉通知书.pdf", "application/pdf", scan_pdf([NOTICE])),
                  ("行政起诉状.pdf", "application/pdf", scan_pdf([COMPLAINT]))])
    m2 = message(2, *agency, "答辩状报备（2026）鲁0481行初901号", t0 + timedelta(days=8),
                 "现报送我单位答辩状。", [("答辩状.docx",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(DEFENSE))])
    m3 = message(3, "someone@unknown.example.invalid", "滕州市示例管理局", "材料", t0 + timedelta(days=9),
                 "请查收。", [("材料.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              docx(["授权委托书", "委托人：某某"]))])
    for i, raw in enumerate((m1, m2, m3), start=1):
        (out / f"{i:04d}.eml").write_bytes(raw)
    (out / "0004.eml").write_bytes(m1)  # the same message sent twice: filed once


if __name__ == "__main__":
    main()
