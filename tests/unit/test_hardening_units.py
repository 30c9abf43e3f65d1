"""Pure guards against hostile input: pixel limits, declared dpi, completeness, NUL, forwarded headers."""

from __future__ import annotations

import pytest
from PIL import Image
from starlette.requests import Request

from extract.reading.images import effective_dpi, rescale_to_dpi
from extract.reading.limits import ImageTooLarge, check_pixels, plausible_dpi, preview_scale
from extract.reading.pdf import text_layer_broken, text_layer_usable
from filing.web.clients import client_address, parse_networks, via_https
from ingest.complete import pdf_cut_short, transfer_problem
from store.textsafe import without_nul


def test_pixel_limit_is_checked_from_sizes_alone() -> None:
    check_pixels(1000, 1000, 1_000_000, "x")
    with pytest.raises(ImageTooLarge, match="40000x40000"):
        check_pixels(14400 * 200 / 72, 14400 * 200 / 72, 60_000_000, "the page at 200 dpi")


def test_a_declared_dpi_is_believed_only_for_a_real_sheet_of_paper() -> None:
    assert plausible_dpi(300, 2480, 3508) == 300  # A4 at 300 dpi
    assert plausible_dpi(52, 8900, 8900) is None  # a page 4.3 metres wide
    assert plausible_dpi(5000, 100, 100) is None and plausible_dpi(None, 10, 10) is None
    big = Image.new("1", (8900, 8900))
    assert effective_dpi(big, 52) == pytest.approx(8900 / 8.27)  # falls back to "the short side is A4"


def test_rescaling_refuses_before_resizing_past_the_limit() -> None:
    img = Image.new("L", (100, 100))
    assert rescale_to_dpi(img, 150, 150, max_pixels=20_000) is img
    with pytest.raises(ImageTooLarge):
        rescale_to_dpi(img, 10, 150, max_pixels=1_000_000)  # 1500x1500 would be 2.25 Mpx
    assert rescale_to_dpi(img, 75, 150, max_pixels=1_000_000).size == (200, 200)


def test_preview_scale_keeps_absurd_pages_small() -> None:
    assert preview_scale(595, 842, 1.0) == 1.0
    scale = preview_scale(10, 14400, 100.0)
    assert 10 * scale * 14400 * scale <= 4_000_001


def test_transfer_problems_and_short_pdfs() -> None:
    assert transfer_problem(["InvalidBase64LengthDefect"], None, 10) is not None
    assert transfer_problem(["InvalidBase64PaddingDefect"], None, 10) is None  # a missing pad alone is a slip
    assert transfer_problem([], 300_000, 673) is not None
    assert transfer_problem([], 38_078, 27_648) is None  # an approximate size parameter
    assert pdf_cut_short(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    assert not pdf_cut_short(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")


def test_text_layers_with_unmapped_glyphs_are_broken() -> None:
    assert text_layer_broken("二\x00二六年一月二十二日")
    assert text_layer_broken("2\ufffe26 2\ufffe27")
    assert not text_layer_broken("二〇二六年一月二十二日\n第二页\t")
    assert not text_layer_usable("二\x00二六年一月二十二日" * 5, 20, False)


def test_nul_is_replaced_everywhere_a_value_can_hold_text() -> None:
    assert without_nul("a\x00b") == "a\ufffdb"
    value = {"k": ["x\x00", 1, {"n\x00": None}]}
    assert without_nul(value) == {"k": ["x\ufffd", 1, {"n\ufffd": None}]}
    clean = {"k": ["x", 1]}
    assert without_nul(clean) is clean


def _request(peer: str, headers: dict[str, str], scheme: str = "http") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "client": (peer, 1234), "headers": raw, "scheme": scheme,
                    "server": ("127.0.0.1", 80), "path": "/", "query_string": b""})


def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    proxies = parse_networks(["10.0.0.0/24"])
    forged = {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"}
    assert client_address(_request("203.0.113.5", forged), proxies) == "203.0.113.5"
    assert not via_https(_request("203.0.113.5", forged), proxies)
    # Behind the proxy: the nearest hop it did not add itself; what the client wrote further left is ignored.
    chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.9", "X-Forwarded-Proto": "https"}
    assert client_address(_request("10.0.0.1", chain), proxies) == "198.51.100.7"
    assert via_https(_request("10.0.0.1", chain), proxies)
    assert client_address(_request("10.0.0.1", chain), ()) == "10.0.0.1"  # no proxies configured
    with pytest.raises(ValueError):
        parse_networks(["not-an-ip"])


def test_workbook_cells_are_never_formulas() -> None:
    import io

    from openpyxl import Workbook, load_workbook

    from filing.report.xlsx import data_cell

    wb = Workbook(write_only=True)  # as the report's workbook is written
    ws = wb.create_sheet("s")
    ws.append([data_cell(ws, '=HYPERLINK("http://evil.example","滕州市示例管理局")')])
    buf = io.BytesIO()
    wb.save(buf)
    cell = load_workbook(io.BytesIO(buf.getvalue())).active["A1"]  # type: ignore[index]
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK")


def test_display_names_lose_bidi_and_control_characters() -> None:
    from ingest.parse import parse_message

    raw = (b"From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
           b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
           b"filename*=utf-8''%E6%8A%A5%E5%91%8A%E2%80%AEfdp.exe\r\n\r\n%PDF-1.4\r\n--B--\r\n")
    (part,) = parse_message(raw).parts
    assert part.filename == "报告fdp.exe"  # shown as what it is, not as 报告exe.pdf
