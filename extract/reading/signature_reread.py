"""A second, closer OCR read of a court document's signature block (judges' names, date, seal).

The date of a judgment, ruling or notice sits under the court's red seal, the hardest line of the
document for a full-page read. This reads only the block again (the right-set lines at the end of the
page), with red ink removed by colour where the scan has colour (round seals faded in grey scans), at
a higher resolution and with a single-block layout. The pipeline calls it only for documents whose
sealed date is missing or doubtful; it never changes the full-page OCR (extract/reading/text.py).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from extract.reading.images import ImageDecodeError, ImageTooLarge, PageImage, image_file_page, to_gray
from extract.reading.ocr import OcrEngineError, recognize, write_pgm
from extract.reading.ocr_cache import OcrCache, OcrResult, cache_key
from extract.reading.pdf import PdfSource
from extract.reading.seals import suppress_round_seals
from extract.reading.settings import OcrSettings
from terms.errors import FilingError

__all__ = ["CONSTRAINED_ATTEMPTS", "DATE_CHARS", "BlockReader", "reread_signature_block"]

_PDF = "application/pdf"
_READ_DPI = 300
# When the block cannot be located: most of the page below the top quarter (where it sits depends on
# how long the disposition ran).
_TOP = 0.25


def _page_image(data: bytes, content_type: str, page_number: int, max_pixels: int) -> tuple[Image.Image, float] | None:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == _PDF:
        with PdfSource(data, _READ_DPI, 200, 10**9, max_pixels) as pdf:
            if not 1 <= page_number <= pdf.page_count:
                return None
            item = pdf.page(page_number)
            if isinstance(item, PageImage):
                return item.load(), item.dpi
            # A text-layer page was read without OCR: nothing to re-read.
            return None
    return image_file_page(data, page_number, max_pixels)


def _ink_lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) row ranges of text lines in a boolean ink image."""
    rows = ink.sum(axis=1) > max(2, ink.shape[1] // 400)
    lines: list[tuple[int, int]] = []
    start = None
    for y, on in enumerate(rows):
        if on and start is None:
            start = y
        elif not on and start is not None:
            lines.append((start, y))
            start = None
    if start is not None:
        lines.append((start, len(rows)))
    return [(a, b) for a, b in lines if b - a >= 4]


def locate_block(gray: np.ndarray, dpi: float = 200.0) -> tuple[int, int] | None:
    """Rows (top, bottom) of the signature block: the last group of lines printed in the right half
    of the page with nothing in the left part (judges' names and the date are set to the right).
    A seal joins the lines it covers into one band: a single band taller than a seal's radius is a
    block too (at the top of a last page, where the block continues from the page before)."""
    h, w = gray.shape
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = binary == 0
    right_only: list[tuple[int, int]] = []
    for top, bottom in _ink_lines(ink):
        band = ink[top:bottom]
        left = band[:, int(w * 0.05) : int(w * 0.40)].sum()
        # Reaching well into the right third: a centred title or page footer does not.
        right = band[:, int(w * 0.65) : int(w * 0.95)].sum()
        if right > 4 * (bottom - top) and left <= (bottom - top):
            right_only.append((top, bottom))
    if not right_only:
        return None
    height = int(np.median([b - a for a, b in right_only]))
    groups: list[list[tuple[int, int]]] = [[right_only[0]]]
    for line in right_only[1:]:
        if line[0] - groups[-1][-1][1] <= 3 * max(height, 1):
            groups[-1].append(line)
        else:
            groups.append([line])
    # The largest group, the lowest of equals. A lone line high on the page may be a right-set case
    # number, or the date of a block that runs over from the page before with the judges' names set
    # to the left: the block is then taken from that line to the foot of the page, so that neither is
    # lost (a lone line low on the page, or of a seal's height, is the block itself).
    block = max(reversed(groups), key=len)
    if len(block) < 2 and block[0][1] - block[0][0] < 0.5 * dpi and block[0][0] < 0.3 * h:
        return max(0, block[0][0] - 2 * height), h
    return max(0, block[0][0] - 2 * height), min(h, block[-1][1] + 2 * height)


def _block_gray(image: Image.Image, dpi: float, rotation: int, read_dpi: int) -> np.ndarray:
    if rotation % 360:
        image = image.rotate(-rotation, expand=True)
    gray = to_gray(image, suppress_seals=True)
    if image.mode == "RGB":
        # Whiten what is clearly red (the seal) instead of keeping its red channel: the digits under it
        # are black in every channel and survive.
        rgb = np.asarray(image, dtype=np.int16)
        red = (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])) > 30
        gray = np.where(red & (rgb[..., 0] > 120), 255, gray).astype(np.uint8)
    h, w = gray.shape
    rows = locate_block(gray, dpi)
    top, bottom = rows if rows else (int(h * _TOP), h)
    gray = gray[top:bottom, int(w * 0.3) :] if rows else gray[top:bottom]
    scale = read_dpi / max(dpi, 50.0)
    if abs(scale - 1.0) > 0.05:
        gray = np.asarray(cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
    return np.ascontiguousarray(suppress_round_seals(gray, read_dpi))


def _bands(ink: np.ndarray) -> list[tuple[int, int]]:
    on = ink.sum(axis=1) > max(2, ink.shape[1] // 500)
    out: list[tuple[int, int]] = []
    start = None
    for y, v in enumerate(on):
        if v and start is None:
            start = y
        elif not v and start is not None:
            out.append((start, y))
            start = None
    if start is not None:
        out.append((start, len(on)))
    return [(a, b) for a, b in out if b - a > 10]


Box = tuple[int, int, int, int]  # top, bottom, left, right


def _strip_bands(ink: np.ndarray, x0: int, lh: int) -> list[tuple[int, int]]:
    """Lines of a stretch a seal joined, from the strip where the lines begin: the block's lines are
    set flush and the seal sits over their middle and end, so their first character is nearly always
    clear of it."""
    strip = ink[:, max(0, x0 - lh // 4) : x0 + int(1.1 * lh)].astype(np.uint8)
    # A character of horizontal strokes (二, 三) is several bands in a row profile: join them.
    tall = np.asarray(cv2.dilate(strip, np.ones((max(1, lh // 3), 1), np.uint8)))
    joined: list[tuple[int, int]] = []
    for a, b in _bands(tall):
        a, b = a + lh // 6, b - lh // 6
        if joined and b - joined[-1][0] <= 1.3 * lh:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    out = []
    for a, b in (part for stretch in joined for part in _split_tall(ink, stretch, lh)):
        if b - a < 0.8 * lh:
            mid = (a + b) // 2
            a, b = mid - lh // 2 - 4, mid + lh // 2 + 4
        out.append((a, b))
    return out


def _split_tall(ink: np.ndarray, stretch: tuple[int, int], lh: int) -> list[tuple[int, int]]:
    """A stretch of the strip taller than a line split into lines at the rows of least ink across the
    whole width: in a bilevel scan a seal's ring is as dark as text and can run through the strip,
    joining the lines there, but across the page a text line has far more ink than the ring's crossing."""
    a, b = stretch
    if b - a <= 1.3 * lh:
        return [stretch]
    count = max(2, round((b - a) / (1.7 * lh)))  # lines are set about 1.7 line heights apart
    profile = np.convolve(ink[a:b].sum(axis=1).astype(float), np.ones(max(1, lh // 4)), mode="same")
    cuts = [0]
    for i in range(1, count):
        mid = (b - a) * i // count
        lo, hi = max(0, mid - lh // 2), min(b - a, mid + lh // 2)
        cuts.append(lo + int(np.argmin(profile[lo:hi])))
    cuts.append(b - a)
    out = []
    for top, bottom in itertools.pairwise(cuts):
        # Each part trimmed to its rows of text ink: the ring's crossing alone is far fainter.
        rows = np.flatnonzero(profile[top:bottom] >= 0.2 * profile[top:bottom].max())
        out.append((a + top + int(rows[0]), a + top + int(rows[-1]) + 1) if rows.size else (a + top, a + bottom))
    return out


def _pieces(ink: np.ndarray, top: int, bottom: int, lh: int) -> list[Box]:
    """The parts of a band set apart by a wide gap (judges' names on the left, the date on the right),
    each trimmed to its own rows: offset by half a line, they would not read as one line."""
    cols = np.flatnonzero(ink[top:bottom].any(axis=0))
    if cols.size == 0:
        return []
    runs, start = [], int(cols[0])
    for prev, x in itertools.pairwise(cols):
        if x - prev > 3 * lh:
            runs.append((start, int(prev) + 1))
            start = int(x)
    runs.append((start, int(cols[-1]) + 1))
    out = []
    for left, right in runs:
        rows = np.flatnonzero(ink[top:bottom, left:right].any(axis=1))
        if rows.size:
            out.append((top + int(rows[0]), top + int(rows[-1]) + 1, left, right))
    return out


def _flush_left(lefts: list[int], lh: int) -> int:
    """The left edge most lines share (within half a line height); of equals, the lowest lines'."""
    best: list[int] = []
    for x in lefts:
        near = [y for y in lefts if abs(y - x) <= lh // 2]
        if len(near) >= len(best):
            best = near
    return int(np.median(best))


def line_boxes(gray: np.ndarray, dpi: float) -> list[Box]:
    """Boxes of the block's text lines, top to bottom."""
    # Scanner specks would join every line and bridge every gap: a median and an opening keep strokes
    # only (this image only finds the lines; the read is of the untouched crop).
    ink = cv2.morphologyEx((cv2.medianBlur(gray, 3) < 128).astype(np.uint8), cv2.MORPH_OPEN,
                           np.ones((3, 3), np.uint8)) > 0
    # Full-width bands no shorter than a 9-point character: a line each, or lines a seal joined, or
    # lines set side by side half a line apart.
    full = [(a, b) for a, b in _bands(ink) if b - a >= 0.12 * dpi]
    if not full:
        return []
    # A footer or a smaller font can be the smallest: take the typical height among the small bands.
    smallest = min(b - a for a, b in full)
    lh = int(np.median([b - a for a, b in full if b - a <= 2 * smallest]))
    # Where the block's lines begin: the left edge the judges' lines above the seal share (the crop
    # can start with the body's last lines, set further left; a seal's arc of text a little right).
    def first_column(a: int, b: int) -> int:
        return int(np.argmax(ink[a:b].sum(axis=0) > 2))

    h, w = gray.shape
    boxes: list[Box] = []
    lefts: list[int] = []
    for a, b in full:
        if b - a <= 2.2 * lh:
            boxes += _pieces(ink, a, b, lh)
            lefts.append(first_column(a, b))
        else:
            x0 = _flush_left(lefts, lh) if lefts else first_column(a, b)
            boxes += [(sa + a, sb + a, 0, w) for sa, sb in _strip_bands(ink[a:b], x0, lh)]
    out = []
    for top, bottom, left, right in sorted(boxes):
        pad = max(4, lh // 5)
        out.append((max(0, top - pad), min(h, bottom + pad), max(0, left - pad), min(w, right + pad)))
    return out


def _smoothed(gray: np.ndarray) -> np.ndarray:
    """What tesseract gets of a 1-bit scan: a 1-bit scanner dithers a seal's lighter ink into specks
    and leaves stroke edges ragged; a median at the reading resolution removes the specks and smooths
    the edges (a seal's stroke crossing a character stays: only its shade told it apart, and that is
    gone)."""
    return np.asarray(cv2.medianBlur(gray, 3), dtype=np.uint8)


def _otsu(line: np.ndarray) -> np.ndarray:
    """One line's own black and white: a faint or low-contrast print (grey text on grey paper) that
    tesseract's page-wide thresholding breaks into strokes reads whole once the line is cut at its own
    Otsu level (only text and paper are left in a line's box)."""
    _, out = cv2.threshold(line, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return np.asarray(out, dtype=np.uint8)


def _read_lines(gray: np.ndarray, settings: OcrSettings, dpi: int, whitelist: str = "",
                read: np.ndarray | None = None, boxes: list[Box] | None = None, binarize: bool = False) -> str | None:
    """The block read line by line (one line per image, psm 7): a seal cannot merge lines. Lines are
    found in `gray` (unless their `boxes` are given), read from `read` (the same pixels, prepared for
    tesseract) when given; each line thresholded on its own when `binarize`."""
    boxes = line_boxes(gray, dpi) if boxes is None else boxes
    read = gray if read is None else read
    if not boxes:
        return None
    with tempfile.TemporaryDirectory(prefix="sig-") as tmp:
        crops = [np.ascontiguousarray(read[t:b, x0:x1]) for t, b, x0, x1 in boxes]
        paths = [write_pgm(Path(tmp) / f"line{i}.pgm", np.ascontiguousarray(_otsu(c)) if binarize else c)
                 for i, c in enumerate(crops)]
        line = replace(settings, psm=7, ocr_dpi=dpi)
        return "\n".join(r.text.strip() for r in recognize(paths, line, settings.page_timeout_s, whitelist))


# A date line read with only these characters allowed: 上 or 入 cannot come out for 十 or 八, nor a
# seal's stroke as a character of its own. Such a read is forced toward a date, so it only confirms
# another read (extract/understanding/analyze.py, CONSTRAINED_ATTEMPTS), never settles one alone.
DATE_CHARS = "〇一二三四五六七八九十年月日"

# (resolution, tesseract page segmentation, date characters only, each line thresholded on its own) per
# attempt: two reads at different scales are two nearly independent looks at the same damaged line;
# from the third on, line by line (psm 7 per line); the fifth and sixth with only the date's characters
# allowed; the last two of a greyscale or colour page's lines each cut at its own level (of a 1-bit
# page they would repeat the third and fourth: not another look, so not made).
_ATTEMPTS = ((300, 6, False, False), (400, 6, False, False), (300, 7, False, False), (400, 7, False, False),
             (300, 7, True, False), (400, 7, True, False), (300, 7, False, True), (400, 7, False, True))
CONSTRAINED_ATTEMPTS = frozenset(i for i, a in enumerate(_ATTEMPTS) if a[2])


def reread_signature_block(
    data: bytes, content_type: str, page_number: int, rotation: int, settings: OcrSettings, attempt: int = 0
) -> str | None:
    """Text of the lower part of page `page_number`, read again closely (`attempt` picks how); None
    when it cannot be read. For several attempts on one file use a BlockReader."""
    return BlockReader(data, content_type, settings).read(page_number, rotation, attempt)


_Found = tuple[Image.Image, float]


class BlockReader:
    """The signature blocks of one file, read closely attempt after attempt.

    The attempts differ only in how tesseract reads the block, so each page is decoded (or rendered)
    once and its block prepared once per resolution, not once per attempt: on the sample that was up
    to six decodes of the page, three seal searches per resolution, and for a TIFF or PDF every page
    before it decoded too. Only the two pages decoded last are kept (the pipeline reads a
    document's last page, then the one before)."""

    _KEEP = 2

    def __init__(self, data: bytes, content_type: str, settings: OcrSettings) -> None:
        self.data = data
        self.content_type = content_type
        self.settings = settings
        self._pages: dict[int, _Found | None] = {}
        self._grays: dict[tuple[int, int, int], np.ndarray] = {}
        self._boxes: dict[tuple[int, int, int], list[Box]] = {}

    def _page(self, page_number: int) -> _Found | None:
        if page_number not in self._pages:
            try:
                found = _page_image(self.data, self.content_type, page_number, self.settings.max_image_pixels)
            except (FilingError, ImageDecodeError, ImageTooLarge, OSError, ValueError):
                found = None  # the same bytes fail the same way on every attempt
            while len(self._pages) >= self._KEEP:
                oldest = next(iter(self._pages))
                del self._pages[oldest]
                self._grays = {k: v for k, v in self._grays.items() if k[0] != oldest}
                self._boxes = {k: v for k, v in self._boxes.items() if k[0] != oldest}
            self._pages[page_number] = found
        return self._pages[page_number]

    def _gray(self, page_number: int, found: _Found, rotation: int, dpi: int) -> np.ndarray:
        key = (page_number, rotation % 360, dpi)
        if key not in self._grays:
            self._grays[key] = _block_gray(*found, rotation, dpi)
        return self._grays[key]

    def read(self, page_number: int, rotation: int, attempt: int = 0) -> str | None:
        """See reread_signature_block."""
        dpi, psm, constrained, binarize = _ATTEMPTS[attempt % len(_ATTEMPTS)]
        settings = self.settings
        try:
            found = self._page(page_number)
            if found is None or (binarize and found[0].mode == "1"):
                return None
            gray = self._gray(page_number, found, rotation, dpi)
            # The constrained reads are also a different look at a 1-bit scan: smoothed (measured on the
            # sample: a median alone lost as many characters under a seal as it gave back).
            read = _smoothed(gray) if found[0].mode == "1" and constrained else gray
            if psm == 7:
                key = (page_number, rotation % 360, dpi)
                if key not in self._boxes:
                    self._boxes[key] = line_boxes(gray, dpi)
                whitelist = DATE_CHARS if constrained else ""
                return _read_lines(gray, settings, dpi, whitelist, read, self._boxes[key], binarize)
            with tempfile.TemporaryDirectory(prefix="sig-") as tmp:
                path = write_pgm(Path(tmp) / "block.pgm", read)
                block = replace(settings, psm=psm, ocr_dpi=dpi)
                return recognize([path], block, settings.page_timeout_s)[0].text
        except (FilingError, ImageDecodeError, ImageTooLarge, OcrEngineError, OSError, ValueError):
            return None


def cached_block_reads(read: Callable[[int, int, int], str | None], cache: OcrCache, sha256: str,
                       fingerprint: str) -> Callable[[int, int, int], str | None]:
    """`read(page, rotation, attempt)` of the file `sha256` through the OCR cache: the same image, settings
    and code give the same text, so filing the same mail again runs no tesseract for its close reads."""

    def cached(page: int, rotation: int, attempt: int) -> str | None:
        key = cache_key(f"{sha256}:signature-block:{page}:{rotation % 360}:{attempt}", fingerprint)
        hit = cache.get(key)
        if hit is not None:
            return hit.text or None
        text = read(page, rotation, attempt)
        cache.put(key, OcrResult(text or "", 0.0, rotation, "signature-reread"))
        return text

    return cached
