"""Scanned PDF pages: which ones travel to the OCR workers as their JPEG stream, and that the stream
decodes to exactly the pixels pdfium would have produced."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from extract.reading.images import FailedPage, ImageDecodeError, PageImage, jpeg_sha256
from extract.reading.pdf import PdfSource
from tests.support.documents import NOTICE_LINES, jpeg_bytes, scanned_pdf_from_jpegs, text_page_image


def _pages(data: bytes) -> list[PageImage | FailedPage]:
    with PdfSource(data, 200, 1000, 20, 10**9) as pdf:
        return [p for p in pdf.pages() if isinstance(p, PageImage | FailedPage)]


def _pdfium_bitmap(data: bytes, index: int) -> Image.Image:
    doc = pdfium.PdfDocument(data)
    try:
        (image,) = [o for o in doc[index].get_objects(max_depth=1) if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
        return image.get_bitmap(render=False).to_pil().copy()
    finally:
        doc.close()


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_jpeg_scan_travels_encoded_and_decodes_like_pdfium(mode: str) -> None:
    jpeg = jpeg_bytes(text_page_image(NOTICE_LINES, seal=True, mode=mode))
    data = scanned_pdf_from_jpegs([jpeg])
    (page,) = _pages(data)
    assert isinstance(page, PageImage)
    assert page.image is None and page.encoded == jpeg
    assert page.sha256 == jpeg_sha256(jpeg)
    assert page.dpi == pytest.approx(200, abs=0.5)
    img = page.load()
    expected = _pdfium_bitmap(data, 0)
    assert img.mode == expected.mode == mode
    assert np.array_equal(np.asarray(img), np.asarray(expected))
    page.release()
    with pytest.raises(ImageDecodeError):
        page.load()


def test_cmyk_jpeg_is_decoded_by_pdfium() -> None:
    buf = io.BytesIO()
    text_page_image(NOTICE_LINES, mode="RGB").convert("CMYK").save(buf, format="JPEG", quality=85)
    (page,) = _pages(scanned_pdf_from_jpegs([buf.getvalue()]))
    assert isinstance(page, PageImage)
    assert page.encoded is None and page.image is not None and page.image.mode == "RGB"


def test_damaged_jpeg_fails_when_decoded() -> None:
    jpeg = jpeg_bytes(text_page_image(NOTICE_LINES, mode="L"))
    (page,) = _pages(scanned_pdf_from_jpegs([jpeg[: len(jpeg) // 2]]))
    assert isinstance(page, PageImage) and page.encoded is not None  # the header is intact
    with pytest.raises(ImageDecodeError, match="damaged"):
        page.load()


def test_too_large_jpeg_page_is_refused_before_decoding() -> None:
    jpeg = jpeg_bytes(text_page_image(NOTICE_LINES, mode="L"))
    with PdfSource(scanned_pdf_from_jpegs([jpeg]), 200, 1000, 20, 1_000_000) as pdf:
        (page,) = list(pdf.pages())
    assert isinstance(page, FailedPage) and "too large" in page.error


def test_long_scan_reads_every_page_across_document_reopens() -> None:
    # PdfSource reopens the document every few pages to drop pdfium's parsed objects.
    jpegs = [jpeg_bytes(Image.new("L", (200 + n, 280), 255 - n)) for n in range(40)]
    pages = _pages(scanned_pdf_from_jpegs(jpegs))
    assert [p.number for p in pages] == list(range(1, 41))
    assert [p.encoded for p in pages if isinstance(p, PageImage)] == jpegs


def test_one_page_of_a_pdf_is_the_page_iteration_gives() -> None:
    jpegs = [jpeg_bytes(text_page_image([f"第{n}页", *NOTICE_LINES[:2]], size=(400, 560))) for n in range(3)]
    data = scanned_pdf_from_jpegs(jpegs)
    with PdfSource(data, 200, 100, 20, 10**8) as pdf:
        every = [item for item in pdf.pages() if isinstance(item, PageImage)]
        for number in (3, 1, 2):
            one = pdf.page(number)
            assert isinstance(one, PageImage)
            assert (one.number, one.sha256, one.dpi) == (number, every[number - 1].sha256, every[number - 1].dpi)
        assert len({p.sha256 for p in every}) == 3
