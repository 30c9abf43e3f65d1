"""Mail for fact-check tests: a judgment whose signature-block date is printed only in the page image
(as under a seal in a scan), so the text layer holds no decision date and a person must read it."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

from filing.bootstrap import App
from filing.commands.core import import_files
from tests.support.webdata import CST, NOTO_SERIF_CJK, SLJ, eml

CASE_901 = "（2026）鲁0481行初901号"


def _stamp_png(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(NOTO_SERIF_CJK, 44, index=2)
    img = Image.new("RGB", (620, 90), "white")
    ImageDraw.Draw(img).text((10, 15), text, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def judgment_pdf(number: str, plaintiff: str, printed_date: str) -> bytes:
    """A born-digital judgment; the date under the signatures is an image, not text."""
    from fpdf import FPDF

    lines = [
        "山东省滕州市人民法院",
        "行政判决书",
        number,
        f"原告：{plaintiff}，男，汉族，住滕州市示例街道。",
        "被告：滕州市示例管理局，住所地滕州市示例路1号。",
        "法定代表人：张示例，局长。",
        f"原告{plaintiff}不服被告滕州市示例管理局政府信息公开一案，向本院提起行政诉讼。",
        "本院依法组成合议庭，公开开庭审理了本案。本案现已审理终结。",
        "本院认为，被告已依法履行答复义务，原告的诉讼请求缺乏事实和法律依据。",
        "依照《中华人民共和国行政诉讼法》第六十九条之规定，判决如下：",
        f"驳回原告{plaintiff}的诉讼请求。",
        "案件受理费50元，由原告负担。",
        "审判长　李示例",
        "审判员　赵示例",
    ]
    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=NOTO_SERIF_CJK, collection_font_number=2)
    pdf.add_page()
    pdf.set_font("noto", size=13)
    pdf.set_xy(20, 25)
    pdf.multi_cell(0, 9, "\n".join(lines))
    pdf.image(io.BytesIO(_stamp_png(printed_date)), x=110, y=pdf.get_y() + 4, w=80)
    pdf.set_xy(120, pdf.get_y() + 24)
    pdf.multi_cell(0, 9, "书记员　钱示例")
    return bytes(pdf.output())


def judgment_mail(n: int, when: datetime, number: str = CASE_901, printed_date: str = "二〇二六年五月二十日") -> bytes:
    return eml(n, SLJ, "示例管理局法规科", f"判决书报备{number}", when, "现报送判决书。",
               [("判决书.pdf", judgment_pdf(number, "王示例", printed_date))])


def import_judgment(app: App, directory: Path, n: int = 50, when: datetime | None = None,
                    printed_date: str = "二〇二六年五月二十日") -> int:
    """Import one judgment mail for case 901 through the real pipeline; returns the message row id."""
    path = directory / f"judgment-{n}.eml"
    path.write_bytes(judgment_mail(n, when or datetime(2026, 5, 22, 10, 0, tzinfo=CST), printed_date=printed_date))
    results = import_files(app, [path], quiet=True)
    return results[0].message_row_id


def later(days: int) -> datetime:
    return datetime(2026, 5, 22, 10, 0, tzinfo=CST) + timedelta(days=days)
