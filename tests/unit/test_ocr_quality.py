"""The page-quality judge and the re-read image variants (pure logic, no tesseract)."""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image

from extract.reading.images import iter_image_file, square_pixels
from extract.reading.quality import Reading, judge
from extract.reading.variants import VARIANTS, ink_share, text_crop
from tests.support.degraded import invented_judgment, page_image

GOOD = "\n".join(invented_judgment(random.Random(1)))


def test_a_plausible_reading_of_a_court_page_is_not_poor() -> None:
    verdict = judge(Reading(GOOD, 0.88))
    assert not verdict.poor, verdict.evidence()
    assert verdict.legal_share > 0.75


def test_a_short_page_read_confidently_is_not_poor() -> None:
    # A signature page: a few lines only, read with high confidence.
    assert not judge(Reading("审判长　王建国\n二〇二六年三月一日\n书记员　李某", 0.86)).poor


def test_a_short_page_read_unsure_or_into_symbols_is_poor() -> None:
    assert judge(Reading("人民障密下-如人德福\n审 判 员", 0.63)).poor
    assert judge(Reading("日6Z目T志9Z0C\nAN 二CO=和", 0.8)).poor


def test_empty_and_zero_confidence_readings_are_poor() -> None:
    verdict = judge(Reading("", 0.0))
    assert verdict.poor and "no Chinese text" in verdict.reasons


def test_a_reading_in_the_wrong_characters_is_poor_even_when_long() -> None:
    # What chi_sim makes of a page turned upside down: many CJK characters, few of them legal vocabulary.
    rng = random.Random(3)
    odd = "".join(chr(rng.randint(0x5A00, 0x5FFF)) for _ in range(300))
    lines = "\n".join(odd[k : k + 25] for k in range(0, len(odd), 25))
    verdict = judge(Reading(lines, 0.8))
    assert verdict.poor and "few characters of the legal vocabulary" in verdict.reasons


def test_the_better_reading_of_the_same_page_scores_higher() -> None:
    damaged = GOOD[: len(GOOD) // 3]
    assert judge(Reading(GOOD, 0.85)).score > judge(Reading(damaged, 0.85)).score
    assert judge(Reading(GOOD, 0.85)).score > judge(Reading(GOOD, 0.3)).score


def _gray() -> np.ndarray:
    return np.asarray(page_image(invented_judgment(random.Random(2))).convert("L"), dtype=np.uint8)


def test_variants_keep_the_page_shape_or_scale_it() -> None:
    gray = _gray()
    for name, make, factor in VARIANTS:
        out = make(gray)
        assert out.dtype == np.uint8, name
        assert out.shape == (gray.shape[0] * factor, gray.shape[1] * factor), name


def test_text_crop_is_a_square_of_the_inked_area() -> None:
    gray = _gray()
    crop = text_crop(gray)
    assert crop.shape[0] == crop.shape[1] == round(min(gray.shape) * 0.6)
    assert ink_share(crop) > ink_share(gray) * 0.8  # centred on text, not on margins


def test_ink_share_tells_a_blank_page() -> None:
    assert ink_share(np.full((2339, 1654), 250, np.uint8)) < 0.002
    assert ink_share(_gray()) > 0.01


def test_fax_standard_pixels_are_made_square() -> None:
    img = Image.new("1", (1728, 1100), 1)
    assert square_pixels(img, (204, 98)).size == (1728, round(1100 * 204 / 98))
    assert square_pixels(img, (200, 200)) is img
    assert square_pixels(img, None) is img
    buf = io.BytesIO()
    img.save(buf, format="TIFF", compression="group4", dpi=(204, 98))
    (page,) = list(iter_image_file(buf.getvalue(), 10**8))
    assert page.image is not None and page.image.size == (1728, round(1100 * 204 / 98))
    assert round(page.dpi) == 204


def test_a_short_page_with_a_clear_signature_line_is_plausible() -> None:
    # Two lines of a signature page, some specks read as characters, modest confidence.
    assert not judge(Reading("忆\n山东省枣庄市台儿庄区人民法院\n2026年5月13日\n卫", 0.64)).poor
    assert not judge(Reading("滕州市人民法院\n二〇二六年三月一日", 0.6)).poor
    # The same modest confidence without such a line: the date and names were lost.
    assert judge(Reading("人民法院。\n审 判 长 王平\n人民陪审昌--、、邵德福\n二\n员 子， 国", 0.64)).poor


def test_a_confident_reading_full_of_names_and_places_is_not_poor() -> None:
    # A parties block: mostly names and places, read with high confidence.
    text = ("原告：河北省邢台市桥东区万顺石料厂，住所地邢台市桥东区牛尾河村。\n负责人：吴海涛，该厂厂长。\n"
            "被告：邢台市桥东区人力资源和社会保障局。\n法定代表人：冯春梅，该局局长。\n"
            "第三人：郑晓东，男，四十五岁，农民，住邢台市南和县贾宋镇东韩村。")
    assert not judge(Reading(text, 0.88)).poor
    assert judge(Reading(text, 0.5)).poor


def test_a_half_read_signature_page_is_poor() -> None:
    text = ("人民法院\n审 判 长 王平\n审 判 员   陈晓东\n人民陪宣王 于德福\n二(二 三 三六入夺\n35 二渤有 讲\n二 员\n"
            "~~>- 一\n本件与原本核对无异\n第3页共3页")
    assert judge(Reading(text, 0.61)).poor
    assert not judge(Reading(text.replace("二(二 三 三六入夺", "二〇二六年五月十八日"), 0.61)).poor
