"""Lines the page layout dropped or read unsure: finding them and putting their readings back (pure logic)."""

from __future__ import annotations

import cv2
import numpy as np

from extract.reading.lost_lines import (
    LineBox,
    better_line,
    insert_lines,
    isolated_text,
    missed_regions,
    noise_line,
    plausible_line,
    replace_lines,
    weak_lines,
)

DPI = 150


def _page_with_lines(lines: list[tuple[int, int, int]]) -> np.ndarray:
    """A white A4 page at 150 dpi with a black bar of text-line shape per (left, top, width)."""
    page = np.full((1754, 1240), 255, np.uint8)
    for left, top, width in lines:
        for x in range(left, left + width, 24):  # glyph-sized blobs with gaps, like characters
            cv2.rectangle(page, (x, top), (x + 16, top + 18), 0, -1)
    return page


def test_ink_no_line_covers_is_found_and_covered_ink_is_not() -> None:
    page = _page_with_lines([(160, 200, 600), (160, 250, 600), (590, 1610, 60)])
    covered = [(160, 200, 600, 19), (160, 250, 600, 19)]
    found = missed_regions(page, covered, DPI)
    assert len(found) == 1
    left, top, width, height = found[0]
    assert left <= 590 and left + width >= 650 and top <= 1610 <= top + height


def test_a_seal_sized_blob_and_scan_borders_are_not_text_lines() -> None:
    page = np.full((1754, 1240), 255, np.uint8)
    cv2.circle(page, (800, 1300), 110, 0, 6)  # a seal ring: far taller than a line of text
    page[:, :8] = 0  # the scanner's dark edge
    assert missed_regions(page, [], DPI) == []


def test_a_page_of_many_unread_pieces_is_left_alone() -> None:
    page = _page_with_lines([(160, 100 + 60 * k, 300) for k in range(20)])
    assert missed_regions(page, [], DPI, limit=6) == []


def test_only_confident_readings_with_text_are_inserted() -> None:
    assert plausible_line("- 2 -", 0.8)
    assert plausible_line("第 2 页，共 3 页", 0.7)
    assert not plausible_line("- 2 -", 0.3)
    assert not plausible_line("—— ·", 0.9)  # nothing but marks
    assert not plausible_line("AN|Se/2", 0.9)
    assert not plausible_line(" 从", 0.9)  # a lone character: a fragment of a seal's ring


def test_found_lines_go_where_they_are_on_the_page() -> None:
    text = "第一行\n\n第二行\n第三行"
    lines = [LineBox((100, 100, 500, 20), 0), LineBox((100, 200, 500, 20), 2), LineBox((100, 300, 500, 20), 3)]
    out = insert_lines(text, lines, [((500, 1600, 60, 20), "- 2 -"), ((100, 40, 300, 20), "页眉"),
                                     ((100, 240, 300, 20), "中间")])
    assert out.split("\n") == ["页眉", "第一行", "", "第二行", "中间", "第三行", "- 2 -"]
    assert insert_lines(text, lines, []) == text


def test_weak_lines_are_the_least_confident_text_shaped_ones() -> None:
    lines = [LineBox((100, 100, 500, 30), 0, 0.9), LineBox((100, 200, 500, 30), 1, 0.4),
             LineBox((100, 300, 500, 30), 2, 0.5), LineBox((100, 400, 20, 300), 3, 0.1)]
    assert [ln.text_index for ln in weak_lines(lines, DPI, limit=1)] == [1]
    assert [ln.text_index for ln in weak_lines(lines, DPI)] == [1, 2]


def test_a_closer_reading_replaces_a_line_only_when_clearly_better() -> None:
    assert better_line("三O一信秆二二月", 0.3, "二〇一八年十二月二十一日", 0.8)
    assert not better_line("二〇一八年十二月二十一日", 0.55, "二〇一八年", 0.9)  # a fragment
    assert not better_line("审判员 李明", 0.5, "审判员 李朋", 0.55)  # not clearly more confident
    assert replace_lines("a\nb\nc", {1: "B"}) == "a\nB\nc"


def test_noise_lines_are_unsure_and_carry_no_run_of_chinese() -> None:
    assert noise_line("AN     区", 0.07)
    assert noise_line("|", 0.0)
    assert not noise_line("AN 山东省某市", 0.1)  # a run of Chinese: a damaged line, kept for a person
    assert not noise_line("- 2 -", 0.5)


def test_an_isolated_crop_is_binarized_on_a_white_border() -> None:
    crop = np.full((40, 80), 200, np.uint8)  # grey paper
    crop[12:28, 30:50] = 60  # ink
    out = isolated_text(crop)
    assert out.shape[0] > 40 and out.shape[1] > 80
    assert set(np.unique(out)) == {0, 255} and out[0, 0] == 255 and out.min() == 0
