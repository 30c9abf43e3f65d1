"""The second read of a signature block: real tesseract on a page with a red seal over the date."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extract.reading.ocr import EngineText
from extract.reading.settings import OcrSettings
from extract.reading.signature_reread import BlockReader, line_boxes, locate_block, reread_signature_block
from extract.understanding.fields import normalize_lines
from extract.understanding.signature import decision_date
from tests.support.documents import A4_200DPI, font, tiff_bytes


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


def _names_left_date_right() -> Image.Image:
    """Judges' names set to the left and the date to the right, half a line lower (as many courts print)."""
    img = Image.new("L", A4_200DPI, 255)
    draw = ImageDraw.Draw(img)
    body = font(44)
    body_lines = ("驳回原告林小满的诉讼请求。", "案件受理费50元，由原告负担。", "如不服本判决，可以上诉。")
    for i, line in enumerate(body_lines):
        draw.text((170, 220 + i * 84), line, fill=0, font=body)
    for i, line in enumerate(("审判长　周 一", "审判员　吴 平", "审判员　郑 三")):
        draw.text((170, 560 + i * 84), line, fill=0, font=body)
    draw.text((900, 560 + 3 * 84 - 30), "二〇三一年四月二十七日", fill=0, font=body)
    draw.text((170, 560 + 4 * 84), "书记员　王 四", fill=0, font=body)
    return img


def test_line_by_line_reads_a_date_set_apart_from_the_names() -> None:
    data = _png(_names_left_date_right())
    text = reread_signature_block(data, "image/png", 1, 0, OcrSettings(), attempt=2)
    assert text is not None
    lines = normalize_lines([text])
    assert any(ln.startswith("二〇三一年") or ln.endswith("年四月二十七日") for ln in lines), lines
    assert decision_date([], 2031, lines).value == date(2031, 4, 27)


def test_line_boxes_part_the_names_from_the_date() -> None:
    import numpy as np

    from extract.reading.signature_reread import line_boxes

    gray = np.asarray(_names_left_date_right())[500:1000]
    boxes = line_boxes(gray, 200)
    lefts = sorted({x0 for _, _, x0, _ in boxes})
    # The date is its own box, right of the names.
    assert any(x0 > 700 for x0 in lefts) and any(x0 < 300 for x0 in lefts)


def test_a_block_continued_at_the_top_of_a_page_under_a_seal_is_found() -> None:
    img = Image.new("L", A4_200DPI, 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(("二〇三一年四月二十七日", "本件与原本核对无异", "书 记 员　　王 四")):
        draw.text((900, 120 + i * 84), line, fill=0, font=font(44))
    draw.ellipse((1000, 40, 1360, 400), outline=0, width=10)  # a seal scanned in grey joins the lines
    rows = locate_block(__import__("numpy").asarray(img), 200)
    assert rows is not None and rows[0] < 120 and rows[1] > 300


def _bilevel_sealed_page() -> Image.Image:
    """A fax-like 1-bit page: the seal's ring dithered to specks as dark as the text, running through
    the first characters of the date line and the line below it."""
    img = Image.new("L", A4_200DPI, 255)
    draw = ImageDraw.Draw(img)
    body = font(44)
    for i, line in enumerate(("驳回原告林小满的诉讼请求。", "案件受理费50元，由原告负担。")):
        draw.text((170, 220 + i * 84), line, fill=0, font=body)
    # The body's last line set flush left just above the block: the close read's crop starts with it.
    draw.text((170, 520), "青禾市人民法院。", fill=0, font=body)
    block = ("审 判 长　　周 一", "审 判 员　　吴 二", "人民陪审员　郑 三", "二〇三一年四月二十七日",
             "本件与原本核对无异", "书 记 员　　王 四")
    for i, line in enumerate(block):
        draw.text((900, 600 + i * 84), line, fill=0, font=body)
    ring = Image.new("L", A4_200DPI, 0)
    cx, cy, r = 1110, 600 + 3 * 84 + 30, 175
    ImageDraw.Draw(ring).ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=10)
    # A scanner's dither: most pixels of the ring's ink.
    specks = np.random.default_rng(7).random((A4_200DPI[1], A4_200DPI[0])) < 0.8
    ink = (np.asarray(ring) > 0) & specks
    page = np.where(ink, 0, np.asarray(img))
    return Image.fromarray(page.astype(np.uint8)).convert("1")


def _tiff(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="TIFF", compression="group4", dpi=(200, 200))
    return buf.getvalue()


def test_line_by_line_separates_lines_a_bilevel_ring_joins() -> None:
    page = _bilevel_sealed_page()
    assert page.mode == "1"
    data = _tiff(page)
    reads = [reread_signature_block(data, "image/tiff", 1, 0, OcrSettings(), attempt) for attempt in (2, 3)]
    dates = [decision_date([], 2031, normalize_lines([t or ""])).value for t in reads]
    assert date(2031, 4, 27) in dates, reads


