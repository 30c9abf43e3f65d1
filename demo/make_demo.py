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

# A defense for a case the bureau has no notice of yet: it cannot start a case, a person decides.
DEFENSE_902 = [
    "行政答辩状",
    "答辩人：滕州市人民政府",
    "因原告李示范诉答辩人行政复议一案（（2026）鲁0481行初902号），",
    "现提出答辩如下：",
    "答辩人作出的复议决定认定事实清楚，程序合法，请求依法驳回原告的诉讼请求。",
    "此致",
    "山东省滕州市人民法院",
    "答辩人：滕州市人民政府",
    "2026年11月20日",
]

# The appearance record names no case number: the matcher suggests case 901 and a person confirms.
APPEARANCE = [
    "行政机关负责人出庭应诉情况说明",
    "原告王示例诉我单位政府信息公开一案，于2026年11月24日上午9时",
    "在山东省滕州市人民法院第三法庭开庭审理。",
    "出庭负责人：张示范，职务：副局长。",
    "特此说明。",
    "滕州市示例管理局",
    "2026年11月24日",
]

JUDGMENT = [
    "山东省滕州市人民法院",
    "行政判决书",
    "（2026）鲁0481行初901号",
    "原告王示例，男，汉族，住滕州市示例街道。",
    "被告滕州市示例管理局。",
    "原告王示例诉被告滕州市示例管理局政府信息公开一案，本院于2026年10月28日立案后，",
    "依法组成合议庭，于2026年11月24日公开开庭审理了本案。",
    "本院认为，被告已在法定期限内作出答复，原告的诉讼请求缺乏事实根据。",
    "依照《中华人民共和国行政诉讼法》第六十九条之规定，判决如下：",
    "驳回原告王示例的诉讼请求。",
    "案件受理费50元，由原告王示例负担。",
    "如不服本判决，可在判决书送达之日起十五日内提起上诉。",
    "二〇二六年十二月一日",
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
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    szf = ("demo-szf@agency.example.invalid", "滕州市人民政府")
    m5 = message(5, *szf, "答辩状（2026）鲁0481行初902号", t0 + timedelta(days=16),
                 "报送答辩状一份。", [("答辩状-902.docx", docx_type, docx(DEFENSE_902))])
    m6 = message(6, *agency, "负责人出庭情况说明", t0 + timedelta(days=20),
                 "报送我单位负责人出庭情况。", [("出庭情况说明.docx", docx_type, docx(APPEARANCE))])
    m7 = message(7, *agency, "判决书报备（2026）鲁0481行初901号", t0 + timedelta(days=28),
                 "现报送判决书。", [("判决书.docx", docx_type, docx(JUDGMENT))])
    # The only attachment is damaged: kept and shown, but nothing can be filed from it.
    m8 = message(8, *agency, "补充材料", t0 + timedelta(days=29),
                 "补充材料见附件。", [("补充材料.pdf", "application/pdf", b"%PDF-1.4\n1 0 obj\n<<\n% damaged\n")])
    for i, raw in enumerate((m1, m2, m3), start=1):
        (out / f"{i:04d}.eml").write_bytes(raw)
    (out / "0004.eml").write_bytes(m1)  # the same message sent twice: filed once
    for i, raw in ((5, m5), (6, m6), (7, m7), (8, m8)):
        (out / f"{i:04d}.eml").write_bytes(raw)


if __name__ == "__main__":
    main()
