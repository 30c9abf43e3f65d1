"""Ruled tables (evidence lists, statistics sheets) read cell by cell.

A page read as one column (psm 4) keeps a table's rows together as long as every cell holds one line;
a cell that wraps ("（2026）鲁0402行" over "初42号") is interleaved with the next lines of its
neighbours, and the ruling lines come out as "|" noise. A ruled table shows its grid: long horizontal
and vertical strokes. So on a page with such a grid each cell is cut out (rules whitened) and read on its
own, and the rows are written row by row, cells left to right, a wrapped cell joined into one line; the
page's lines above and below the table are kept from the first reading. extract/reading/ocr.py keeps the
result only where the quality judge prefers it.

Pure logic on greyscale arrays and boxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from extract.reading.images import Gray
from extract.reading.lost_lines import Box, LineBox

# A rule is a stroke at least this long: a text stroke is far shorter than a table's row or column.
_MIN_RULE_MM = 25.0
# A row or column narrower than this is a doubled rule or a scan artefact, not a cell.
_MIN_CELL_MM = 4.0
_CELL_MARGIN_MM = 0.6  # cut inside the rules so they stay out of the crop


@dataclass(frozen=True)
class Grid:
    """A table's rules: row boundaries top to bottom, and per row the column boundaries left to right."""

    rows: tuple[int, ...]  # y of each horizontal rule; row k spans rows[k]..rows[k+1]
    columns: tuple[tuple[int, ...], ...]  # per row, x of the vertical rules crossing it

    @property
    def top(self) -> int:
        return self.rows[0]

    @property
    def bottom(self) -> int:
        return self.rows[-1]


def _mm(dpi: float, mm: float) -> int:
    return max(1, round(mm * dpi / 25.4))


def _positions(profile: np.ndarray, min_gap: int) -> list[int]:
    """Centres of the runs of True in a 1-D mask; runs closer than `min_gap` merge (a thick or doubled rule)."""
    out: list[int] = []
    idx = np.flatnonzero(profile)
    if idx.size == 0:
        return out
    start = prev = int(idx[0])
    for v in idx[1:]:
        v = int(v)
        if v - prev > min_gap:
            out.append((start + prev) // 2)
            start = v
        prev = v
    out.append((start + prev) // 2)
    return out


def _ruled_rows(ink: np.ndarray, rule: int) -> np.ndarray:
    """Per row of the 0/255 image `ink`: whether its opening by a horizontal line of `rule` px keeps any ink
    (the row holds a horizontal rule). The opening works row by row, so it runs only on the rows a cheap test
    leaves: ink in an opened row lies in a run of at least `shortest` px (less than `rule` only at the page's
    edges, the kernel's anchor being its centre), and such a run fills `whole` aligned bytes of the row's
    packed bits one after another. A page of text has few such rows, often none."""
    anchor = rule // 2
    shortest = min(rule - anchor, anchor + 1)
    whole = (shortest - 7) // 8
    out = np.zeros(ink.shape[0], dtype=bool)
    if whole >= 1:
        full = np.packbits(ink > 0, axis=1) == 255
        run = 1
        while run < whole:  # full[:, k]: bytes k .. k+run-1 all full; the run doubles (capped at `whole`)
            step = min(run, whole - run)
            full = full[:, :-step] & full[:, step:]
            run += step
        candidates = np.flatnonzero(full.any(axis=1))
    else:
        candidates = np.arange(ink.shape[0])
    if candidates.size:
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (rule, 1))
        opened = cv2.morphologyEx(np.ascontiguousarray(ink[candidates]), cv2.MORPH_OPEN, kernel)
        out[candidates] = opened.max(axis=1) > 0
    return out


def find_grid(gray: Gray, dpi: float) -> Grid | None:
    """The ruled grid of a table on the page, or None: at least 3 horizontal rules (two rows) and two
    vertical rules crossing a row (one cell with borders on all sides) are needed."""
    h, w = gray.shape
    rule = _mm(dpi, _MIN_RULE_MM)
    if h < 2 * rule or w < 2 * rule:
        return None
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    min_cell = _mm(dpi, _MIN_CELL_MM)
    rows = _positions(_ruled_rows(ink, rule), min_cell)
    if len(rows) < 3:
        return None  # most pages: no table, and the vertical rules are never looked for
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, rule)))
    columns: list[tuple[int, ...]] = []
    for top, bottom in pairwise(rows):
        # A vertical rule crosses the row when it covers most of the row's height.
        band = vert[top:bottom] > 0
        cover = band.sum(axis=0) >= 0.6 * (bottom - top)
        columns.append(tuple(_positions(cover, min_cell)))
    # Rules above or below the rows with columns are the page's border or a title's underline: not the table.
    ruled = [k for k, c in enumerate(columns) if len(c) >= 2]
    if not ruled:
        return None
    first, last = ruled[0], ruled[-1]
    rows, columns = rows[first : last + 2], columns[first : last + 1]
    if sum(1 for c in columns if len(c) >= 3) < 2:
        return None  # not two rows of at least two bordered cells: ruled paper or a frame, not a table
    return Grid(rows=tuple(rows), columns=tuple(columns))