def _continued_block_names_left() -> Image.Image:
    """The last page of a judgment whose block ran over from the page before: judges' names set to the
    left, the date alone to the right, near the top of the page (and a footer at the bottom)."""
    img = Image.new("L", A4_200DPI, 255)
    draw = ImageDraw.Draw(img)
    body = font(44)
    for i, line in enumerate(("代理审判员　周 一", "代理审判员　吴 平")):
        draw.text((230, 200 + i * 84), line, fill=0, font=body)
    draw.text((900, 200 + 2 * 84), "二〇三一年四月二十七日", fill=0, font=body)
    draw.text((230, 200 + 3 * 84), "书 记 员　王 四", fill=0, font=body)
    draw.text((700, 2200), "第2页 共2页", fill=0, font=font(36))
    return img


def test_a_lone_date_line_high_on_the_page_is_kept_in_the_block() -> None:
    img = _continued_block_names_left()
    rows = locate_block(np.asarray(img), 200)
    assert rows is not None and rows[0] < 200 + 2 * 84 and rows[1] > 2200
    text = reread_signature_block(_png(img), "image/png", 1, 0, OcrSettings(), attempt=0)
    assert decision_date([], 2031, normalize_lines([text or ""])).value == date(2031, 4, 27)


def test_lines_thresholded_on_their_own_are_not_read_again_on_a_bilevel_page() -> None:
    data = _tiff(_continued_block_names_left().convert("1"))
    assert reread_signature_block(data, "image/tiff", 1, 0, OcrSettings(), attempt=6) is None
    assert reread_signature_block(data, "image/tiff", 1, 0, OcrSettings(), attempt=2) is not None


def test_a_faint_grey_date_line_is_read_thresholded_on_its_own() -> None:
    img = Image.new("L", A4_200DPI, 200)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(("审 判 长　　周 一", "审 判 员　　吴 二", "二〇三一年四月二十七日", "书 记 员　　王 四")):
        draw.text((900, 700 + i * 84), line, fill=110, font=font(44))
    text = reread_signature_block(_png(img), "image/png", 1, 0, OcrSettings(), attempt=6)
    assert decision_date([], 2031, normalize_lines([text or ""])).value == date(2031, 4, 27)


def _counted(fn: Callable[..., Any], calls: list[Any], arg: int) -> Callable[..., Any]:
    """`fn`, noting its argument number `arg` of each call in `calls`."""

    def wrapper(*args: Any) -> Any:
        calls.append(args[arg])
        return fn(*args)

    return wrapper


def test_block_reader_decodes_once_and_reads_as_fresh_reads_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """The attempts of one reader share the page image and each resolution's block; what they read is
    what a fresh read of each attempt gives."""
    from extract.reading import signature_reread

    data = tiff_bytes([_signed_page(False).convert("L"), _signed_page(True)])
    settings = OcrSettings()
    fresh = [reread_signature_block(data, "image/tiff", 2, 0, settings, attempt) for attempt in range(6)]
    decodes: list[int] = []
    blocks: list[int] = []
    lines: list[float] = []
    monkeypatch.setattr(signature_reread, "_page_image", _counted(signature_reread._page_image, decodes, 2))
    monkeypatch.setattr(signature_reread, "_block_gray", _counted(signature_reread._block_gray, blocks, -1))
    monkeypatch.setattr(signature_reread, "line_boxes", _counted(line_boxes, lines, -1))
    reader = BlockReader(data, "image/tiff", settings)
    assert [reader.read(2, 0, attempt) for attempt in range(6)] == fresh
    assert any(fresh)
    assert decodes == [2]
    assert sorted(blocks) == [300, 400]
    assert sorted(lines) == [300, 400]  # the line-by-line attempts, two per resolution


def test_block_reader_keeps_only_the_last_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    from extract.reading import signature_reread

    data = tiff_bytes([_signed_page(False).convert("L")] * 3)
    decodes: list[int] = []
    monkeypatch.setattr(signature_reread, "_page_image", _counted(signature_reread._page_image, decodes, 2))
    monkeypatch.setattr(signature_reread, "recognize", lambda paths, *a, **k: [EngineText("x", 1.0, 1)] * len(paths))
    reader = BlockReader(data, "image/tiff", OcrSettings())
    for page in (3, 2, 3, 1, 3, 4):
        reader.read(page, 0, 0)
    assert decodes == [3, 2, 1, 3, 4]  # page 3 again after page 1 pushed it out; no page 4 (read once)
    assert reader.read(4, 0, 0) is None
