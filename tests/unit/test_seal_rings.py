"""Seal rings on bilevel pages (extract/reading/seal_rings.py), on generated 150-dpi A4 pages."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from extract.reading.seal_rings import find_rings, page_dpi, remove_ring_seals
from extract.reading.settings import OcrSettings
from extract.reading.variants import seal
from tests.support.documents import font

W, H = 1240, 1754  # A4 at 150 dpi
CX, CY, R = 890, 700, 120  # a 41 mm seal over the signature block
# Right-set signature block: (text, left x, top y), the lower three lines crossing the seal.
BLOCK = (("审判长 李明", 820, 470), ("二〇二六年三月五日", 690, 650), ("本件与原本核对无异", 700, 720),
         ("书记员 王红", 760, 790))
FONT_PX = 40


def _text_mask() -> np.ndarray:
    img = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(img)
    f = font(FONT_PX)
    draw.text((150, 200), "原告不服被告作出的处罚决定，向本院提起行政诉讼。", fill=255, font=f)
    for text, x, y in BLOCK:
        draw.text((x, y), text, fill=255, font=f)
    return np.asarray(img) > 127


def _seal_mask(rng: np.random.Generator) -> np.ndarray:
    """Ring (2 mm wide) and star dithered as a fax renders red ink, plus thin arc-text strokes."""
    ring = np.zeros((H, W), np.uint8)
    cv2.circle(ring, (CX, CY), R - 6, (1,), 12)
    star = np.zeros((H, W), np.uint8)
    points = np.array([(CX + 38 * math.cos(math.radians(90 + k * 144)), CY - 38 * math.sin(math.radians(90 + k * 144)))
                       for k in range(5)], np.int32)
    cv2.fillPoly(star, [points], (1,))
    dots = rng.random((H, W)) < 0.6
    arcs = np.zeros((H, W), np.uint8)
    for k in range(8):  # short solid strokes along the inside of the ring, off the text rows
        a = math.radians(200 + 18 * k)
        x, y = CX + 0.75 * R * math.cos(a), CY + 0.75 * R * math.sin(a)
        cv2.line(arcs, (round(x - 8), round(y)), (round(x + 8), round(y)), (1,), 2)
    return ((ring > 0) | (star > 0)) & dots | (arcs > 0)


def _page(seal_on: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    text = _text_mask()
    seal_ink = _seal_mask(np.random.default_rng(7)) if seal_on else np.zeros_like(text)
    gray = np.where(text | seal_ink, 0, 255).astype(np.uint8)
    return gray, text, seal_ink & ~text


def test_a_dithered_seal_ring_is_found() -> None:
    gray, _, _ = _page()
    rings = find_rings(gray, 150)
    assert len(rings) == 1
    ring = rings[0]
    assert math.hypot(ring.x - CX, ring.y - CY) <= 6
    assert abs(ring.radius - R) <= 0.08 * R


def test_text_alone_has_no_ring() -> None:
    gray, _, _ = _page(seal_on=False)
    assert find_rings(gray, 150) == []
    assert find_rings(np.full((H, W), 255, np.uint8), 150) == []


def test_the_seal_is_removed_and_the_text_kept() -> None:
    gray, text, seal_only = _page()
    out = remove_ring_seals(gray, 150)
    assert out.shape == gray.shape and out.dtype == np.uint8
    yy, xx = np.mgrid[:H, :W]
    dist = np.hypot(yy - CY, xx - CX)
    # The seal's own ink (ring, star, arc strokes) is mostly gone ...
    assert (out[seal_only] == 255).mean() > 0.85
    # ... the text lines running through it mostly stay, and text away from the ring band is untouched.
    assert (out[text] == 0).mean() > 0.9
    away = text & ((dist < 0.8 * R) | (dist > 1.2 * R)) & (dist > 0.4 * R)
    assert (out[away] == 0).mean() > 0.97
    # Nothing changes far from the seal.
    far = dist > 3 * R
    assert np.array_equal(out[far], gray[far])


def test_a_page_without_a_ring_is_returned_as_it_is() -> None:
    gray, _, _ = _page(seal_on=False)
    assert remove_ring_seals(gray, 150) is gray
    assert seal(gray) is gray  # the re-read variant: unchanged page, so no second reading


def test_page_resolution_is_taken_from_the_a4_short_side() -> None:
    assert abs(page_dpi(np.zeros((H, W), np.uint8)) - 150) < 1
    assert abs(page_dpi(np.zeros((2 * W, 2 * H), np.uint8)) - 300) < 1  # landscape, twice the pixels


def test_a_variant_that_changes_nothing_costs_no_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second pass reads a variant only for the pages it changed (pages without a seal: none)."""
    from extract.reading import ocr

    sealed, _, _ = _page()
    plain, _, _ = _page(seal_on=False)
    paths = [ocr.write_pgm(tmp_path / "a.pgm", sealed), ocr.write_pgm(tmp_path / "b.pgm", plain)]
    read: list[list[Path]] = []

    def fake_recognize(images: list[Path], settings: OcrSettings) -> list[ocr.EngineText]:
        read.append(list(images))
        return [ocr.EngineText(text="", confidence=0.0, words=0) for _ in images]

    monkeypatch.setattr(ocr, "_recognize_each", fake_recognize)
    second = ocr._SecondPass(OcrSettings(), tmp_path, paths, list(paths), [0, 0], [0.0, 0.0], lambda i, r, d: paths[i])
    best: list[ocr.EngineText | ocr.OcrEngineError] = [ocr.EngineText("", 0.0, 0), ocr.EngineText("", 0.0, 0)]
    second._variant([0, 1], best, "seal", seal, 1)
    assert len(read) == 1 and len(read[0]) == 1  # only the sealed page was read again


def test_means_along_circles_are_the_circle_filter() -> None:
    """One image transform for all radii gives what filtering with each circle kernel gives (paper beyond
    the edges), also for a window whose size differs from the last one's."""
    from extract.reading.seal_rings import _circle_kernel, _means_along_circles

    rng = np.random.default_rng(3)
    for shape in ((90, 120), (101, 77)):
        small = (rng.random(shape) < 0.2).astype(np.float32)
        small[40:50, :] = 1.0
        radii = range(5, 31)
        got = _means_along_circles(small, radii)
        for r in radii:
            want = cv2.filter2D(small, -1, _circle_kernel(r), borderType=cv2.BORDER_CONSTANT)
            assert np.allclose(got[r], want, atol=1e-5)
