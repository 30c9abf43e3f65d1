"""Other ways to present a poorly read page to tesseract (pure image work, greyscale in and out).

Used only for pages whose first reading the judge (extract/reading/quality.py) found poor, so none of this
costs anything on a good page. Each variant answers one way scans go wrong:
- `contrast`: faint or blurred print (low contrast, phone photos, dark paper): local contrast
  equalisation and an unsharp mask bring strokes back above tesseract's threshold;
- `smooth`: bilevel fax-like scans with dithered grey (seals, photos of stamps): a small blur turns the
  dither into grey that Sauvola binarisation then separates from solid text strokes;
- `ink`: anything lighter than text ink across the whole page (seals outside a clean circle, stains,
  background patterns, coloured stamps scanned grey) set to paper;
- `upscale`: small print at a low scan resolution: twice the pixels, read at twice the dpi;
- `seal`: a round seal stamped over the signature block of a bilevel scan, where it is as black as the
  text: found by its ring and removed around the text lines (seal_rings.py). Tried first: it only applies
  where a ring is found (elsewhere the page is left as it is and not read again), and there it is the
  variant that answers the problem.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from extract.reading.images import Gray
from extract.reading.seal_rings import remove_ring_seals
from extract.reading.seals import paper_and_ink


def contrast(gray: Gray) -> Gray:
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
    eq = clahe.apply(gray)
    blur = cv2.GaussianBlur(eq, (0, 0), 2.0)
    sharp = cv2.addWeighted(eq, 1.6, blur, -0.6, 0)
    return np.asarray(sharp, dtype=np.uint8)


def smooth(gray: Gray) -> Gray:
    blur = cv2.GaussianBlur(gray, (0, 0), 1.2)
    return np.asarray(cv2.normalize(blur, None, 0, 255, cv2.NORM_MINMAX), dtype=np.uint8)


def ink(gray: Gray) -> Gray:
    small = cv2.resize(gray, (max(1, gray.shape[1] // 2), max(1, gray.shape[0] // 2)), interpolation=cv2.INTER_AREA)
    levels = paper_and_ink(np.asarray(small, dtype=np.uint8))
    if levels is None:
        return gray
    paper, dark = levels
    out = gray.copy()
    out[gray >= dark + 0.45 * (paper - dark)] = 255
    return out


def upscale(gray: Gray) -> Gray:
    return np.asarray(cv2.resize(gray, (gray.shape[1] * 2, gray.shape[0] * 2), interpolation=cv2.INTER_CUBIC),
                      dtype=np.uint8)


def seal(gray: Gray) -> Gray:
    return remove_ring_seals(gray)


# In the order they are tried; a page stops at the first variant that reads well. The factor is the
# variant's resolution relative to the page's (tesseract is told the dpi accordingly). A variant that
# returns its input unchanged has nothing to offer on that page, which is then not read again.
VARIANTS: tuple[tuple[str, Callable[[Gray], Gray], int], ...] = (
    ("seal", seal, 1),
    ("contrast", contrast, 1),
    ("smooth", smooth, 1),
    ("ink", ink, 1),
    ("upscale", upscale, 2),
)


def text_crop(gray: Gray, share: float = 0.6) -> Gray:
    """A square from the middle of the page's ink (text, not margins), at most `share` of the short
    side: the same area for each quarter turn, small enough to read four times cheaply. On a page
    with little text (a signature block) it is that text."""
    h, w = gray.shape
    side = max(1, round(min(h, w) * share))
    small = cv2.resize(gray, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(small < 128)
    if ys.size:
        cy, cx = int(np.median(ys)) * 8, int(np.median(xs)) * 8
    else:
        cy, cx = h // 2, w // 2
    top = min(max(0, cy - side // 2), max(0, h - side))
    left = min(max(0, cx - side // 2), max(0, w - side))
    return np.ascontiguousarray(gray[top : top + side, left : left + side])


def ink_share(gray: Gray) -> float:
    """Share of the page that is ink (a blank page is under ~0.2 %, two short lines of text ~0.5 %).

    At half size, so thin strokes still count; anything clearly darker than paper is ink."""
    small = cv2.resize(gray, (max(1, gray.shape[1] // 2), max(1, gray.shape[0] // 2)), interpolation=cv2.INTER_AREA)
    paper = float(np.percentile(small, 90))
    return float(np.count_nonzero(small < paper - 60)) / float(small.size or 1)
