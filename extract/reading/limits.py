"""Pixel limits that hold whatever a file claims about itself.

Checked before every decode, render and resize, from sizes that cost nothing to know (an image's
declared dimensions, a PDF page's size in points times the render scale), so a hostile file fails
on its own page with a clear error instead of taking gigabytes first.
"""

from __future__ import annotations

import math

# A declared resolution is believed only when the page it implies is a plausible sheet of paper:
# at most this many inches on its short side (A0 is 33.1 in) and within this dpi range. Otherwise
# the caller falls back to "the short side is an A4 page".
MAX_PAGE_SHORT_SIDE_IN = 34.0
MIN_PLAUSIBLE_DPI = 50.0
MAX_PLAUSIBLE_DPI = 2400.0
# Preview renders are small by design; a page of absurd proportions must not make them large.
MAX_PREVIEW_PIXELS = 4_000_000


class ImageTooLarge(Exception):
    """More pixels than allowed: a decompression bomb, an absurd scan or an absurd page size."""


def check_pixels(width: float, height: float, limit: int, what: str) -> None:
    """Raise ImageTooLarge when `width` x `height` exceeds `limit` pixels."""
    w, h = math.ceil(max(width, 0.0)), math.ceil(max(height, 0.0))
    if w * h > limit:
        raise ImageTooLarge(f"{what} would be {w}x{h} pixels ({w * h / 1e6:.0f} Mpx; limit {limit / 1e6:.0f} Mpx)")


def plausible_dpi(declared: float | None, width_px: int, height_px: int) -> float | None:
    """The declared dpi when it describes a real sheet of paper, else None."""
    if not declared or not math.isfinite(declared):
        return None
    if not MIN_PLAUSIBLE_DPI <= declared <= MAX_PLAUSIBLE_DPI:
        return None
    if min(width_px, height_px) / declared > MAX_PAGE_SHORT_SIDE_IN:
        return None
    return float(declared)


def preview_scale(width_pt: float, height_pt: float, wanted: float) -> float:
    """`wanted` render scale, reduced so the preview stays under MAX_PREVIEW_PIXELS."""
    area = max(width_pt, 1e-3) * max(height_pt, 1e-3) * wanted * wanted
    return wanted if area <= MAX_PREVIEW_PIXELS else wanted * math.sqrt(MAX_PREVIEW_PIXELS / area)
