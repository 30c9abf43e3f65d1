"""Pure image work for OCR: load image files, normalize scale, suppress seals, deskew, rotate, preview.

No I/O beyond bytes in and bytes/arrays out, so every step is unit-testable.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from extract.reading.limits import ImageTooLarge, check_pixels, plausible_dpi

Gray = NDArray[np.uint8]

A4_SHORT_SIDE_IN = 8.27
# Photos and images without a usable DPI: assume the page's short side fills the frame.


class ImageDecodeError(Exception):
    """The bytes are not an image we can read."""


@dataclass
class PageImage:
    """One page as an image, before OCR preprocessing: decoded (`image`) or still a JPEG (`encoded`)."""

    number: int  # 1-based within the file
    image: Image.Image | None
    dpi: float  # effective resolution of the page image
    sha256: str  # of the decoded pixels or of the JPEG stream: the OCR cache key's base
    # A scanned PDF page's JPEG stream as stored. It is ~20x smaller than its pixels, so pages waiting
    # for an OCR worker cost little; the worker decodes it (`load`). Set only when decoding it here
    # gives exactly the pixels pdfium would (see extract/reading/pdf.py).
    encoded: bytes | None = None

    def load(self) -> Image.Image:
        """The page's pixels; decodes `encoded` anew on every call (nothing is kept). Raises
        ImageDecodeError for a damaged JPEG."""
        if self.image is not None:
            return self.image
        if self.encoded is None:
            raise ImageDecodeError("the page image was already released")
        return decode_jpeg(self.encoded)

    def release(self) -> None:
        """Drop the page's data once it has been converted for OCR."""
        self.image = None
        self.encoded = None


@dataclass
class FailedPage:
    """A page that could not be read while the rest of its file could."""

    number: int
    error: str
    too_large: bool = False  # refused by a pixel limit rather than damaged


def pixel_sha256(img: Image.Image) -> str:
    h = hashlib.sha256(f"{img.mode}:{img.width}x{img.height}:".encode())
    # In bands of rows: the same bytes as img.tobytes(), without a second copy of a large page.
    band = max(1, (8 << 20) // max(1, img.width * len(img.getbands())))
    for top in range(0, img.height, band):
        h.update(img.crop((0, top, img.width, min(img.height, top + band))).tobytes())
    return h.hexdigest()


def jpeg_sha256(data: bytes) -> str:
    # Hashing the stream instead of the pixels spares a decode; the prefix keeps the two kinds apart.
    h = hashlib.sha256(b"jpeg:")
    h.update(data)
    return h.hexdigest()


def jpeg_header(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """(PIL mode, size) from a JPEG's header without decoding it; None when it is not a readable JPEG."""
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
            return img.mode, img.size
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None


def decode_jpeg(data: bytes) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data), formats=["JPEG"])
        img.load()  # a truncated or damaged stream fails here rather than being padded with grey
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as e:
        raise ImageDecodeError(f"the page's JPEG image is damaged: {e}") from e
    return img


def effective_dpi(img: Image.Image, declared: float | None) -> float:
    # A declared dpi that makes the page metres wide (an 8,900-pixel image "at 52 dpi") would have the
    # page enlarged to gigapixels for OCR: believe it only when it describes a real sheet of paper.
    if plausible_dpi(declared, img.width, img.height) is not None:
        return float(declared or 0)
    return min(img.size) / A4_SHORT_SIDE_IN


