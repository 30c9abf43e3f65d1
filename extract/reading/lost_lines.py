"""Lines tesseract's page layout dropped: find them, and put their second reading back in place.

Tesseract's layout analysis discards small isolated text as noise: the page number at the foot of
almost every court page ("- 2 -", "第 2 页，共 3 页"), a short line set apart from the body. Read on its
own as a single line the same crop comes out right. So after a page is read, ink that no line of the
reading covers and that is shaped like a line of text is cut out and read again (all such crops of a
batch in one tesseract process, extract/reading/ocr.py); a confident reading is inserted among the
page's lines by its height on the page.

Pure logic on greyscale arrays and boxes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from extract.reading.images import Gray

Box = tuple[int, int, int, int]  # left, top, width, height in the page image's pixels

# A line of text is 2.2-9 mm tall (8 pt page numbers to 22 pt titles); taller ink is a seal, a
# signature or a picture, whose crop reads as noise.
_MIN_LINE_MM = 1.6
_MAX_LINE_MM = 9.0
_MARGIN_MM = 1.5  # crop padding: tesseract misreads glyphs touching the crop's edge
# Ink this near the sheet's edge is a scan border or a punched hole, not print.
_EDGE_MM = 4.0


@dataclass(frozen=True)
class LineBox:
    """One line of a reading: its box, the index of its text line in the reading's text, and its
    mean word confidence (0..1)."""

    box: Box
    text_index: int
    confidence: float = 1.0


def _mm(dpi: float, mm: float) -> int:
    return max(1, round(mm * dpi / 25.4))


def missed_regions(gray: Gray, covered: Sequence[Box], dpi: float, limit: int = 6) -> list[Box]:
    """Boxes (with a margin) of text-shaped ink that none of the `covered` boxes overlaps.

    At most `limit` regions, the largest first: a page with more than a few such regions is one the
    layout analysis did not understand at all, and reading its pieces one by one is no cure.
    """
    h, w = gray.shape
    if h < 50 or w < 50:
        return []
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if np.count_nonzero(ink) > 0.5 * ink.size:
        return []  # a dark page (photo, negative): Otsu split no text from paper
    mask = np.zeros((h, w), np.uint8)
    pad = _mm(dpi, 0.8)
    for left, top, bw, bh in covered:
        mask[max(0, top - pad) : top + bh + pad, max(0, left - pad) : left + bw + pad] = 255
    # Glyphs of one line join into one blob; lines stay apart.
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (_mm(dpi, 4.0), _mm(dpi, 0.6))))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    edge, lo, hi, margin = _mm(dpi, _EDGE_MM), _mm(dpi, _MIN_LINE_MM), _mm(dpi, _MAX_LINE_MM), _mm(dpi, _MARGIN_MM)
    found: list[tuple[int, Box]] = []
    for k in range(1, count):
        left, top, bw, bh, _area = (int(v) for v in stats[k])
        if not lo <= bh <= hi or bw < 0.8 * bh:
            continue
        if left < edge or top < edge or left + bw > w - edge or top + bh > h - edge:
            continue
        inked = int(np.count_nonzero(ink[top : top + bh, left : left + bw]))
        if inked < 0.04 * bw * bh:
            continue  # a few specks joined by the dilation
        if np.count_nonzero(mask[top : top + bh, left : left + bw]) > 0.1 * bw * bh:
            continue
        box = (max(0, left - margin), max(0, top - margin), min(w, left + bw + margin) - max(0, left - margin),
               min(h, top + bh + margin) - max(0, top - margin))
        found.append((inked, box))
    found.sort(key=lambda kv: -kv[0])
    return [box for _inked, box in found[:limit]] if len(found) <= 2 * limit else []


def isolated_text(crop: Gray) -> Gray:
    """A crop of isolated text made easy for a single-line read: binarized on its own (it holds only paper
    and ink, so Otsu splits them cleanly even on a grey or noisy ground) and set on a white border
    (chi_sim read a clear "- 2 -" on grey paper as 汪作二; binarized and padded, as -2-)."""
    _, binary = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    pad = max(8, crop.shape[0] // 2)
    return np.asarray(cv2.copyMakeBorder(binary, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255), dtype=np.uint8)


_GARBAGE = re.compile(r"[A-Za-z|\\/_~^`@#$%&*={}<>\[\]]")
_USEFUL = re.compile(r"[\u4e00-\u9fff0-9]")


def plausible_line(text: str, confidence: float, min_confidence: float = 0.55) -> bool:
    """A crop's reading worth inserting: confident, with CJK or digits, and hardly any stray symbols. A lone
    character is no line (fragments of a seal's ring read as 7 or 从)."""
    chars = [ch for ch in text if not ch.isspace()]
    if len(chars) < 2 or confidence < min_confidence or not _USEFUL.search(text):
        return False
    return sum(1 for ch in chars if _GARBAGE.match(ch)) <= 0.1 * len(chars)


def insert_lines(text: str, lines: Sequence[LineBox], found: Sequence[tuple[Box, str]]) -> str:
    """`text` with each found (box, reading) put after the last line that starts above it.

    `lines` are the reading's text lines with their boxes (LineBox.text_index counts the lines of
    `text`); a found line above every line goes first.
    """
    if not found:
        return text
    rows = text.split("\n")
    after: dict[int, list[str]] = {}
    for box, reading in sorted(found, key=lambda f: (f[0][1], f[0][0])):
        top = box[1] + box[3] // 2
        above = [ln.text_index for ln in lines if ln.box[1] + ln.box[3] // 2 <= top]
        at = max(above) if above else -1
        after.setdefault(at, []).append(reading.strip())
    out: list[str] = list(after.get(-1, []))
    for i, row in enumerate(rows):
        out.append(row)
        out.extend(after.get(i, []))
    # Lines found below text lines beyond the end of `text` (a mapping off by some lines) go last.
    for i in sorted(k for k in after if k >= len(rows)):
        out.extend(after[i])
    return "\n".join(out)


# A line read with less mean confidence than this is read again on its own, at twice the resolution:
# widely spaced numerals of a date (二〇一八年十二月二十一日) and lines on a grey or stained ground come
# out of the full-page read garbled, and right from a close single-line read.
WEAK_LINE_CONFIDENCE = 0.6
_BETTER_BY = 0.15


def weak_lines(lines: Sequence[LineBox], dpi: float, limit: int = 4) -> list[LineBox]:
    """The least confident lines of a reading (at most `limit`), when they are shaped like text lines."""
    lo, hi = _mm(dpi, _MIN_LINE_MM), _mm(dpi, _MAX_LINE_MM)
    weak = [ln for ln in lines if ln.confidence < WEAK_LINE_CONFIDENCE and lo <= ln.box[3] <= hi
            and ln.box[2] >= ln.box[3]]
    return sorted(weak, key=lambda ln: ln.confidence)[:limit]


def padded(box: Box, shape: tuple[int, int], dpi: float) -> Box:
    h, w = shape
    m = _mm(dpi, _MARGIN_MM)
    left, top = max(0, box[0] - m), max(0, box[1] - m)
    return left, top, min(w, box[0] + box[2] + m) - left, min(h, box[1] + box[3] + m) - top


def better_line(old: str, old_confidence: float, new: str, new_confidence: float) -> bool:
    """The single-line reading replaces the line: clearly more confident, plausible, and not a fragment."""
    old_len = sum(1 for ch in old if not ch.isspace())
    new_len = sum(1 for ch in new if not ch.isspace())
    return (new_confidence >= old_confidence + _BETTER_BY and new_len >= 0.6 * old_len
            and plausible_line(new, new_confidence, WEAK_LINE_CONFIDENCE))


# A line read with less confidence than this, by the page read and by the close read alike, and without
# a run of Chinese text, is noise: specks, table rules, a seal's ring and its curved text.
NOISE_CONFIDENCE = 0.3
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{3}")


def noise_line(text: str, confidence: float) -> bool:
    return confidence < NOISE_CONFIDENCE and not _CJK_RUN.search(re.sub(r"\s+", "", text))


def replace_lines(text: str, readings: dict[int, str]) -> str:
    """`text` with its lines numbered in `readings` replaced."""
    rows = text.split("\n")
    return "\n".join(readings.get(i, row) for i, row in enumerate(rows))
