"""extract_pages with real tesseract chi_sim on generated court pages (a few pages in all)."""

from __future__ import annotations

import io
import re
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from extract.reading import pdf as pdf_module
from extract.reading import text as text_module
from extract.reading.images import jpeg_sha256
from extract.reading.ocr_cache import DirectoryOcrCache, MemoryOcrCache
from extract.reading.settings import OcrSettings
from extract.reading.text import DOCX, extract_files, extract_pages, render_preview
from extract.types import PageSource
from terms.errors import ErrorCode, FilingError
from tests.support.documents import (
    JUDGMENT_LINES,
    NOTICE_LINES,
    docx_bytes,
    jpeg_bytes,
    rotated,
    scanned_pdf,
    scanned_pdf_from_jpegs,
    text_page_image,
    text_pdf,
    tiff_bytes,
)

pytestmark = [pytest.mark.tesseract]

SETTINGS = OcrSettings(workers=2, page_timeout_s=60)


def compact(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def looks_like(text: str, lines: tuple[str, ...]) -> bool:
    """The page was read upright: title verbatim, the whole at most 12 % character error."""
    flat = compact(text)
    return compact(lines[1]) in flat and Levenshtein.normalized_similarity(flat, compact("".join(lines))) >= 0.88


@pytest.fixture(scope="module")
def notice() -> Image.Image:
    return text_page_image(NOTICE_LINES, seal=True, mode="RGB")


@pytest.fixture(scope="module")
def judgment() -> Image.Image:
    return text_page_image(JUDGMENT_LINES, mode="L")


@pytest.fixture
def count_ocr(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts pages sent to tesseract (the real engine still runs)."""
    calls: list[int] = []
    real = text_module.ocr_gray_pages

    def spy(grays, settings):  # type: ignore[no-untyped-def]
        calls.append(len(grays))
        return real(grays, settings)

    monkeypatch.setattr(text_module, "ocr_gray_pages", spy)
    return calls


def test_text_pdf_is_never_ocrd(count_ocr: list[int]) -> None:
    pages = extract_pages(text_pdf([NOTICE_LINES, JUDGMENT_LINES]), "application/pdf", SETTINGS)
    assert [p.source for p in pages] == [PageSource.text_layer, PageSource.text_layer]
    assert compact("（2026）鲁0481行初12号") in compact(pages[0].text)
    assert compact("驳回上诉，维持原判。") in compact(pages[1].text)
    assert count_ocr == []
    assert pages[0].preview_png is not None and pages[0].preview_png.startswith(b"\x89PNG")


def test_mixed_pdf_gets_each_page_the_right_way(notice: Image.Image, count_ocr: list[int]) -> None:
    data = text_pdf([JUDGMENT_LINES, JUDGMENT_LINES], scans={1: notice})
    pages = extract_pages(data, "application/pdf", SETTINGS)
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.source for p in pages] == [PageSource.text_layer, PageSource.tesseract, PageSource.text_layer]
    assert sum(count_ocr) == 1
    assert looks_like(pages[1].text, NOTICE_LINES)
    assert 0.5 < pages[1].confidence <= 1.0
    assert pages[1].image_sha256 and pages[0].image_sha256 is None


@pytest.mark.parametrize("turn_ccw", [90, 180, 270])
def test_rotated_scan_pages_come_out_upright(judgment: Image.Image, turn_ccw: int) -> None:
    data = scanned_pdf([rotated(judgment, turn_ccw)])
    (page,) = extract_pages(data, "application/pdf", SETTINGS)
    assert page.source == PageSource.tesseract
    assert page.rotation == turn_ccw  # the clockwise turn applied to make it upright
    assert looks_like(page.text, JUDGMENT_LINES)
    preview = Image.open(io.BytesIO(page.preview_png or b""))
    assert preview.height > preview.width  # the preview is upright (portrait) too


def test_tiff_photo_and_skew(notice: Image.Image, judgment: Image.Image) -> None:
    tiff = tiff_bytes([judgment.rotate(2.0, fillcolor=255), notice])
    photo = jpeg_bytes(rotated(notice, 90), exif_orientation=6)  # EXIF says: turn 90° clockwise to view
    results = extract_files([(tiff, "image/tiff"), (photo, "image/jpeg")], SETTINGS)
    tiff_pages, photo_pages = results
    assert isinstance(tiff_pages, list) and isinstance(photo_pages, list)
    assert [p.number for p in tiff_pages] == [1, 2]
    assert looks_like(tiff_pages[0].text, JUDGMENT_LINES)
    assert looks_like(tiff_pages[1].text, NOTICE_LINES)
    (photo_page,) = photo_pages
    assert photo_page.rotation == 0  # EXIF did it, no OSD needed
    assert looks_like(photo_page.text, NOTICE_LINES)


def test_text_under_a_grey_seal_is_read() -> None:
    # A red seal scanned in greyscale, stamped over the ends of the last lines: tesseract drops
    # those lines as a picture unless the seal is faded first.
    page_image = text_page_image(NOTICE_LINES, seal=True, mode="L", seal_rgb=(235, 110, 110))
    (page,) = extract_pages(jpeg_bytes(page_image), "image/jpeg", SETTINGS)
    assert "负责人应当出庭应诉" in compact(page.text)
    assert looks_like(page.text, NOTICE_LINES)


def test_ocr_text_is_repaired_toward_configured_names(judgment: Image.Image) -> None:
    # 滕州市 printed, configured as 滕州市: whatever glyph OCR confuses it with, the text says 滕州市;
    # and a configured name never replaces text that reads correctly.
    settings = replace(SETTINGS, place_names=("滕州市", "山东省枣庄市中级人民法院"))
    (page,) = extract_pages(scanned_pdf([judgment]), "application/pdf", settings)
    flat = compact(page.text)
    assert "滕州市人民政府" in flat and "山东省枣庄市中级人民法院" in flat


def test_cache_prevents_a_second_ocr(tmp_path: Path, notice: Image.Image, count_ocr: list[int]) -> None:
    data = scanned_pdf([notice])
    cache = DirectoryOcrCache(tmp_path / "ocr-cache")
    first = extract_pages(data, "application/pdf", SETTINGS, cache)
    assert count_ocr == [1]
    assert first[0].image_sha256 == jpeg_sha256(jpeg_bytes(notice))  # the page went to OCR as its JPEG
    assert list((tmp_path / "ocr-cache").rglob("*.json"))
    second = extract_pages(data, "application/pdf", SETTINGS, DirectoryOcrCache(tmp_path / "ocr-cache"))
    assert count_ocr == [1]  # no second OCR
    assert second[0].text == first[0].text and second[0].image_sha256 == first[0].image_sha256
    assert second[0].preview_png is not None
    # Different OCR settings are a different key: the page is OCR'd again.
    extract_pages(data, "application/pdf", replace(SETTINGS, psm=6), cache)
    assert count_ocr == [1, 1]


def test_endless_page_fails_alone_within_its_timeout(notice: Image.Image) -> None:
    # A big page of dense noise keeps tesseract busy far beyond a 15 s budget; one worker per page
    # here so the test takes one timeout, not a batch timeout plus retries.
    noise = Image.effect_noise((5000, 7000), 120).convert("1").convert("L")
    data = tiff_bytes([notice, noise, notice])
    # The budget follows this machine's speed: a few times what a normal page takes right now, so the
    # noise page (many times slower) always exceeds it and the normal pages never do.
    started = time.monotonic()
    extract_pages(tiff_bytes([notice]), "image/tiff", replace(SETTINGS, osd="never"), MemoryOcrCache())
    budget = max(3.0, 4 * (time.monotonic() - started))
    settings = replace(SETTINGS, page_timeout_s=budget, workers=3, osd="never")
    pages = extract_pages(data, "image/tiff", settings, MemoryOcrCache())
    assert [p.source for p in pages] == [PageSource.tesseract, PageSource.failed, PageSource.tesseract]
    failed = pages[1]
    assert failed.error is not None and failed.error.startswith(f"{ErrorCode.ocr_timeout}:")
    assert failed.seconds < 3 * budget + 5
    assert looks_like(pages[0].text, NOTICE_LINES) and looks_like(pages[2].text, NOTICE_LINES)


def test_corrupt_page_fails_alone(notice: Image.Image) -> None:
    data = bytearray(tiff_bytes([notice, notice, notice]))
    with Image.open(io.BytesIO(bytes(data))) as tiff:
        tiff.seek(1)  # wipe the second frame's compressed strips: that page cannot be decoded
        for offset, length in zip(tiff.tag_v2[273], tiff.tag_v2[279], strict=True):
            data[offset : offset + length] = bytes(length)
    pages = extract_pages(bytes(data), "image/tiff", SETTINGS)
    assert [p.source for p in pages] == [PageSource.tesseract, PageSource.failed, PageSource.tesseract]
    assert pages[1].error is not None and pages[1].error.startswith(f"{ErrorCode.corrupt_image}:")
    assert looks_like(pages[0].text, NOTICE_LINES) and looks_like(pages[2].text, NOTICE_LINES)


def test_jpeg_scan_reads_as_when_pdfium_decoded_it(notice: Image.Image, judgment: Image.Image,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Pages now reach the workers as JPEG streams decoded by Pillow; the result must not change.
    data = scanned_pdf([notice, rotated(judgment, 90)])
    pages = extract_pages(data, "application/pdf", SETTINGS)
    monkeypatch.setattr(pdf_module, "_plain_jpeg", lambda image: None)
    before = extract_pages(data, "application/pdf", SETTINGS)
    assert [p.source for p in pages] == [PageSource.tesseract, PageSource.tesseract]
    assert pages[1].rotation == 90
    for new, old in zip(pages, before, strict=True):
        assert (new.text, new.confidence, new.rotation) == (old.text, old.confidence, old.rotation)
        assert new.preview_png == old.preview_png
    assert pages[0].image_sha256 != before[0].image_sha256  # keyed by the stream, not the pixels


def test_corrupt_jpeg_in_a_pdf_fails_its_page_alone(notice: Image.Image) -> None:
    jpeg = jpeg_bytes(notice)
    data = scanned_pdf_from_jpegs([jpeg, jpeg[: len(jpeg) // 2], jpeg])
    pages = extract_pages(data, "application/pdf", SETTINGS)
    assert [p.source for p in pages] == [PageSource.tesseract, PageSource.failed, PageSource.tesseract]
    assert pages[1].error is not None and pages[1].error.startswith(f"{ErrorCode.corrupt_image}:")
    assert "truncated" in pages[1].error
    assert looks_like(pages[0].text, NOTICE_LINES) and looks_like(pages[2].text, NOTICE_LINES)


def test_whole_file_errors_raise_with_codes() -> None:
    with pytest.raises(FilingError) as e:
        extract_pages(text_pdf(password="secret"), "application/pdf", SETTINGS)
    assert e.value.code == ErrorCode.encrypted_pdf and "password" in e.value.message
    with pytest.raises(FilingError) as e:
        extract_pages(b"%PDF-1.4\n1 0 obj garbage", "application/pdf", SETTINGS)
    assert e.value.code == ErrorCode.corrupt_pdf
    with pytest.raises(FilingError) as e:
        extract_pages(b"PK\x03\x04 not a docx", DOCX, SETTINGS)
    assert e.value.code == ErrorCode.corrupt_docx
    with pytest.raises(FilingError) as e:
        extract_pages(b"\x89PNG\r\n\x1a\n broken", "image/png", SETTINGS)
    assert e.value.code == ErrorCode.corrupt_image
    with pytest.raises(FilingError) as e:
        extract_pages(text_pdf([NOTICE_LINES] * 3), "application/pdf", replace(SETTINGS, max_pages=2))
    assert e.value.code == ErrorCode.too_many_pages
    with pytest.raises(FilingError) as e:
        extract_pages(b"MZ\x90\x00", "application/x-msdownload", SETTINGS)
    assert e.value.code == ErrorCode.unknown_type
    with pytest.raises(FilingError) as e:
        extract_pages(b"", "application/pdf", SETTINGS)
    assert e.value.code == ErrorCode.empty_file


def test_docx_and_plain_text() -> None:
    table = [["案号", "（2026）鲁0481行初12号"], ["案由", "行政登记"]]
    data = docx_bytes(["行政答辩状", "答辩人：滕州市自然资源局"], table)
    (page,) = extract_pages(data, DOCX, SETTINGS)
    assert page.number == 1 and page.source == PageSource.docx
    assert page.text.splitlines()[:2] == ["行政答辩状", "答辩人：滕州市自然资源局"]
    assert "案号\t（2026）鲁0481行初12号" in page.text
    gbk = "第一页\f第二页".encode("gb18030")
    pages = extract_pages(gbk, "text/plain; charset=gbk", SETTINGS)
    assert [(p.number, p.text, p.source) for p in pages] == [
        (1, "第一页", PageSource.plain),
        (2, "第二页", PageSource.plain),
    ]


def test_one_bad_file_does_not_sink_the_others(notice: Image.Image) -> None:
    results = extract_files([(b"%PDF-1.4 broken", "application/pdf"), (jpeg_bytes(notice), "image/jpeg")], SETTINGS)
    assert isinstance(results[0], FilingError) and results[0].code == ErrorCode.corrupt_pdf
    assert isinstance(results[1], list) and looks_like(results[1][0].text, NOTICE_LINES)


def test_render_preview_rebuilds_an_upright_page(judgment: Image.Image) -> None:
    data = scanned_pdf([judgment, rotated(judgment, 90)])
    png = render_preview(data, "application/pdf", 2, width=500, rotation=90)
    assert png is not None
    img = Image.open(io.BytesIO(png))
    assert img.height > img.width and abs(img.height - 500) <= 1  # turned upright: the 500 px side is now tall
    assert render_preview(data, "application/pdf", 3) is None
    tiff = tiff_bytes([judgment])
    tiff_png = render_preview(tiff, "image/tiff", 1, width=400)
    assert tiff_png is not None and Image.open(io.BytesIO(tiff_png)).width == 400
