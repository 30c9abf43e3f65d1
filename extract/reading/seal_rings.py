"""Round seals on bilevel (fax-like, 1-bit) scans: found by their ring, removed around the text lines.

On a 1-bit scan the court's red seal comes out black, as dark as the text it is stamped over: its ring
and star are dithered into dots and its arc text is a set of thin solid strokes. The Hough transform of
`seals.py` misses many such rings (the dither breaks the edge gradients it relies on), and fading "what is
lighter than ink" does nothing when everything is black. This module works on geometry instead:

- `find_rings`: a seal's ring is a circle of ink with paper just inside and just outside it, so the mean
  ink along a circle of radius r, minus the mean along the circles 3 px inside and outside, peaks
  sharply at a seal and stays low on text (text is about as dense at every radius). One FFT convolution
  per radius on a page reduced to about 1 px per mm.
- `remove_ring_seals`: inside a found ring, (1) the ring band (from the radial ink profile) keeps only
  strokes running across it, not along it (text crossing the ring survives, the ring does not);
  (2) the dense dithered star at the centre is removed; (3) ink inside the seal on rows that carry no
  text outside it (the seal's arc text, the star's points) is removed: a signature block's lines run out
  of the seal; (4) specks left by the dither are removed.

Used only as a re-read variant for pages the quality judge found poor (variants.py), never on the first
read: on a page without a ring it returns the input unchanged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from extract.reading.images import Gray

# Official seals are 38-58 mm across (court and agency seals are 42 mm); a little margin either side.
_MIN_RADIUS_MM = 15.0
_MAX_RADIUS_MM = 32.0
_SIDE_MM = 2.0  # the comparison circles inside and outside the ring
# Mean ink along the ring minus along the circles beside it: seals on the sample's bilevel pages scored
# 0.34-0.53, the 26 pages without one at most 0.12 (dense text, tables).
MIN_CONTRAST = 0.25
_A4_SHORT_MM = 210.0


@dataclass(frozen=True)
class Ring:
    """A seal's ring in page pixels: centre, radius of the circle fitted, and how clearly it stands out."""

    x: float
    y: float
    radius: float
    contrast: float


def page_dpi(gray: Gray) -> float:
    """The page's resolution, taken from its short side as an A4 sheet (court documents are A4); the
    variants get pixels only, and a seal's size in mm is what separates it from a letter."""
    return min(gray.shape) / (_A4_SHORT_MM / 25.4)


def _ink(gray: Gray) -> NDArray[np.uint8]:
    return (gray < 128).astype(np.uint8)


def _circle_kernel(radius: int) -> NDArray[np.float32]:
    """A thin circle (1.5 px wide) whose weights sum to 1: filtering with it gives the mean along it."""
    yy, xx = np.mgrid[-radius - 1 : radius + 2, -radius - 1 : radius + 2]
    dist = np.hypot(yy, xx)
    k = ((dist >= radius - 0.75) & (dist < radius + 0.75)).astype(np.float32)
    return k / max(1.0, float(k.sum()))


@functools.lru_cache(maxsize=256)
def _circle_spectrum(radius: int, shape: tuple[int, int]) -> NDArray[np.float32]:
    """The DFT (CCS-packed) of `_circle_kernel(radius)` placed at the top left of a `shape` array."""
    kernel = _circle_kernel(radius)
    padded = np.zeros(shape, np.float32)
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    return np.asarray(cv2.dft(padded), dtype=np.float32)


