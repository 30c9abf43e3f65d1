"""Lines under a round seal on a page otherwise read well: the seal removed, the band it covers read again.

The signature block of a court or agency document (its name and the date) is stamped over with the
round seal. On a bilevel or grey scan the seal is as dark as the text, so the full-page reading of a
page that is otherwise clean turns those lines into a few low-confidence fragments (`=ANTCN`, `NA`),
while the page as a whole is judged fine and never reaches the second pass. Two or more unsure lines
close together are the tell: a ring is looked for around them only (seal_rings.find_rings on a window,
not the page), and where one is found the band of rows the seal covers is read again from the page
with the seal removed (seal_rings); where none is found (a grey seal, lighter than the text, that the
ring search misses), the group's rows are read again with everything lighter than text ink faded
(variants.ink). The band's new lines replace its old ones when they carry more confidently read text.

Pure logic on boxes and texts; the image work and tesseract run in extract/reading/ocr.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extract.reading.lost_lines import Box, LineBox

# A line read with less confidence than this may be text under a seal (seal-free lines of a page read
# well score 0.8-0.95; the fragments of a sealed signature block 0-0.5).
UNSURE_LINE_CONFIDENCE = 0.5
MIN_UNSURE_LINES = 2
# Seals are at most ~64 mm across (seal_rings._MAX_RADIUS_MM): unsure lines further apart are not under one.
_SEAL_SPAN_MM = 64.0
# The window searched for a ring reaches one seal radius (and a little) beyond the unsure lines.
_WINDOW_MARGIN_MM = 36.0
# The band read again: the rows of the seal and a little beyond (the ring's outer edge, glyphs on it).
_BAND_RADII = 1.3
_PAPER_PX = 4

_USEFUL = re.compile(r"[\u4e00-\u9fff0-9]")


def _mm(dpi: float, mm: float) -> int:
    return max(1, round(mm * dpi / 25.4))


def unsure_group(lines: Sequence[LineBox], dpi: float) -> list[LineBox]:
    """The largest group of unsure lines one seal could cover, top to bottom; empty when it has fewer than
    MIN_UNSURE_LINES lines."""
    unsure = sorted((ln for ln in lines if ln.confidence < UNSURE_LINE_CONFIDENCE), key=lambda ln: ln.box[1])
    span = _mm(dpi, _SEAL_SPAN_MM)
    best: list[LineBox] = []
    for k, first in enumerate(unsure):
        group = [ln for ln in unsure[k:] if ln.box[1] + ln.box[3] - first.box[1] <= span]
        if len(group) > len(best):
            best = group
    return best if len(best) >= MIN_UNSURE_LINES else []


def search_window(group: Sequence[LineBox], shape: tuple[int, int], dpi: float) -> Box:
    """Where to look for the seal over a group of unsure lines: around them, one seal radius beyond."""
    h, w = shape
    margin = _mm(dpi, _WINDOW_MARGIN_MM)
    left = max(0, min(ln.box[0] for ln in group) - margin)
    top = max(0, min(ln.box[1] for ln in group) - margin)
    right = min(w, max(ln.box[0] + ln.box[2] for ln in group) + margin)
    bottom = min(h, max(ln.box[1] + ln.box[3] for ln in group) + margin)
    return left, top, right - left, bottom - top


def _middle(box: Box) -> int:
    return box[1] + box[3] // 2


def _widened(top: int, bottom: int, lines: Sequence[LineBox], height: int) -> tuple[int, int]:
    """Rows widened to take in whole every line of the reading they cut into (a line read half in the
    band would come back twice), and a few rows of paper beyond."""
    inside = [ln.box for ln in lines if ln.box[1] < bottom and ln.box[1] + ln.box[3] > top]
    if inside:
        top = min(top, min(b[1] for b in inside))
        bottom = max(bottom, max(b[1] + b[3] for b in inside))
    return max(0, top - _PAPER_PX), min(height, bottom + _PAPER_PX)


def seal_band(ring_y: float, radius: float, lines: Sequence[LineBox], height: int) -> tuple[int, int]:
    """Rows (top, bottom) to read again for a seal centred at row `ring_y`: the seal's rows, widened to
    take in whole every line of the reading whose middle lies in them, so no line is read half."""
    top = max(0, int(ring_y - _BAND_RADII * radius))
    bottom = min(height, int(ring_y + _BAND_RADII * radius))
    return _widened(top, bottom, lines, height)


def group_band(group: Sequence[LineBox], lines: Sequence[LineBox], height: int) -> tuple[int, int]:
    """Rows to read again where no ring was found: the group's own rows, widened as seal_band does."""
    top = min(ln.box[1] for ln in group)
    bottom = max(ln.box[1] + ln.box[3] for ln in group)
    return _widened(top, bottom, lines, height)


def _weight(text: str, confidence: float) -> float:
    """What a line contributes: its Chinese characters and digits, by how surely they were read."""
    return confidence * len(_USEFUL.findall(text))


@dataclass(frozen=True)
class Merged:
    text: str
    lines: tuple[LineBox, ...]
    boxes: tuple[Box, ...]


def merge_band(text: str, lines: Sequence[LineBox], boxes: Sequence[Box], band: tuple[int, int], band_text: str,
               band_lines: Sequence[LineBox], band_boxes: Sequence[Box]) -> Merged | None:
    """The reading with the lines whose middle lies in the band's rows replaced by the band's own reading
    (its boxes relative to the band, `band_lines` indexing `band_text`'s rows); None when the band's
    reading does not carry more surely read text than the lines it would replace."""
    top, bottom = band
    rows = text.split("\n")
    old = [ln for ln in lines if top <= _middle(ln.box) < bottom]
    new_rows = band_text.split("\n")
    new = [ln for ln in band_lines if new_rows[ln.text_index].strip()]
    if not new or not old:
        return None
    before = sum(_weight(rows[ln.text_index], ln.confidence) for ln in old)
    after = sum(_weight(new_rows[ln.text_index], ln.confidence) for ln in new)
    if after <= before:
        return None
    first = min(ln.text_index for ln in old)
    gone = {ln.text_index for ln in old}
    out: list[str] = []
    out_lines: list[LineBox] = []
    index_of: dict[int, int] = {}
    for i, row in enumerate(rows):
        if i == first:
            for ln in new:
                x, y, w, h = ln.box
                out_lines.append(LineBox((x, y + top, w, h), len(out), ln.confidence))
                out.append(new_rows[ln.text_index])
        if i in gone:
            continue
        index_of[i] = len(out)
        out.append(row)
    for ln in lines:
        if ln.text_index not in gone and ln.text_index in index_of:
            out_lines.append(LineBox(ln.box, index_of[ln.text_index], ln.confidence))
    out_lines.sort(key=lambda ln: ln.text_index)
    kept_boxes = [b for b in boxes if not top <= _middle(b) < bottom]
    shifted = [(x, y + top, w, h) for x, y, w, h in band_boxes]
    return Merged("\n".join(out), tuple(out_lines), tuple(sorted(kept_boxes + shifted, key=lambda b: (b[1], b[0]))))
