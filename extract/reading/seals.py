"""Round official seals on greyscale pages: find them and fade them out, keeping the text under them.

Every court and agency document ends with a round seal stamped over the signature block (court
name and date). Scanned in greyscale or bilevel the seal is as dark as text, and tesseract's page
layout analysis then drops the whole block as a picture. Seals are circles 2.4-6.8 cm across; a Hough
transform finds them reliably, and inside a found circle everything clearly lighter than text ink
(the seal's red ink scans mid-grey) is set to paper. Colour scans are handled earlier by taking
the red channel (`images.to_gray`).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from extract.reading.images import Gray

# Seals of 2.4 to 6.8 cm diameter; on the sample's pages (150 dpi) a radius of 35-100 px at half size.
_MIN_RADIUS_MM = 12.0
_MAX_RADIUS_MM = 34.0
_GROW = 1.12  # the ring's outer edge and the glyphs stamped on it lie slightly outside the fitted circle


_PRE_ROUNDNESS = 0.4  # the half-size transform asks 0.6


def _half(gray: Gray) -> Gray:
    return np.asarray(cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA),
                      dtype=np.uint8)


def _may_hold_seal(small: Gray, dpi: float) -> bool:
    """A cheap look before the Hough transform: the same transform on a quarter-size copy, with looser
    edge, roundness and radius limits, finds a circle on every page the half-size one finds one on (all
    pages of the sample and real-dev: none missed) and on only about half the others, at a quarter of
    the cost."""
    quarter = cv2.resize(small, (small.shape[1] // 2, small.shape[0] // 2), interpolation=cv2.INTER_AREA)
    blur = cv2.GaussianBlur(quarter, (3, 3), 0.75)
    px_per_mm = dpi / 25.4 / 4
    found = cv2.HoughCircles(blur, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=25, param1=100, param2=_PRE_ROUNDNESS,
                             minRadius=round(0.9 * _MIN_RADIUS_MM * px_per_mm),
                             maxRadius=round(1.1 * _MAX_RADIUS_MM * px_per_mm))
    return found is not None


def find_seals(gray: Gray, dpi: float, small: Gray | None = None) -> list[tuple[float, float, float]]:
    """Circles (x, y, radius) in `gray`'s pixels that look like stamped seals."""
    if small is None:
        small = _half(gray)
    if not _may_hold_seal(small, dpi):
        return []
    blur = cv2.GaussianBlur(small, (5, 5), 1.5)
    px_per_mm = dpi / 25.4 / 2
    found = cv2.HoughCircles(blur, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=50, param1=150, param2=0.6,
                             minRadius=round(_MIN_RADIUS_MM * px_per_mm), maxRadius=round(_MAX_RADIUS_MM * px_per_mm))
    if found is None:
        return []
    return [(2 * float(x), 2 * float(y), 2 * float(r)) for x, y, r in found[0]]


def paper_and_ink(small: Gray, away: NDArray[np.bool_] | None = None) -> tuple[float, float] | None:
    """Typical paper and text-ink grey levels (measured away from seals); None with almost no ink."""
    pixels = small[~away] if away is not None and not away.all() else small
    paper = float(np.percentile(pixels, 75))
    dark = pixels[pixels < paper - 80]
    if dark.size < 200:
        return None
    return paper, float(np.percentile(dark, 20))


def suppress_round_seals(gray: Gray, dpi: float) -> Gray:
    """`gray` with found seals faded to paper; the input itself when there is nothing to do."""
    if min(gray.shape) < 100:
        return gray
    small = _half(gray)
    circles = find_seals(gray, dpi, small)
    if not circles:
        return gray
    inside = np.zeros(gray.shape, np.uint8)
    for x, y, r in circles:
        cv2.circle(inside, (round(x), round(y)), round(r * _GROW), 1, -1)
    levels = paper_and_ink(small, inside[: 2 * small.shape[0] : 2, : 2 * small.shape[1] : 2] > 0)
    if levels is None:
        return gray
    paper, ink = levels
    out = gray.copy()
    # Text strokes scan darker than any seal stroke; this cut measured best between 0.2 and 0.4.
    out[(inside > 0) & (gray >= ink + 0.28 * (paper - ink))] = 255
    return out