def _declared_dpi(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and dpi[0]:
        try:
            # Non-square pixels are made square at the finer resolution (square_pixels).
            return float(max(dpi[0], dpi[-1]))
        except (TypeError, ValueError):
            return None
    return None


def iter_image_file(data: bytes, max_pixels: int) -> Iterator[PageImage | FailedPage]:
    """Pages of a JPEG/PNG/TIFF file (every TIFF frame), each upright per its EXIF orientation.

    A file that cannot be opened raises ImageDecodeError; a damaged later frame becomes a FailedPage.
    """
    container = _open_image(data, max_pixels)
    frames = int(getattr(container, "n_frames", 1))
    for index in range(1, frames + 1):
        try:
            page, dpi = _frame(container, index, frames, max_pixels)
        except (OSError, ValueError, SyntaxError, EOFError) as e:
            yield FailedPage(number=index, error=f"page {index} of the image file is damaged: {e}")
            continue
        yield PageImage(number=index, image=page, dpi=dpi, sha256=pixel_sha256(page))


def image_file_page(data: bytes, number: int, max_pixels: int) -> tuple[Image.Image, float] | None:
    """Page `number` of an image file and its dpi, as iter_image_file gives it, without decoding or
    hashing the frames before it (a second read of one page of a long TIFF). None when the file has
    no such page or the frame is damaged; a file that cannot be opened raises as iter_image_file does."""
    container = _open_image(data, max_pixels)
    frames = int(getattr(container, "n_frames", 1))
    if not 1 <= number <= frames:
        return None
    try:
        return _frame(container, number, frames, max_pixels)
    except (OSError, ValueError, SyntaxError, EOFError):
        return None


def _open_image(data: bytes, max_pixels: int) -> Image.Image:
    try:
        container = Image.open(io.BytesIO(data))
        check_pixels(container.width, container.height, max_pixels, "the image")  # before decoding anything
        container.load()
    except Image.DecompressionBombError as e:
        raise ImageTooLarge(str(e)) from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise ImageDecodeError(str(e) or type(e).__name__) from e
    return container


def _frame(container: Image.Image, index: int, frames: int, max_pixels: int) -> tuple[Image.Image, float]:
    """Frame `index` (1-based) upright with square pixels, and its effective dpi."""
    container.seek(index - 1)
    if container.width * container.height > max_pixels:
        raise ImageTooLarge(f"page {index} has {container.width}x{container.height} pixels (limit {max_pixels})")
    declared = _declared_dpi(container)
    container.load()
    page = square_pixels(_upright(container, frames), container.info.get("dpi"))
    return page, effective_dpi(page, declared)


def square_pixels(img: Image.Image, dpi: object) -> Image.Image:
    """Stretch a page whose pixels are not square back to its printed shape.

    Fax "standard" resolution is 204 x 98 dpi: read as it is, every line of text is squashed to half
    its height and tesseract reads noise. The page is scaled up vertically (or horizontally) to the
    finer of the two resolutions.
    """
    if not (isinstance(dpi, tuple) and len(dpi) == 2):
        return img
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError):
        return img
    # Square pixels, resolutions too low to be real, and aspect ratios no scanner makes (fax: 2.08) are left
    # as they are: stretching must not multiply the pixels the image-size limit allowed.
    if x < 25 or y < 25 or 0.9 <= x / y <= 1.1 or max(x, y) / min(x, y) > 2.5:
        return img
    size = (img.width, round(img.height * x / y)) if x > y else (round(img.width * y / x), img.height)
    src = img.convert("L") if img.mode == "1" else img
    return src.resize(size, Image.Resampling.BICUBIC)


def _upright(container: Image.Image, frames: int) -> Image.Image:
    """The current frame upright per its EXIF orientation: a new image, except for a single upright
    frame, which is returned as decoded (no second copy of a possibly 80-Mpx page)."""
    if frames == 1 and container.getexif().get(0x0112, 1) in (1, None):
        return container
    page = ImageOps.exif_transpose(container)
    page.load()
    return page


def count_image_frames(data: bytes) -> int:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return int(getattr(img, "n_frames", 1))
    except (OSError, ValueError, SyntaxError) as e:
        raise ImageDecodeError(str(e) or type(e).__name__) from e


def to_gray(img: Image.Image, suppress_seals: bool) -> Gray:
    """Greyscale for OCR. Red seals over text are whitened by taking the red channel where a pixel is
    clearly red: red ink is bright in the red channel while black text stays dark."""
    if img.mode == "L":
        return np.asarray(img, dtype=np.uint8)  # convert("L") would copy the page first
    if img.mode in ("1", "I;16", "I", "F"):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
    gray: Gray = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    if suppress_seals:
        r = rgb[..., 0].astype(np.int16)
        g = rgb[..., 1].astype(np.int16)
        b = rgb[..., 2].astype(np.int16)
        red = (r - np.maximum(g, b)) > 40
        if red.any():
            gray = np.where(red, np.maximum(gray, rgb[..., 0]), gray).astype(np.uint8)
    return np.ascontiguousarray(gray)


def estimate_skew(gray: Gray, max_deg: float) -> float:
    """Small skew in degrees (positive = text lines rise to the right), by projection profiles.

    Shears ink coordinates instead of rotating images: a coarse search on a quarter-size copy,
    then a fine one on a half-size sample; ~15 ms per A4 page.
    """
    h, w = gray.shape

    def ink_points(scale: int, limit: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        small = cv2.resize(gray, (w // scale, h // scale), interpolation=cv2.INTER_AREA)
        _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        ys, xs = np.nonzero(ink)
        if ys.size > limit:
            pick = np.random.default_rng(0).choice(ys.size, limit, replace=False)
            ys, xs = ys[pick], xs[pick]
        return ys.astype(np.float64), xs.astype(np.float64) - small.shape[1] / 2

    def best(ys: NDArray[np.float64], xs: NDArray[np.float64], angles: NDArray[np.float64]) -> float:
        scores = []
        for deg in angles:
            rows = np.round(ys + xs * math.tan(math.radians(deg))).astype(np.int64)
            hist = np.bincount(rows - rows.min()).astype(np.float64)
            scores.append(float((hist * hist).sum()))
        return float(angles[int(np.argmax(scores))])

    ys, xs = ink_points(4, 40_000)
    if ys.size < 300:
        return 0.0
    coarse = best(ys, xs, np.arange(-max_deg, max_deg + 1e-9, 0.5))
    ys, xs = ink_points(2, 60_000)
    fine = best(ys, xs, np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.1))
    return round(fine, 2)


def rotate_small(gray: Gray, degrees_ccw: float) -> Gray:
    """Rotate by a small angle around the centre, white fill, same size."""
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees_ccw, 1.0)
    return np.asarray(cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255,)), dtype=np.uint8)


