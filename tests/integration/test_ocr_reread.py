"""Poor pages are re-read until they read well, or flagged unreadable (real tesseract chi_sim).

Generated degraded pages (tests/support/degraded.py: invented text) that the first reading gets
wrong: a dithered bilevel scan turned sideways, a faint photocopy, a fax in standard resolution.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from extract.reading.settings import OcrSettings
from extract.reading.text import extract_files
from extract.types import PageQuality, PageSource
from tests.support.degraded import DegradedPage, degraded_set
from tests.support.documents import jpeg_bytes

pytestmark = [pytest.mark.tesseract]

SETTINGS = OcrSettings(workers=2, page_timeout_s=60)


def compact(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def cer(text: str, truth: str) -> float:
    return Levenshtein.distance(compact(text), compact(truth)) / max(1, len(compact(truth)))


@pytest.fixture(scope="module")
def pages() -> dict[str, DegradedPage]:
    return {p.name: p for p in degraded_set(seed=7, per_kind=1)}


def test_degraded_pages_are_read_upright_or_flagged(pages: dict[str, DegradedPage]) -> None:
    chosen = [pages[n] for n in ("clean", "bilevel-dither-90", "low-contrast", "fax-standard", "noise")]
    blank = jpeg_bytes(Image.new("L", (1654, 2339), 250))
    results = extract_files([*((p.data, p.content_type) for p in chosen), (blank, "image/jpeg")], SETTINGS)
    read = {}
    for p, res in zip(chosen, results, strict=False):
        assert isinstance(res, list) and len(res) == 1
        read[p.name] = res[0]

    clean = read["clean"]
    assert clean.quality is PageQuality.ok and clean.quality_evidence is None  # no second pass for a good page
    assert cer(clean.text, pages["clean"].truth) < 0.05

    sideways = read["bilevel-dither-90"]
    assert sideways.rotation == 90
    assert sideways.quality is PageQuality.reread and "turned 90°" in (sideways.quality_evidence or "")
    assert cer(sideways.text, pages["bilevel-dither-90"].truth) < 0.12

    faint = read["low-contrast"]
    assert faint.quality is PageQuality.reread and "variant" in (faint.quality_evidence or "")
    assert cer(faint.text, pages["low-contrast"].truth) < 0.12

    assert cer(read["fax-standard"].text, pages["fax-standard"].truth) < 0.12

    noise = read["noise"]
    assert noise.source is PageSource.tesseract
    assert noise.quality is PageQuality.unreadable
    assert "still poor after every strategy" in (noise.quality_evidence or "")

    blank_page = results[-1]
    assert isinstance(blank_page, list)
    assert blank_page[0].quality is PageQuality.ok and "blank page" in (blank_page[0].quality_evidence or "")


def test_without_the_second_pass_a_poor_page_is_still_flagged(pages: dict[str, DegradedPage]) -> None:
    no_reread = OcrSettings(workers=1, page_timeout_s=60, reread=False, osd="never")
    (res,) = extract_files([(pages["noise"].data, pages["noise"].content_type)], no_reread)
    assert isinstance(res, list)
    assert res[0].quality is PageQuality.unreadable
