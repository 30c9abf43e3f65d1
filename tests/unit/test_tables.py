"""Ruled tables: the grid found on a page, the cells cut from it, the rows written back in order."""

from __future__ import annotations

import cv2
import numpy as np

from extract.reading.lost_lines import LineBox
from extract.reading.tables import Grid, cell_boxes, compose, find_grid, single_line

DPI = 150


def _page() -> np.ndarray:
    page = np.full((1700, 1200), 255, dtype=np.uint8)
    # Text-like blobs: short strokes far below a rule's length.
    for y in range(100, 300, 40):
        for x in range(150, 1000, 30):
            cv2.rectangle(page, (x, y), (x + 18, y + 20), 0, -1)
    return page


def _ruled(page: np.ndarray, rows: list[int], cols: list[int]) -> np.ndarray:
    for y in rows:
        cv2.line(page, (cols[0], y), (cols[-1], y), 0, 2)
    for x in cols:
        cv2.line(page, (x, rows[0]), (x, rows[-1]), 0, 2)
    return page


def test_grid_of_a_ruled_table_found_with_its_rows_and_columns() -> None:
    rows, cols = [400, 480, 600, 720], [150, 250, 600, 950, 1080]
    page = _ruled(_page(), rows, cols)
    cv2.line(page, (0, 20), (1199, 20), 0, 3)  # a scan border above the title: not part of the table
    grid = find_grid(page, DPI)
    assert grid is not None
    assert [abs(a - b) <= 2 for a, b in zip(grid.rows, rows, strict=True)] == [True] * 4
    assert len(grid.columns) == 3
    assert all(len(c) == 5 for c in grid.columns)
    cells = cell_boxes(grid, DPI)
    assert [len(r) for r in cells] == [4, 4, 4]
    x, y, w, h = cells[1][2]
    assert 600 < x < 620 and 480 < y < 500 and w < 350 and h < 120  # inside the rules


def test_text_page_and_underlines_are_no_table() -> None:
    page = _page()
    assert find_grid(page, DPI) is None
    for y in (500, 560, 620, 680):  # ruled paper / underlined lines: rows without columns
        cv2.line(page, (150, y), (1050, y), 0, 2)
    assert find_grid(page, DPI) is None
    frame = _ruled(_page(), [400, 900], [150, 1050])  # one framed box: a single cell, not a table
    assert find_grid(frame, DPI) is None


def test_rows_replace_the_lines_read_inside_the_table_in_order() -> None:
    grid = Grid(rows=(400, 480, 600), columns=((150, 600, 1000), (150, 600, 1000)))
    text = "证据清单\n序号 名称\n（2026）鲁0402行 赵艳\n初42号\n提交日期：2026年10月26日"
    lines = (LineBox((150, 100, 300, 30), 0), LineBox((150, 430, 800, 30), 1),
             LineBox((150, 500, 800, 30), 2), LineBox((150, 550, 300, 30), 3),
             LineBox((150, 700, 500, 30), 4))
    rows = [["序号", "名称"], ["（2026）鲁0402行\n初42号", "赵艳"]]
    out = compose(text, lines, grid, rows)
    assert out is not None
    assert out.text == "证据清单\n序号 名称\n（2026）鲁0402行 初42号 赵艳\n提交日期：2026年10月26日"
    # The lines outside the table keep their boxes, renumbered to the new text's lines.
    assert [(ln.box[1], ln.text_index) for ln in out.lines] == [(100, 0), (700, 3)]
    assert compose(text, (), grid, rows) is None
    outside = tuple(ln for ln in lines if ln.text_index in (0, 4))
    assert compose(text, outside, grid, rows) is None


def test_one_line_cells_told_from_wrapped_ones() -> None:
    cell = np.full((90, 600), 255, dtype=np.uint8)
    for x in range(20, 400, 30):  # one line of glyph-sized blobs
        cv2.rectangle(cell, (x, 30), (x + 20, 55), 0, -1)
    assert single_line(cell, DPI)
    for x in range(20, 200, 30):  # the cell's text wraps onto a second line
        cv2.rectangle(cell, (x, 68), (x + 20, 85), 0, -1)
    assert not single_line(cell, DPI)
    assert not single_line(np.full((90, 600), 255, dtype=np.uint8), DPI)


def test_ruled_rows_match_the_full_opening() -> None:
    """The row test runs the opening on candidate rows only; it must keep exactly the rows the opening of
    the whole page keeps: runs just shorter and just longer than a rule, inside the page and touching
    either edge (where half a rule is enough, the kernel's anchor being its centre)."""
    from extract.reading.tables import _ruled_rows

    rng = np.random.default_rng(7)
    for rule in (148, 149, 20, 9):
        ink = np.zeros((120, 1001), dtype=np.uint8)
        for y in range(120):
            length = int(rng.integers(rule // 2 - 3, rule + 3))
            where = int(rng.integers(0, 3))
            x0 = 0 if where == 0 else 1001 - length if where == 1 else int(rng.integers(1, 1001 - length))
            ink[y, x0 : x0 + length] = 255
            ink[y, rng.integers(0, 1001, 40)] = 255  # specks
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (rule, 1))
        expected = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel).max(axis=1) > 0
        assert 0 < expected.sum() < 120
        assert np.array_equal(_ruled_rows(ink, rule), expected)