def deskew(gray: Gray, max_deg: float) -> tuple[Gray, float]:
    angle = estimate_skew(gray, max_deg)
    if abs(angle) < 0.2:
        return gray, 0.0
    # Lines rising to the right (positive estimate) need a clockwise turn.
    return rotate_small(gray, -angle), angle


def rotate_quarter(gray: Gray, degrees_cw: int) -> Gray:
    turns = (degrees_cw // 90) % 4
    return np.ascontiguousarray(np.rot90(gray, k=-turns)) if turns else gray


def rescale_to_dpi(img: Image.Image, dpi: float, target_dpi: int, max_pixels: int | None = None) -> Image.Image:
    """Bring the page to the DPI tesseract reads best (200 for chi_sim); skip small differences.

    Raises ImageTooLarge, before resizing, when the result would exceed `max_pixels`."""
    factor = target_dpi / dpi
    if 0.87 <= factor <= 1.15:
        if max_pixels is not None:
            check_pixels(img.width, img.height, max_pixels, "the page for OCR")
        return img
    size = (max(1, round(img.width * factor)), max(1, round(img.height * factor)))
    if max_pixels is not None:
        check_pixels(size[0], size[1], max_pixels, f"the page at {target_dpi} dpi for OCR")
    src = img.convert("L") if img.mode == "1" else img
    return src.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)


def preview_image(img: Image.Image, width: int) -> Image.Image:
    """A small copy for the review UI (colour kept so seals stay visible)."""
    if img.mode not in ("L", "RGB"):
        img = img.convert("L" if img.mode in ("1", "LA", "I", "I;16", "F") else "RGB")
    if img.width <= width:
        return img.copy()
    height = max(1, round(img.height * width / img.width))
    factor = img.width // (2 * width)
    if factor >= 2:
        # A box-filter reduction first, so a huge page is never copied whole into an array.
        img = img.reduce(factor)
    # OpenCV's area filter is several times faster than Pillow's resize at equal quality.
    small = cv2.resize(np.asarray(img), (width, height), interpolation=cv2.INTER_AREA)
    return Image.fromarray(small, mode=img.mode)


_GREY16 = [c for v in range(16) for c in (v * 17,) * 3]
# Paper noise is flattened to white and ink kept in 16 grey levels: previews compress 3-4x better
# and encode 3x faster than 8-bit greyscale, with no visible loss for reading a page.
_GREY16_LUT = [15 if v >= 200 else v // 16 for v in range(256)]


def _turn(img: Image.Image, rotation_cw: int) -> Image.Image:
    turns = (rotation_cw // 90) % 4
    if not turns:
        return img
    # PIL's ROTATE_n turns counter-clockwise.
    return img.transpose((Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_90)[turns - 1])


def encode_preview(img: Image.Image, rotation_cw: int) -> bytes:
    img = _turn(img, rotation_cw)
    if img.mode == "L":
        out = Image.frombytes("P", img.size, img.point(_GREY16_LUT).tobytes())
        out.putpalette(_GREY16)
        bits = 4
    else:
        out = img.convert("RGB").quantize(64, method=Image.Quantize.FASTOCTREE)
        bits = 8
    # A palette image's transparency entry survives conversion and makes the PNG writer fail.
    out.info.pop("transparency", None)
    buf = io.BytesIO()
    out.save(buf, format="PNG", compress_level=3, bits=bits)
    return buf.getvalue()


def turn_preview(png: bytes, rotation_cw: int) -> bytes:
    """A PNG from encode_preview turned by `rotation_cw` degrees clockwise, without the source image:
    the palette image is turned as it is, so no quality is lost."""
    if not (rotation_cw // 90) % 4:
        return png
    with Image.open(io.BytesIO(png)) as img:
        img.load()
        out = _turn(img, rotation_cw)
    out.info.pop("transparency", None)
    bits = 4 if len(out.getpalette() or []) <= 16 * 3 else 8
    buf = io.BytesIO()
    out.save(buf, format="PNG", compress_level=3, bits=bits)
    return buf.getvalue()
