"""Pure image steps: seal suppression, skew estimate, rotation, scale, EXIF, TIFF frames, previews."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from extract.reading.images import (
    ImageDecodeError,
    ImageTooLarge,
    PageImage,
    deskew,
    encode_preview,
    estimate_skew,
    image_file_page,
    iter_image_file,
    pixel_sha256,
    preview_image,
    rescale_to_dpi,
    rotate_quarter,
    to_gray,
    turn_preview,
)
from extract.reading.pdf import text_layer_quality, text_layer_usable
from extract.reading.seals import find_seals, suppress_round_seals
from tests.support.documents import NOTICE_LINES, jpeg_bytes, rotated, text_page_image, tiff_bytes


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return text_page_image(NOTICE_LINES, seal=True, mode="RGB")


def _seal_box(img: Image.Image) -> tuple[int, int, int, int]:
    rgb = np.asarray(img)
    red = (rgb[..., 0].astype(int) - rgb[..., 1:].max(axis=2)) > 100
    ys, xs = np.nonzero(red)
    return int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())


def test_red_seal_is_whitened_but_black_text_stays(page: Image.Image) -> None:
    y0, y1, x0, x1 = _seal_box(page)
    plain = to_gray(page, suppress_seals=False)
    cleaned = to_gray(page, suppress_seals=True)
    # The seal's ring was dark-ish grey without suppression and is near white with it.
    assert plain[y0:y1, x0:x1].min() < 120
    rgb = np.asarray(page)
    red = (rgb[..., 0].astype(int) - rgb[..., 1:].max(axis=2)) > 100
    assert cleaned[red].mean() > 200
    assert plain[red].mean() < 120
    # Black text elsewhere on the page is untouched.
    assert cleaned[200:300, 150:900].min() < 40


def _grey_seal_page() -> tuple[np.ndarray, np.ndarray]:
    """A 150-dpi page with text lines and a seal (ring and star) scanned in mid-grey over some of them."""
    import cv2

    gray = np.full((1754, 1240), 245, np.uint8)
    for y in range(100, 1700, 60):
        gray[y : y + 4, 60:1180] = 25  # text strokes, some crossing the seal
    seal = np.zeros_like(gray)
    cv2.circle(seal, (800, 1300), 110, (1,), 9)
    cv2.circle(seal, (800, 1300), 30, (1,), -1)
    gray[(seal > 0) & (gray > 100)] = 140
    return gray, seal > 0


def test_grey_seal_is_found_and_faded_and_text_kept() -> None:
    gray, seal = _grey_seal_page()
    circles = find_seals(gray, 150)
    assert any(abs(x - 800) < 10 and abs(y - 1300) < 10 and abs(r - 110) < 15 for x, y, r in circles)
    out = suppress_round_seals(gray, 150)
    assert out[seal & (gray == 140)].mean() > 240
    assert out[1300:1304, 60:1180].max() <= 25  # the stroke crossing the seal stays dark
    assert out[100:104, 60:1180].max() <= 25
    assert np.array_equal(out[:1100], gray[:1100])  # nothing changes away from the seal


def test_no_seal_no_change() -> None:
    blank = np.full((300, 300), 240, np.uint8)
    assert suppress_round_seals(blank, 150) is blank
    gray, _ = _grey_seal_page()
    lines_only = np.where(gray == 140, 245, gray).astype(np.uint8)
    assert suppress_round_seals(lines_only, 150) is lines_only


@pytest.mark.parametrize("angle", [-3.0, -1.5, 1.0, 2.5])
def test_skew_is_measured_and_removed(page: Image.Image, angle: float) -> None:
    gray = to_gray(page, suppress_seals=True)
    tilted = np.asarray(Image.fromarray(gray).rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255))
    est = estimate_skew(tilted, max_deg=5.0)
    assert est == pytest.approx(angle, abs=0.35)
    fixed, applied = deskew(tilted, 5.0)
    assert applied == est
    assert abs(estimate_skew(fixed, 5.0)) <= 0.3


def test_upright_page_is_not_deskewed(page: Image.Image) -> None:
    gray = to_gray(page, suppress_seals=True)
    out, angle = deskew(gray, 5.0)
    assert angle == 0.0
    assert out is gray


def test_rotate_quarter_is_clockwise() -> None:
    a = np.zeros((2, 3), np.uint8)
    a[0, 0] = 1  # top-left
    r = rotate_quarter(a, 90)
    assert r.shape == (3, 2)
    assert r[0, 1] == 1  # clockwise: top-left moves to top-right
    assert np.array_equal(rotate_quarter(a, 360), a)


def test_rescale_to_target_dpi() -> None:
    img = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi
    out = rescale_to_dpi(img, 300, 200)
    assert out.size == (1653, 2339)
    same = Image.new("L", (1654, 2339), 255)
    assert rescale_to_dpi(same, 205, 200) is same


def test_exif_orientation_is_applied(page: Image.Image) -> None:
    # Camera stored the pixels turned 90° counter-clockwise and says so in EXIF (6 = rotate 90 CW to view).
    data = jpeg_bytes(rotated(page, 90), exif_orientation=6)
    (only,) = list(iter_image_file(data, 10**8))
    assert only.image.size == page.size


def test_tiff_frames_become_pages(page: Image.Image) -> None:
    data = tiff_bytes([page, page.rotate(180)])
    pages = list(iter_image_file(data, 10**8))
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].dpi == pytest.approx(200)
    assert pages[0].sha256 != pages[1].sha256


def test_photo_without_dpi_gets_a4_estimate() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (3024, 4032), "white").save(buf, format="JPEG")
    (only,) = list(iter_image_file(buf.getvalue(), 10**8))
    assert only.dpi == pytest.approx(3024 / 8.27, rel=0.01)


def test_corrupt_and_huge_images_are_refused() -> None:
    with pytest.raises(ImageDecodeError):
        list(iter_image_file(b"\xff\xd8\xff\xe0garbage", 10**8))
    buf = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buf, format="PNG")
    with pytest.raises(ImageTooLarge):
        list(iter_image_file(buf.getvalue(), 10**6))


def test_preview_is_small_and_rotated(page: Image.Image) -> None:
    small = page.resize((100, 141))
    png = encode_preview(small, 90)
    out = Image.open(io.BytesIO(png))
    assert out.format == "PNG"
    assert out.size == (141, 100)


@pytest.mark.parametrize("mode", ["L", "RGB"])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_turning_an_encoded_preview_equals_encoding_it_turned(page: Image.Image, mode: str, rotation: int) -> None:
    small = preview_image(page.convert(mode), 400)
    assert turn_preview(encode_preview(small, 0), rotation) == encode_preview(small, rotation)


def test_pixel_hash_depends_on_pixels_only(page: Image.Image) -> None:
    assert pixel_sha256(page) == pixel_sha256(page.copy())
    assert pixel_sha256(page) != pixel_sha256(page.rotate(180))


@pytest.mark.parametrize(
    ("text", "scan", "usable"),
    [
        ("山东省滕州市人民法院应诉通知书（2026）鲁0481行初12号", True, True),
        ("", True, False),
        ("ÐÐÕþËßËÏ×´ÐÐÕþ ÐÐÕþËßËÏ×´", False, False),  # GBK text decoded as Latin-1
        ("(cid:12)(cid:55)(cid:9)(cid:77)(cid:12)(cid:55)", False, False),
        ("第1页", True, False),  # a scanner's page stamp on a scanned page
        ("第1页", False, True),  # a short born-digital page
    ],
)
def test_text_layer_decision(text: str, scan: bool, usable: bool) -> None:
    assert text_layer_usable(text, 20, has_scan_image=scan) is usable


def test_text_layer_quality_counts() -> None:
    count, share = text_layer_quality("滕州 abc\ufffd")
    assert count == 5
    assert share == pytest.approx(5 / 6)



@pytest.mark.tesseract
def test_a_transparent_palette_png_gets_a_preview() -> None:
    """GIF-converted PNGs (palette + transparency) once crashed the preview encoder."""
    import io as _io

    from PIL import Image as _Image

    from extract.reading.settings import OcrSettings
    from extract.reading.text import extract_pages

    src = _Image.new("P", (27, 27), 1)
    src.putpalette([255, 255, 255, 0, 0, 255] + [0] * 762)
    buf = _io.BytesIO()
    src.save(buf, format="PNG", transparency=0)
    pages = extract_pages(buf.getvalue(), "image/png", OcrSettings(workers=1))
    assert len(pages) == 1 and pages[0].preview_png is not None


def test_one_page_of_an_image_file_is_the_page_iteration_gives() -> None:
    pages = [text_page_image([f"第{n}页", *NOTICE_LINES[:2]], size=(400, 560)) for n in range(3)]
    data = tiff_bytes([p.convert("L") for p in pages], dpi=150)
    every = [item for item in iter_image_file(data, 10**8) if isinstance(item, PageImage)]
    for number in (1, 2, 3):
        found = image_file_page(data, number, 10**8)
        assert found is not None
        img, dpi = found
        item = every[number - 1]
        assert pixel_sha256(img) == item.sha256 and dpi == item.dpi
    assert len({item.sha256 for item in every}) == 3
    assert image_file_page(data, 4, 10**8) is None
    with pytest.raises(ImageDecodeError):
        image_file_page(b"not an image", 1, 10**8)


@pytest.mark.parametrize("radius", [76, 110, 190])
def test_quick_look_passes_seals_of_every_size(radius: int) -> None:
    """The quarter-size look before the Hough transform lets through the seals it finds, smallest to largest."""
    import cv2

    gray = np.full((1754, 1240), 245, np.uint8)
    for y in range(100, 1700, 60):
        gray[y : y + 4, 60:1180] = 25
    seal = np.zeros_like(gray)
    cv2.circle(seal, (700, 1250), radius, (1,), max(5, radius // 12))
    gray[(seal > 0) & (gray > 100)] = 140
    circles = find_seals(gray, 150)
    assert any(abs(x - 700) < 10 and abs(y - 1250) < 10 and abs(r - radius) < 0.15 * radius for x, y, r in circles)
