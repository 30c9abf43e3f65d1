"""Read one page again, turned the way a person turned it in the viewer.

The automatic orientation (OSD, quarter-turn trials) can leave a page sideways or upside down; a person
who sees that turns the preview. This OCRs the page from the original file at that rotation (a text-layer
PDF page is rendered and read too: its text layer may be the wrong way round as well).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from extract.reading.images import (
    FailedPage,
    ImageDecodeError,
    ImageTooLarge,
    PageImage,
    encode_preview,
    iter_image_file,
    preview_image,
    rescale_to_dpi,
    to_gray,
)
from extract.reading.ocr import OcrEngineError, recognize, write_pgm
from extract.reading.ocrfix import PlaceNames, clean_ocr_text, find_cjk_font
from extract.reading.pdf import PdfSource
from extract.reading.seals import suppress_round_seals
from extract.reading.settings import OcrSettings
from terms.errors import ErrorCode, FilingError

__all__ = ["RereadPage", "reread_page"]

_PDF = "application/pdf"
QUARTER_TURNS = (0, 90, 180, 270)


@dataclass(frozen=True)
class RereadPage:
    text: str
    confidence: float
    rotation: int  # degrees clockwise from the original file's page
    preview_png: bytes


def _page_image(data: bytes, content_type: str, number: int, settings: OcrSettings) -> tuple[Image.Image, float]:
    mime = content_type.split(";", 1)[0].strip().lower()
    item: PageImage | FailedPage | None = None
    if mime == _PDF:
        # min_text_chars beyond any page: every page comes back as an image, text layer or not.
        with PdfSource(data, settings.dpi, settings.preview_width, 10**9, settings.max_image_pixels) as pdf:
            if 1 <= number <= pdf.page_count:
                for candidate in pdf.pages():
                    if candidate.number == number:
                        item = candidate if isinstance(candidate, (PageImage, FailedPage)) else None
                        break
                if isinstance(item, PageImage):
                    return item.load(), item.dpi
    else:
        for candidate in iter_image_file(data, settings.max_image_pixels):
            if candidate.number == number:
                item = candidate
                break
        if isinstance(item, PageImage):
            return item.load(), item.dpi
    why = item.error if isinstance(item, FailedPage) else "该页不是图像或扫描页"
    raise FilingError(ErrorCode.ocr_failed, f"第 {number} 页无法重新识别：{why}")


def reread_page(data: bytes, content_type: str, number: int, rotation_cw: int, settings: OcrSettings) -> RereadPage:
    """OCR page `number` of a file turned `rotation_cw` degrees clockwise; no automatic turning."""
    if rotation_cw % 360 not in QUARTER_TURNS:
        raise FilingError(ErrorCode.invalid_request, "旋转角度只能是 90° 的整数倍")
    rotation = rotation_cw % 360
    try:
        image, dpi = _page_image(data, content_type, number, settings)
    except (ImageDecodeError, ImageTooLarge) as e:
        raise FilingError(ErrorCode.corrupt_image, f"第 {number} 页图像无法读取：{e}") from e
    turned = image.rotate(-rotation, expand=True) if rotation else image
    upright = rescale_to_dpi(turned, dpi, settings.ocr_dpi, settings.max_ocr_pixels)
    gray = to_gray(upright, settings.suppress_seals)
    if settings.suppress_grey_seals:
        gray = suppress_round_seals(gray, settings.ocr_dpi)
    with tempfile.TemporaryDirectory(prefix="ocr-reread-") as tmp:
        path = write_pgm(Path(tmp) / "page.pgm", gray)
        try:
            (result,) = recognize([path], settings, settings.page_timeout_s)
        except OcrEngineError as e:
            raise FilingError(ErrorCode.ocr_failed, f"第 {number} 页重新识别失败：{e}") from e
    places = PlaceNames(settings.place_names, find_cjk_font(settings.glyph_font)) if settings.place_names else None
    return RereadPage(
        text=clean_ocr_text(result.text, places),
        confidence=round(result.confidence, 4),
        rotation=rotation,
        preview_png=encode_preview(preview_image(turned, settings.preview_width), 0),
    )
