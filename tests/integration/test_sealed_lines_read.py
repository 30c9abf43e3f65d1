"""A signature block under a dithered seal on a bilevel page otherwise read well: its unsure lines are read
again with the seal removed (real tesseract chi_sim on a generated page; invented text)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from extract.reading.lost_lines import LineBox
from extract.reading.ocr import EngineText, _read_sealed_lines, _SecondPass, write_pgm
from extract.reading.settings import OcrSettings
from tests.support.documents import font

pytestmark = [pytest.mark.tesseract]

W, H = 1240, 1754  # A4 at 150 dpi
CX, CY, R = 890, 1240, 120  # a 41 mm seal over the court's name and the date
BODY = ["原告不服被告作出的行政处罚决定，向本院提起行政诉讼。", "本院依法组成合议庭，公开开庭审理了本案。",
        "本院认为，被告作出的处罚决定事实清楚，程序合法。", "依照《中华人民共和国行政诉讼法》第六十九条之规定，",
        "判决如下：驳回原告的诉讼请求。", "案件受理费50元，由原告负担。"]
BLOCK = (("审判长 李明", 820, 1050), ("某省某市人民法院", 700, 1190), ("二〇二六年三月五日", 720, 1260))
SETTINGS = OcrSettings(workers=1, page_timeout_s=60)


def _page() -> np.ndarray:
    img = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(img)
    f = font(40)
    for k, line in enumerate(BODY):
        draw.text((150, 200 + 80 * k), line, fill=255, font=f)
    for text, x, y in BLOCK:
        draw.text((x, y), text, fill=255, font=f)
    text = np.asarray(img) > 127
    rng = np.random.default_rng(3)
    ring = np.zeros((H, W), np.uint8)
    cv2.circle(ring, (CX, CY), R - 6, (1,), 12)
    star = np.zeros((H, W), np.uint8)
    points = np.array([(CX + 38 * math.cos(math.radians(90 + k * 144)), CY - 38 * math.sin(math.radians(90 + k * 144)))
                       for k in range(5)], np.int32)
    cv2.fillPoly(star, [points], (1,))
    arcs = np.zeros((H, W), np.uint8)
    for k in range(14):  # the seal's own text: short solid strokes along the inside of the ring
        a = math.radians(190 + 11 * k)
        x, y = CX + 0.78 * R * math.cos(a), CY + 0.78 * R * math.sin(a)
        cv2.line(arcs, (round(x - 9), round(y - 6)), (round(x + 9), round(y + 6)), (1,), 3)
    seal = ((ring > 0) | (star > 0)) & (rng.random((H, W)) < 0.6) | (arcs > 0)
    return np.where(text | seal, 0, 255).astype(np.uint8)


def _first_reading() -> EngineText:
    """A reading of the page as tesseract gives such pages: the body right, the lines under the seal as
    unsure fragments (the block's boxes as the layout found them)."""
    text = "\n".join(BODY) + "\n审判长 李明\n=ANT\n某省芭市人民\nNA"
    lines = [LineBox((150, 200 + 80 * k, 1000, 42), k, 0.93) for k in range(len(BODY))]
    lines += [LineBox((820, 1050, 230, 42), 6, 0.9), LineBox((780, 1130, 220, 50), 7, 0.2),
              LineBox((700, 1190, 330, 44), 8, 0.3), LineBox((720, 1255, 300, 50), 9, 0.0)]
    return EngineText(text=text, confidence=0.85, words=60, lines=tuple(lines), boxes=tuple(ln.box for ln in lines))


def test_the_date_under_a_seal_is_read_again_with_the_seal_removed(tmp_path: Path) -> None:
    path = write_pgm(tmp_path / "page.pgm", _page())
    second = _SecondPass(SETTINGS, tmp_path, [path], [path], [0], [0.0], lambda i, r, d: path)
    out = _read_sealed_lines([_first_reading()], second, tmp_path)[0]
    assert isinstance(out, EngineText)
    rows = out.text.split("\n")
    assert rows[: len(BODY) + 1] == [*BODY, "审判长 李明"]  # lines outside the seal's rows are kept as read
    flat = re.sub(r"\s+", "", "".join(rows[len(BODY) + 1 :]))
    # Not every glyph the ring crossed comes back, but the court's line and the date do, as text.
    assert flat.startswith("某") and "年三" in flat and "五日" in flat, out.text
    assert "ANT" not in flat and "NA" not in flat
    assert [rows[ln.text_index] for ln in out.lines] == [r for r in rows if r.strip()]
    assert second.unsealed == {0: tmp_path / "s0000.pgm"}
    assert "read again with its ring removed" in (second.evidence(0) or "")


def test_a_page_without_unsure_lines_is_left_alone(tmp_path: Path) -> None:
    path = write_pgm(tmp_path / "page.pgm", _page())
    good = replace(_first_reading(), lines=tuple(replace(ln, confidence=0.9) for ln in _first_reading().lines))
    second = _SecondPass(SETTINGS, tmp_path, [path], [path], [0], [0.0], lambda i, r, d: path)
    assert _read_sealed_lines([good], second, tmp_path) == [good]
    assert second.unsealed == {}
