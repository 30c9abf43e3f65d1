"""PDF pages: the text layer where it is usable, otherwise the page as an image for OCR.

Decided per page, not per file: scanned PDFs often carry a born-digital cover page, and some
scanners add an empty or garbage text layer. Pages are yielded one at a time so a 200-page scan
never sits in memory at once. pdfium is not thread-safe: iterate in one thread only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
from PIL import Image

from extract.reading.images import FailedPage, PageImage, jpeg_header, jpeg_sha256, pixel_sha256
from extract.reading.limits import ImageTooLarge, check_pixels, preview_scale
from terms.errors import ErrorCode, FilingError

if TYPE_CHECKING:
    import pdfplumber

_FULL_PAGE_SHARE = 0.85  # an image covering this much of the page is "the scan"
_REOPEN_EVERY = 16  # pages; see PdfSource._reopen
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class TextLayerPage:
    number: int
    text: str
    preview: Image.Image | None


PdfItem = TextLayerPage | PageImage | FailedPage


def _usable_char(ch: str) -> bool:
    if ch.isspace():
        return False
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return True
    if ch.isascii():
        return ch.isprintable()
    cat = unicodedata.category(ch)
    # CJK and full-width punctuation and digits are normal in Chinese documents; Latin-1 letters,
    # private-use glyphs and replacement characters are what broken font encodings produce.
    if "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u206f":
        return True
    return cat.startswith("N") and ch.isdigit()


def text_layer_quality(text: str) -> tuple[int, float]:
    """(usable characters, share of non-space characters that are usable)."""
    cleaned = _CID.sub("\ufffd", text)
    chars = [c for c in cleaned if not c.isspace()]
    if not chars:
        return 0, 0.0
    usable = sum(1 for c in chars if _usable_char(c))
    return usable, usable / len(chars)


def text_layer_broken(text: str) -> bool:
    """A font without a Unicode mapping for some glyphs: NUL or other control characters (二\x00二六年
    for 二〇二六年), or private-use, noncharacter and replacement characters. Such a layer hides exactly the digits
    and dates we need, so the page is read by OCR instead."""
    odd = 0
    for ch in text:
        if ch in "\n\r\t\f\v":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs"):
            return True
        if cat in ("Co", "Cn") or ch == "\ufffd":  # pdfium shows an unmapped glyph as U+FFFE (Cn)
            odd += 1
            if odd >= 2:
                return True
    return False


def text_layer_usable(text: str, min_chars: int, has_scan_image: bool) -> bool:
    if text_layer_broken(text):
        return False
    usable, share = text_layer_quality(text)
    if share < 0.8:
        return False
    # A short text layer on a page that is mostly a scanned image is usually a scanner's stamp or
    # a partial OCR layer; a short one on a page without a scan is just a short page.
    return usable >= min_chars or (usable > 0 and not has_scan_image)


class PdfSource:
    """An open PDF; use as a context manager and iterate `pages()` in one thread."""

    def __init__(self, data: bytes, render_dpi: int, preview_width: int, min_text_chars: int, max_pixels: int) -> None:
        self._data = data
        self._render_dpi = render_dpi
        self._preview_width = preview_width
        self._min_text_chars = min_text_chars
        self._max_pixels = max_pixels
        try:
            self._doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            raise _open_error(e) from e
        self._plumber: pdfplumber.PDF | None = None

    def __enter__(self) -> PdfSource:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()
            self._plumber = None
        self._doc.close()

    @property
    def page_count(self) -> int:
        return len(self._doc)

    def pages(self) -> Iterator[PdfItem]:
        for index in range(len(self._doc)):
            if index and index % _REOPEN_EVERY == 0:
                self._reopen()
            yield self._item(index)

    def page(self, number: int) -> PdfItem:
        """Page `number` (1-based) alone, as pages() gives it: a second read of one page need not
        decode, render or hash the pages before it."""
        return self._item(number - 1)

    def _item(self, index: int) -> PdfItem:
        try:
            return self._page(index)
        except ImageTooLarge as e:
            return FailedPage(number=index + 1, error=f"page too large to read safely: {e}", too_large=True)
        except (pdfium.PdfiumError, OSError, ValueError, MemoryError) as e:
            return FailedPage(number=index + 1, error=f"page could not be read: {e}")

    def _reopen(self) -> None:
        # pdfium keeps every object it has parsed, each page's scan image stream included, until the
        # document is closed: a long scan would end up in memory twice. Reopening costs ~0.3 ms.
        self._doc.close()
        try:
            self._doc = pdfium.PdfDocument(self._data)
        except pdfium.PdfiumError as e:
            raise _open_error(e) from e

    def _page(self, index: int) -> PdfItem:
        page = self._doc[index]
        try:
            width, height = page.get_size()
            images = _page_images(page)
            # Every render decodes the page's images at full size first: refuse from their declared size.
            for image in images:
                w_px, h_px = image.get_px_size()
                check_pixels(w_px, h_px, self._max_pixels, "an image on the page")
            scan = _scan_image(page, width, height, images)
            textpage = page.get_textpage()
            quick_text = textpage.get_text_range()
            textpage.close()
            if text_layer_usable(quick_text, self._min_text_chars, scan is not None):
                text = self._plumber_text(index)
                if text_layer_quality(text)[0] < 0.9 * text_layer_quality(quick_text)[0]:
                    text = quick_text.replace("\r\n", "\n")  # pdfminer cannot decode some CID fonts pdfium can
                if not text_layer_broken(text):
                    return TextLayerPage(number=index + 1, text=text, preview=self._render(page, width, preview=True))
            if scan is not None:
                jpeg = _plain_jpeg(scan)
                if jpeg is not None:
                    data, (w_px, h_px) = jpeg
                    if w_px * h_px > self._max_pixels:
                        return FailedPage(number=index + 1, error=f"page image too large ({w_px}x{h_px} pixels)")
                    return PageImage(number=index + 1, image=None, dpi=w_px / (width / 72.0),
                                     sha256=jpeg_sha256(data), encoded=data)
                img = scan.get_bitmap(render=False).to_pil()
                img = img.copy() if img.mode in ("L", "1", "RGB") else img.convert("RGB")
                dpi = img.width / (width / 72.0)
            else:
                img = self._render(page, width, preview=False)
                dpi = float(self._render_dpi)
            if img.width * img.height > self._max_pixels:
                return FailedPage(number=index + 1, error=f"page image too large ({img.width}x{img.height} pixels)")
            return PageImage(number=index + 1, image=img, dpi=dpi, sha256=pixel_sha256(img))
        finally:
            page.close()

    def preview(self, number: int) -> Image.Image:
        """Page `number` (1-based) rendered `preview_width` pixels wide, as the page displays."""
        page = self._doc[number - 1]
        try:
            return self._render(page, page.get_size()[0], preview=True)
        finally:
            page.close()

    def _render(self, page: pdfium.PdfPage, width_pt: float, preview: bool) -> Image.Image:
        height_pt = page.get_size()[1]
        if preview:
            scale = preview_scale(width_pt, height_pt, self._preview_width / width_pt)
        else:
            scale = self._render_dpi / 72.0
            check_pixels(width_pt * scale, height_pt * scale, self._max_pixels, f"the page at {self._render_dpi} dpi")
        bitmap = page.render(scale=scale, may_draw_forms=True)
        img = bitmap.to_pil()
        return img.convert("RGB") if img.mode != "RGB" else img.copy()

    def _plumber_text(self, index: int) -> str:
        # pdfplumber orders text by layout (lines, reading order) better than pdfium's stream order.
        try:
            if self._plumber is None:
                import io

                # Imported here: pdfminer costs ~20 MB at import, and scanned PDFs never need it.
                import pdfplumber

                self._plumber = pdfplumber.open(io.BytesIO(self._data))
            page = self._plumber.pages[index]
            try:
                return page.extract_text() or ""
            finally:
                page.close()
        except Exception:  # pdfminer raises many types; pdfium's text is the fallback
            return ""


def _page_images(page: pdfium.PdfPage) -> list[pdfium.PdfImage]:
    """The page's image objects, those inside form XObjects included."""
    return [obj for obj in page.get_objects(max_depth=3) if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]


