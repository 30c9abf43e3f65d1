"""Lines under a seal on a page read well: where to look for the seal, the band to read again, and merging
the band's reading into the page's (pure logic; invented examples)."""

from __future__ import annotations

from extract.reading.lost_lines import LineBox
from extract.reading.sealed_lines import group_band, merge_band, seal_band, search_window, unsure_group

DPI = 150
SHAPE = (1754, 1240)  # A4 at 150 dpi


def _page() -> tuple[str, list[LineBox], list[tuple[int, int, int, int]]]:
    text = "本院认为，被告的行为合法。\n\n审判员 王某\n=ANT度\n山夺竺人民法\nNA\n第 3 页"
    lines = [
        LineBox((160, 900, 800, 32), 0, 0.92),
        LineBox((600, 1150, 300, 32), 2, 0.85),
        LineBox((780, 1200, 220, 60), 3, 0.2),
        LineBox((710, 1260, 320, 60), 4, 0.3),
        LineBox((800, 1360, 200, 60), 5, 0.0),
        LineBox((560, 1650, 120, 20), 6, 0.9),
    ]
    boxes = [ln.box for ln in lines]
    return text, lines, boxes


def test_one_unsure_line_is_no_seal() -> None:
    lines = [LineBox((160, 900, 800, 32), 0, 0.92), LineBox((700, 1300, 300, 32), 1, 0.2)]
    assert unsure_group(lines, DPI) == []


def test_unsure_lines_far_apart_are_no_seal() -> None:
    lines = [LineBox((160, 200, 800, 32), 0, 0.3), LineBox((700, 1500, 300, 32), 1, 0.2)]
    assert unsure_group(lines, DPI) == []


def test_a_group_of_unsure_lines_is_searched_with_a_margin() -> None:
    _text, lines, _boxes = _page()
    group = unsure_group(lines, DPI)
    assert [ln.text_index for ln in group] == [3, 4, 5]
    left, top, width, height = search_window(group, SHAPE, DPI)
    assert left < 710 and top < 1200 and left + width > 1030 and top + height > 1420
    assert left + width <= SHAPE[1] and top + height <= SHAPE[0]


def test_the_band_takes_in_whole_lines() -> None:
    _text, lines, _boxes = _page()
    top, bottom = seal_band(1300.0, 120.0, lines, SHAPE[0])
    assert top <= 1150 and bottom >= 1420
    assert bottom < 1650  # the page number below the seal stays out


def test_without_a_ring_the_band_is_the_groups_rows() -> None:
    _text, lines, _boxes = _page()
    assert group_band(unsure_group(lines, DPI), lines, SHAPE[0]) == (1196, 1424)


def test_a_better_band_reading_replaces_the_lines_in_it() -> None:
    text, lines, boxes = _page()
    band = (1140, 1460)
    band_text = "审判员 王某\n山东省某市人民法院\n二〇二六年五月八日"
    band_lines = [LineBox((600, 12, 300, 32), 0, 0.86), LineBox((700, 120, 330, 34), 1, 0.7),
                  LineBox((760, 175, 260, 34), 2, 0.62)]
    merged = merge_band(text, lines, boxes, band, band_text, band_lines, [ln.box for ln in band_lines])
    assert merged is not None
    rows = merged.text.split("\n")
    assert rows == ["本院认为，被告的行为合法。", "", "审判员 王某", "山东省某市人民法院", "二〇二六年五月八日",
                    "第 3 页"]
    # The lines point at their rows, boxes in page pixels, in reading order.
    assert [rows[ln.text_index] for ln in merged.lines] == [r for r in rows if r]
    assert merged.lines[2].box == (700, 1260, 330, 34)
    assert (160, 900, 800, 32) in merged.boxes and (780, 1200, 220, 60) not in merged.boxes


def test_a_band_reading_no_surer_than_the_old_lines_is_not_kept() -> None:
    text, lines, boxes = _page()
    band_lines = [LineBox((600, 12, 300, 32), 0, 0.3), LineBox((700, 120, 330, 34), 1, 0.1)]
    merged = merge_band(text, lines, boxes, (1140, 1460), "审判 某\nA~", band_lines, [ln.box for ln in band_lines])
    assert merged is None