def _means_along_circles(small: NDArray[np.float32], radii: range) -> dict[int, NDArray[np.float32]]:
    """Per radius, the mean of `small` along the circle of that radius around each pixel (paper, 0, beyond
    the edges): what cv2.filter2D with `_circle_kernel` gives, by the FFT it switches to for kernels this
    large, with the image's transform done once for all radii instead of once per radius and the kernels'
    transforms kept for the next window of the same size."""
    sh, sw = small.shape
    largest = 2 * radii[-1] + 3  # _circle_kernel's side
    shape = (cv2.getOptimalDFTSize(sh + largest - 1), cv2.getOptimalDFTSize(sw + largest - 1))
    padded = np.zeros(shape, np.float32)
    padded[:sh, :sw] = small
    image = cv2.dft(padded)
    out: dict[int, NDArray[np.float32]] = {}
    for r in radii:
        spectrum = cv2.mulSpectrums(image, _circle_spectrum(r, shape), 0)
        full = cv2.idft(spectrum, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
        c = r + 1  # the kernel's centre: the circles are symmetric, so the convolution is the correlation
        out[r] = np.asarray(full[c : c + sh, c : c + sw], dtype=np.float32)
    return out


def find_rings(gray: Gray, dpi: float | None = None, max_rings: int = 2) -> list[Ring]:
    """Seal rings on the page, clearest first (at most `max_rings`, none overlapping)."""
    if dpi is None:
        dpi = page_dpi(gray)
    scale = max(1, round(dpi / 38.0))  # about 1.5 px per mm: the ring (2 mm wide) stays a few px wide
    h, w = gray.shape
    if min(h, w) // scale < 2 * _MIN_RADIUS_MM:
        return []
    reduced = cv2.resize(_ink(gray).astype(np.float32), (w // scale, h // scale), interpolation=cv2.INTER_AREA)
    small = np.asarray(reduced, dtype=np.float32)
    sh, sw = small.shape
    px_mm = dpi / 25.4 / scale
    side = max(2, round(_SIDE_MM * px_mm))
    r0, r1 = round(_MIN_RADIUS_MM * px_mm), round(_MAX_RADIUS_MM * px_mm)
    along = _means_along_circles(small, range(max(2, r0 - side), r1 + side + 1))
    best = np.full((sh, sw), -1.0, np.float32)  # the contrasts are float32: no value changes
    best_r = np.zeros((sh, sw), np.int32)
    for r in range(max(2 + side, r0), r1 + 1):
        contrast = along[r] - np.maximum(along[r - side], along[r + side])
        better = contrast > best
        np.copyto(best, contrast, where=better)
        np.copyto(best_r, r, where=better)
    rings: list[Ring] = []
    for _ in range(max_rings):
        y, x = np.unravel_index(int(np.argmax(best)), best.shape)
        score = float(best[y, x])
        if score < MIN_CONTRAST:
            break
        r = int(best_r[y, x])
        rings.append(Ring(x=(x + 0.5) * scale, y=(y + 0.5) * scale, radius=r * scale, contrast=score))
        cv2.circle(best, (int(x), int(y)), 2 * r, -1.0, -1)  # seals do not overlap
    return rings


def _ring_band(ink: NDArray[np.uint8], dist: NDArray[np.float64], radius: float) -> tuple[float, float]:
    """Inner and outer radius of the ring's ink, from the mean ink at each distance from the centre."""
    lo, hi = int(0.75 * radius), int(1.25 * radius) + 1
    d = dist.round().astype(np.int64)
    sel = (d >= lo) & (d < hi)
    counts = np.bincount(d[sel], minlength=hi)[lo:hi]
    profile = np.bincount(d[sel], weights=ink[sel].astype(np.float64), minlength=hi)[lo:hi] / np.maximum(counts, 1)
    peak = int(np.argmax(profile))
    level = 0.4 * float(profile[peak])
    a, b = peak, peak
    while a > 0 and profile[a - 1] >= level:
        a -= 1
    while b < len(profile) - 1 and profile[b + 1] >= level:
        b += 1
    return lo + a - 2.0, lo + b + 2.0


def _line_openings(ink: NDArray[np.uint8], length: int) -> dict[int, NDArray[np.uint8]]:
    """Ink that is part of a straight run of `length` px at 0, 45, 90 and 135 degrees (y down)."""
    diag = np.eye(length, dtype=np.uint8)
    kernels = {0: np.ones((1, length), np.uint8), 90: np.ones((length, 1), np.uint8),
               45: np.ascontiguousarray(np.fliplr(diag)), 135: diag}
    return {a: np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, k), dtype=np.uint8) for a, k in kernels.items()}


def _remove_one(out: Gray, ink: NDArray[np.uint8], ring: Ring, dpi: float) -> None:
    h, w = out.shape
    pad = int(1.4 * ring.radius)
    top, left = max(0, int(ring.y) - pad), max(0, int(ring.x) - 3 * pad)
    bottom, right = min(h, int(ring.y) + pad), min(w, int(ring.x) + 3 * pad)
    sub_ink = ink[top:bottom, left:right]
    sub = out[top:bottom, left:right]
    yy, xx = np.mgrid[top:bottom, left:right]
    dy, dx = yy - ring.y, xx - ring.x
    dist = np.hypot(dy, dx)
    inner, outer = _ring_band(sub_ink, dist, ring.radius)
    px_mm = dpi / 25.4
    # (1) Ring band: keep strokes that cross it (their direction at least 40 degrees off the ring's tangent).
    tangent = (np.degrees(np.arctan2(dy, dx)) + 90.0) % 180.0
    across = np.zeros_like(sub_ink)
    for angle, opened in _line_openings(sub_ink, max(5, round(1.5 * px_mm))).items():
        off = np.abs((tangent - angle + 90.0) % 180.0 - 90.0)
        across |= opened & (off >= 40.0).astype(np.uint8)
    across = np.asarray(cv2.dilate(across, np.ones((3, 3), np.uint8)), dtype=np.uint8) & sub_ink
    band = (dist >= inner) & (dist <= outer)
    sub[band & (across == 0)] = 255
    # (2) The star: dithered, far denser than strokes over a 1.5 mm window.
    win = max(3, round(1.5 * px_mm)) | 1
    density = cv2.blur(sub_ink.astype(np.float32), (win, win))
    dense = cv2.dilate((density > 0.45).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    sub[(dist < 0.35 * ring.radius) & dense] = 255
    # (3) Rows inside the seal that carry no text beside it: the seal's arc text and star points.
    disc = dist <= outer
    beside = (dist > outer) & (np.abs(dx) < 1.6 * ring.radius)
    rows = (sub_ink.astype(bool) & beside).sum(axis=1) >= 2
    rows = cv2.dilate(rows.astype(np.uint8).reshape(-1, 1), np.ones((5, 1), np.uint8)).ravel() > 0
    sub[disc & ~rows[:, None]] = 255
    # (4) Specks the dither leaves behind.
    _count, labels, stats, _ = cv2.connectedComponentsWithStats((sub < 128).astype(np.uint8), connectivity=8)
    speck = stats[:, cv2.CC_STAT_AREA] < max(4, round(0.3 * px_mm * px_mm))
    speck[0] = False
    sub[speck[labels] & disc] = 255


def remove_ring_seals(gray: Gray, dpi: float | None = None) -> Gray:
    """`gray` with the seals `find_rings` finds removed; the input itself when it finds none."""
    if dpi is None:
        dpi = page_dpi(gray)
    return remove_rings(gray, find_rings(gray, dpi), dpi)


def remove_rings(gray: Gray, rings: list[Ring], dpi: float) -> Gray:
    """`gray` with the given seals removed (see the module docstring); the input itself without any."""
    if not rings:
        return gray
    out = gray.copy()
    ink = _ink(gray)
    for ring in rings:
        _remove_one(out, ink, ring, dpi)
    return out