def cell_boxes(grid: Grid, dpi: float) -> list[list[Box]]:
    """Per row, the boxes of its cells left to right (inside the rules). A row without two vertical
    rules is one cell spanning the table."""
    pad = _mm(dpi, _CELL_MARGIN_MM)
    min_cell = _mm(dpi, _MIN_CELL_MM)
    out: list[list[Box]] = []
    left = min((c[0] for c in grid.columns if c), default=0)
    right = max((c[-1] for c in grid.columns if c), default=0)
    for (top, bottom), xs in zip(pairwise(grid.rows), grid.columns, strict=True):
        edges = list(xs) if len(xs) >= 2 else [left, right]
        row: list[Box] = []
        for x0, x1 in pairwise(edges):
            box = (x0 + pad, top + pad, x1 - x0 - 2 * pad, bottom - top - 2 * pad)
            if box[2] >= min_cell and box[3] >= min_cell:
                row.append(box)
        out.append(row)
    return out


# Lines of a cell are this far apart at least; strokes of one line of Chinese text leave smaller gaps.
_LINE_GAP_MM = 1.0


def single_line(cell: Gray, dpi: float) -> bool:
    """True when the cell's ink forms one band of rows: read as one line (psm 7), since the block
    segmentation (psm 6) sometimes reads a lone line twice, once cut short."""
    if cell.size == 0:
        return False
    _, ink = cv2.threshold(cell, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    inked = (ink > 0).sum(axis=1) > max(2, cell.shape[1] // 200)
    return len(_positions(inked, _mm(dpi, _LINE_GAP_MM))) == 1


@dataclass(frozen=True)
class Composed:
    text: str
    # The first reading's lines kept outside the table, renumbered to `text`'s lines, so the lost-line pass
    # (extract/reading/lost_lines.py) still reads the page's weak and dropped lines and drops noise.
    lines: tuple[LineBox, ...]


def compose(text: str, lines: Sequence[LineBox], grid: Grid, rows: Sequence[Sequence[str]]) -> Composed | None:
    """The page's text with the lines read inside the table replaced by the table read cell by cell:
    one line per row, its cells' texts (each joined to one line) separated by spaces. None when the
    first reading's lines cannot be placed (no line boxes, or none inside the table)."""
    if not lines:
        return None
    src = text.split("\n")
    inside = {ln.text_index for ln in lines if grid.top <= ln.box[1] + ln.box[3] // 2 <= grid.bottom}
    table = [" ".join(c for c in (" ".join(cell.split()) for cell in row) if c) for row in rows]
    table = [r for r in table if r]
    out: list[str] = []
    renumbered: dict[int, int] = {}
    placed = False
    for k, line in enumerate(src):
        if k in inside:
            if not placed:
                out.extend(table)
                placed = True
            continue
        renumbered[k] = len(out)
        out.append(line)
    if not placed:
        return None  # no line of the first reading lay in the table: nothing to replace, keep it as read
    kept = tuple(LineBox(ln.box, renumbered[ln.text_index], ln.confidence) for ln in lines
                 if ln.text_index in renumbered)
    return Composed("\n".join(out), kept)
