"""A ruled table whose cells wrap is read cell by cell and row by row (real tesseract chi_sim). Invented text."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from extract.reading.lost_lines import LineBox
from extract.reading.ocr import recognize, write_pgm
from extract.reading.settings import OcrSettings
from extract.reading.tables import cell_boxes, compose, find_grid
from tests.support.documents import A4_200DPI, font

pytestmark = [pytest.mark.tesseract]

SETTINGS = OcrSettings(workers=1, page_timeout_s=60)

# Columns: number, evidence (wraps onto a second line), purpose, pages.
ROWS = [
    (["序号"], ["证据名称"], ["证明目的"], ["页码"]),
    (["1"], ["行政处罚决定书及", "送达回证"], ["证明程序合法"], ["1-4"]),
    (["2"], ["现场检查笔录"], ["证明事实清楚"], ["5-9"]),
    (["3"], ["询问笔录及", "身份证明材料"], ["证明事实清楚"], ["10-15"]),
]
COLUMNS = [160, 280, 820, 1290, 1500]


def _table_page() -> Image.Image:
    img = Image.new("L", A4_200DPI, 255)
    draw = ImageDraw.Draw(img)
    f = font(40)
    draw.text((620, 200), "证据清单", fill=0, font=font(56))
    draw.text((160, 330), "提交人：某县市场监督管理局", fill=0, font=f)
    top, height = 440, 150
    for k, row in enumerate(ROWS):
        y = top + k * height
        for x0, cell in zip(COLUMNS, row, strict=False):
            for n, line in enumerate(cell):
                draw.text((x0 + 15, y + 20 + 55 * n), line, fill=0, font=f)
    bottom = top + len(ROWS) * height
    for k in range(len(ROWS) + 1):
        draw.line((COLUMNS[0], top + k * height, COLUMNS[-1], top + k * height), fill=0, width=3)
    for x in COLUMNS:
        draw.line((x, top, x, bottom), fill=0, width=3)
    draw.text((160, bottom + 80), "提交日期：2026年9月1日", fill=0, font=f)
    return img


def test_wrapped_cells_read_in_their_row(tmp_path: Path) -> None:
    """The grid found on the page as the engine gets it, each cell read by tesseract, the rows composed:
    a wrapped cell comes out whole, before the next row begins (the page read as one column puts its
    second line after the whole row)."""
    gray = np.asarray(_table_page(), dtype=np.uint8)
    gray = np.asarray(cv2.resize(gray, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    dpi = 150
    grid = find_grid(gray, dpi)
    assert grid is not None and len(grid.rows) == len(ROWS) + 1
    paths, shape = [], []
    for r, row in enumerate(cell_boxes(grid, dpi)):
        shape.append(len(row))
        for c, (x, y, w, h) in enumerate(row):
            framed = cv2.copyMakeBorder(gray[y : y + h, x : x + w], 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
            paths.append(write_pgm(tmp_path / f"c{r}-{c}.pgm", np.asarray(framed, dtype=np.uint8)))
    reads = iter(recognize(paths, replace(SETTINGS, psm=6), 120))
    rows = [[next(reads).text for _ in range(n)] for n in shape]
    first = "证据清单\n序号 证据名称 证明目的 页码\n1 行政处罚决定书及 证明程序合法 1-4\n送达回证\n提交日期"
    lines = (LineBox((200, 150, 300, 40), 0), LineBox((130, 360, 900, 30), 1), LineBox((130, 470, 900, 30), 2),
             LineBox((130, 510, 300, 30), 3), LineBox((130, 900, 500, 30), 4))
    composed = compose(first, lines, grid, rows)
    assert composed is not None
    flat = re.sub(r"\s+", "", composed.text)
    assert "行政处罚决定书及送达回证证明程序合法" in flat
    assert "询问笔录及身份证明材料证明事实清楚" in flat
    assert flat.index("送达回证") < flat.index("现场检查笔录") < flat.index("询问笔录")
    assert flat.startswith("证据清单序号") and flat.endswith("提交日期")
