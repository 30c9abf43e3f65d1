"""The second read of a signature block: real tesseract on a page with a red seal over the date."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw

from extract.reading.settings import OcrSettings
from extract.reading.signature_reread import locate_block, reread_signature_block
from extract.understanding.fields import normalize_lines
from extract.understanding.signature import decision_date
from tests.support.documents import A4_200DPI, font


def _signed_page(seal: bool) -> Image.Image:
    img = Image.new("RGB", A4_200DPI, "white")
    draw = ImageDraw.Draw(img)
    body = font(44)
    lines = ("驳回原告林小满的诉讼请求。", "案件受理费50元，由原告负担。", "如不服本判决，可以上诉。")
    for i, line in enumerate(lines):
        draw.text((170, 220 + i * 84), line, fill=(0, 0, 0), font=body)
    block = ("审 判 长　　周 一", "审 判 员　　吴 二", "人民陪审员　郑 三", "二〇三一年四月二十七日",
             "书 记 员　　王 四")
    for i, line in enumerate(block):
        draw.text((900, 700 + i * 84), line, fill=(0, 0, 0), font=body)
    if seal:
        cx, cy, r = 1150, 700 + 3 * 84 + 20, 180
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(215, 30, 35), width=12)
        draw.text((cx - 140, cy - 120), "青禾市人民法院", fill=(215, 30, 35), font=font(48))
    return img


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(200, 200))
    return buf.getvalue()


def test_block_is_found_right_of_centre() -> None:
    gray = __import__("numpy").asarray(_signed_page(False).convert("L"))
    rows = locate_block(gray)
    assert rows is not None and rows[0] < 700 < rows[1]


def test_reread_reads_the_date_under_a_red_seal() -> None:
    data = _png(_signed_page(True))
    texts = [reread_signature_block(data, "image/png", 1, 0, OcrSettings(), attempt) for attempt in (0, 1)]
    assert all(t and "审判长" in t.replace(" ", "") for t in texts)
    read = [decision_date([], 2031, normalize_lines([t or ""])).value for t in texts]
    assert date(2031, 4, 27) in read


def test_unreadable_input_gives_none() -> None:
    assert reread_signature_block(b"not an image", "image/png", 1, 0, OcrSettings()) is None
    assert reread_signature_block(_png(_signed_page(False)), "image/png", 2, 0, OcrSettings()) is None
