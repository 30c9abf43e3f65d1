"""OCR settings: one frozen value, built by filing/config.py from config.yaml + env."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from typing import Literal

Engine = Literal["tesseract"]
OsdPolicy = Literal["auto", "always", "never"]

# Bumped whenever preprocessing or parsing changes what OCR returns for the same image,
# so cached results from older code are not reused.
PIPELINE_VERSION = "7"


@dataclass(frozen=True)
class OcrSettings:
    engine: Engine = "tesseract"
    lang: str = "chi_sim"
    dpi: int = 200  # render DPI for PDF pages without one embedded scan image; measured best for chi_sim
    # Resolution tesseract gets. Scans are resampled to it; 150 measured both faster and no worse than 200
    # on the sample (see bench/ocr_bench.py and the issue notes): lines are rescaled for the LSTM anyway.
    ocr_dpi: int = 150
    psm: int = 4  # one column of text (court documents): CER 2.96 % → 2.76 % vs automatic layout (3)
    workers: int = 0  # 0 = one per CPU core
    batch_size: int = 8  # pages per tesseract process: amortizes its ~0.25 s start-up
    page_timeout_s: float = 60.0
    max_pages: int = 500
    max_image_pixels: int = 60_000_000  # beyond this an image is refused as a decompression bomb
    # The page as tesseract gets it: a 150-dpi A1 sheet is 17 Mpx. Larger pages fail alone, before resizing.
    max_ocr_pixels: int = 25_000_000
    # Address-space limit of each tesseract process, so one hostile page fails instead of swapping the machine.
    tesseract_memory_mb: int = 1536
    preview_width: int = 1000
    # auto: run orientation detection only when the upright OCR looks bad; always/never: as named.
    osd: OsdPolicy = "auto"
    osd_min_confidence: float = 2.0  # tesseract OSD "Orientation confidence" below this is ignored
    bad_page_confidence: float = 0.55  # upright result below this mean word confidence triggers OSD
    # Pages whose first reading looks poor (extract/reading/quality.py) are read again: turned upright, then
    # image variants (extract/reading/variants.py); a page still poor is marked unreadable either way.
    reread: bool = True
    # Text-shaped ink the page layout dropped (page numbers, isolated short lines) read line by line and put back.
    lost_lines: bool = True
    # Ruled tables (evidence lists, statistics sheets) on pages read well at once: read cell by cell, row
    # by row, kept when the judge prefers it (extract/reading/tables.py).
    tables: bool = True
    # A group of unsure lines on a page read well, under a round seal found around them: the seal removed and
    # the rows it covers read again (extract/reading/sealed_lines.py).
    seal_lines: bool = True
    # Lines read as noise both times (no run of Chinese text, confidence < 0.3) are left out of the text.
    drop_noise_lines: bool = True
    deskew: bool = True
    max_skew_deg: float = 5.0
    suppress_seals: bool = True  # red seals in colour images: take the red channel where ink is red
    # Round seals in greyscale/bilevel scans (and what the red channel left of colour ones): found by a
    # Hough transform and faded (extract/reading/seals.py). Sample, 119 pages: CER 4.26 % → 3.87 % on its own
    # (the earlier ring-stroke heuristic it replaces: 4.26 %).
    suppress_grey_seals: bool = True
    # tesseract's binarization: 0 Otsu, 1 adaptive Otsu, 2 Sauvola. Sauvola keeps strokes under grey
    # seals and stains: sample CER 4.26 % → 3.94 % on its own (adaptive Otsu: 16 %).
    thresholding_method: int = 2
    # tesseract's check of every line for white-on-black print (tessedit_do_invert): court documents and
    # agency letters print none, and the check costs a second recognition of each doubtful line.
    detect_inverted: bool = False
    # Place and court names of the bureau's jurisdiction (滕州市, 山东省枣庄市中级人民法院) and the
    # one-character short names that start document numbers (滕): OCR text is corrected toward them.
    place_names: tuple[str, ...] = ()
    glyph_font: str = ""  # a CJK font for comparing glyphs; "" = the first one found (fonts-noto-cjk)
    text_layer_min_chars: int = 20  # fewer usable characters than this → OCR the page instead
    tesseract_cmd: str = "tesseract"

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)

    def fingerprint(self) -> str:
        """Hash of every setting that changes OCR output; part of the cache key."""
        relevant = asdict(self)
        for key in ("workers", "batch_size", "page_timeout_s", "max_pages", "preview_width", "tesseract_cmd",
                    "max_image_pixels", "max_ocr_pixels", "tesseract_memory_mb", "text_layer_min_chars", "glyph_font"):
            relevant.pop(key)
        relevant["pipeline_version"] = PIPELINE_VERSION
        blob = json.dumps(relevant, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