def _scan_image(page: pdfium.PdfPage, width: float, height: float,
                images: list[pdfium.PdfImage]) -> pdfium.PdfImage | None:
    """The single upright image covering the page, if the page is a plain scan; else None."""
    if page.get_rotation() % 360:
        return None
    images = [obj for obj in images if obj.level == 0]
    if len(images) != 1:
        return None
    image = images[0]
    m = image.get_matrix()
    if abs(m.b) > 1e-6 or abs(m.c) > 1e-6 or m.a <= 0 or m.d <= 0:
        return None  # rotated or mirrored placement: let pdfium render it
    left, bottom, right, top = image.get_bounds()
    covered = max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
    if covered < _FULL_PAGE_SHARE * width * height:
        return None
    return image


# pdfium colour space → the PIL mode its bitmap of such an image has; Pillow decodes a JPEG in these
# spaces to the very same pixels (both use libjpeg-turbo's defaults).
_JPEG_MODES = {pdfium.raw.FPDF_COLORSPACE_DEVICEGRAY: ("L", 8), pdfium.raw.FPDF_COLORSPACE_DEVICERGB: ("RGB", 24)}


def _plain_jpeg(image: pdfium.PdfImage) -> tuple[bytes, tuple[int, int]] | None:
    """The image's JPEG stream and pixel size, when decoding that stream with Pillow gives exactly the
    bitmap pdfium would; None otherwise (CMYK or ICC colour, other codecs, a header Pillow cannot read),
    and then pdfium decodes it. A stream damaged past its header is passed on and fails at decoding."""
    filters = image.get_filters(skip_simple=True)
    if filters != ["DCTDecode"]:
        return None
    meta = image.get_metadata()
    expected = _JPEG_MODES.get(meta.colorspace)
    if expected is None or expected[1] != meta.bits_per_pixel:
        return None
    data = bytes(image.get_data(decode_simple=True))
    header = jpeg_header(data)
    if header != (expected[0], (meta.width, meta.height)):
        return None
    return data, (meta.width, meta.height)


def _open_error(e: Exception) -> FilingError:
    msg = str(e).lower()
    if "password" in msg or "security" in msg:
        return FilingError(ErrorCode.encrypted_pdf,
                           "The PDF is password-protected. Ask the sender to send it again without a password.")
    return FilingError(ErrorCode.corrupt_pdf,
                       f"The PDF cannot be opened ({e}). Ask the sender to export or scan it again and resend.")
