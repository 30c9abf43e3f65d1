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
from PIL import Image, ImageOps, ImageSequence

Gray = NDArray[np.uint8]

A4_SHORT_SIDE_IN = 8.27
# Photos and images without a usable DPI: assume the page's short side fills the frame.
_MIN_PLAUSIBLE_DPI = 50.0


class ImageDecodeError(Exception):
    """The bytes are not an image we can read."""


class ImageTooLarge(Exception):
    """More pixels than allowed: a decompression bomb or an absurd scan."""


@dataclass
class PageImage:
    """One page as an image, before OCR preprocessing."""

    number: int  # 1-based within the file
    image: Image.Image
    dpi: float  # effective resolution of the page image
    sha256: str  # of the decoded pixels, the OCR cache key's base


def pixel_sha256(img: Image.Image) -> str:
    h = hashlib.sha256(f"{img.mode}:{img.width}x{img.height}:".encode())
    h.update(img.tobytes())
    return h.hexdigest()


def effective_dpi(img: Image.Image, declared: float | None) -> float:
    if declared and declared >= _MIN_PLAUSIBLE_DPI:
        return float(declared)
    return min(img.size) / A4_SHORT_SIDE_IN


def _declared_dpi(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and dpi[0]:
        try:
            return float(dpi[0])
        except (TypeError, ValueError):
            return None
    return None


def iter_image_file(data: bytes, max_pixels: int) -> Iterator[PageImage]:
    """Pages of a JPEG/PNG/TIFF file (every TIFF frame), each upright per its EXIF orientation."""
    try:
        container = Image.open(io.BytesIO(data))
        for index, frame in enumerate(ImageSequence.Iterator(container), start=1):
            if frame.width * frame.height > max_pixels:
                raise ImageTooLarge(f"page {index} has {frame.width}x{frame.height} pixels (limit {max_pixels})")
            declared = _declared_dpi(frame)
            page = ImageOps.exif_transpose(frame)  # a new image, or None-safe copy below
            page = page.copy() if page is frame else page
            page.load()
            yield PageImage(number=index, image=page, dpi=effective_dpi(page, declared), sha256=pixel_sha256(page))
    except Image.DecompressionBombError as e:
        raise ImageTooLarge(str(e)) from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise ImageDecodeError(str(e) or type(e).__name__) from e


def count_image_frames(data: bytes) -> int:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return int(getattr(img, "n_frames", 1))
    except (OSError, ValueError, SyntaxError) as e:
        raise ImageDecodeError(str(e) or type(e).__name__) from e


def to_gray(img: Image.Image, suppress_seals: bool) -> Gray:
    """Greyscale for OCR. Red seals over text are whitened by taking the red channel where a pixel is
    clearly red: red ink is bright in the red channel while black text stays dark."""
    if img.mode == "1":
        return np.asarray(img.convert("L"), dtype=np.uint8)
    if img.mode in ("L", "I;16", "I", "F"):
        grey = np.asarray(img.convert("L"), dtype=np.uint8)
        return suppress_grey_seal(grey) if suppress_seals else grey
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


def suppress_grey_seal(gray: Gray) -> Gray:
    """Whiten mid-grey ink (a red seal scanned in greyscale) while keeping dark text.

    The cut sits between the dark ink level and the paper level found in the histogram, so faint
    scans keep their text. Values under the cut are stretched so text contrast is not lost.
    """
    small = gray[::4, ::4]
    paper = float(np.percentile(small, 60))
    ink_pixels = small[small < paper - 60]
    if ink_pixels.size < 200:
        return gray
    ink = float(np.percentile(ink_pixels, 10))
    cut = ink + 0.55 * (paper - ink)
    lut = np.clip((np.arange(256, dtype=np.float32) - ink) * (255.0 / max(1.0, cut - ink)) + ink, 0, 255)
    lut[np.arange(256) >= cut] = 255
    return np.asarray(cv2.LUT(gray, lut.astype(np.uint8)), dtype=np.uint8)


def estimate_skew(gray: Gray, max_deg: float) -> float:
    """Small skew in degrees (positive = text lines rise to the right), by projection profiles.

    Works on a half-size binarized copy and shifts ink coordinates instead of rotating images,
    so it costs a few milliseconds.
    """
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    if ys.size < 500:
        return 0.0
    if ys.size > 150_000:
        pick = np.random.default_rng(0).choice(ys.size, 150_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs_c = xs.astype(np.float64) - small.shape[1] / 2
    ys_f = ys.astype(np.float64)

    def score(deg: float) -> float:
        rows = np.round(ys_f + xs_c * math.tan(math.radians(deg))).astype(np.int64)
        rows -= rows.min()
        hist = np.bincount(rows).astype(np.float64)
        return float((hist * hist).sum())

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    best_fine = float(max(fine, key=score))
    return round(best_fine, 2)


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


def rescale_to_dpi(img: Image.Image, dpi: float, target_dpi: int) -> Image.Image:
    """Bring the page to the DPI tesseract reads best (200 for chi_sim); skip small differences."""
    factor = target_dpi / dpi
    if 0.87 <= factor <= 1.15:
        return img
    size = (max(1, round(img.width * factor)), max(1, round(img.height * factor)))
    src = img.convert("L") if img.mode == "1" else img
    return src.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)


def preview_image(img: Image.Image, width: int) -> Image.Image:
    """A small copy for the review UI (colour kept so seals stay visible)."""
    src = img if img.mode in ("L", "RGB") else img.convert("RGB" if img.mode not in ("1", "LA") else "L")
    if src.width <= width:
        return src.copy()
    height = max(1, round(src.height * width / src.width))
    return src.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)


def encode_preview(img: Image.Image, rotation_cw: int) -> bytes:
    turns = (rotation_cw // 90) % 4
    if turns:
        # PIL's ROTATE_n turns counter-clockwise.
        turn = (Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_90)[turns - 1]
        img = img.transpose(turn)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()
