# ruff: noqa: E501  (tables of Chinese test text)
from __future__ import annotations

from extract.understanding.split import split_pages

COMPLAINT_1 = "行政起诉状\n原告：张三，男，住某村1号。\n被告：滕州市某某局，住所地某路。\n诉讼请求：\n第1页 共2页"
COMPLAINT_2 = "综上所述，请求判如所请。\n此致\n滕州市人民法院\n具状人：张三\n2026年3月1日\n第2页 共2页"
NOTICE = "山东省滕州市人民法院\n应诉通知书\n（2026）鲁0481行初7号\n滕州市某某局：\n本院已受理原告张三诉你单位一案。\n2026年3月10日"
JUDGMENT_1 = "山东省滕州市人民法院\n行 政 判 决 书\n（2026）鲁0481行初7号\n原告：张三，男，住某村。\n- 1 -"
JUDGMENT_2 = "本院认为，被告的行为合法。\n原告的主张不能成立。\n- 2 -"
JUDGMENT_3 = "审判长 李四\n二〇二六年五月八日\n书记员 王五\n- 3 -"


def ranges(pages: list[str]) -> list[tuple[int, int]]:
    return [(s.first_page, s.last_page) for s in split_pages(pages)]


def test_combined_scan() -> None:
    pages = [COMPLAINT_1, COMPLAINT_2, NOTICE, JUDGMENT_1, JUDGMENT_2, JUDGMENT_3]
    assert ranges(pages) == [(1, 2), (3, 3), (4, 6)]


def test_single_document_is_never_split() -> None:
    assert ranges([JUDGMENT_1, JUDGMENT_2, JUDGMENT_3]) == [(1, 3)]
    assert ranges([COMPLAINT_1, COMPLAINT_2]) == [(1, 2)]


def test_footer_continuation_beats_a_title_like_line() -> None:
    # Page 2 starts with a line that ends like a title but its footer says page 2 of 2.
    page2 = "附：起诉状\n其他内容。\n第2页 共2页"
    assert ranges([COMPLAINT_1, page2]) == [(1, 2)]


def test_signature_page_with_court_name_is_not_a_new_document() -> None:
    last = "山东省枣庄市台儿庄区人民法院\n2026年5月13日"
    assert ranges([NOTICE.replace("\n2026年3月10日", ""), last]) == [(1, 2)]


def test_lost_title_detected_from_court_header_and_case_line() -> None:
    summons = "山东省赤庄市冬城区人民法院\n传 暴\n案号 (2026) 鲁0403行初12号\n被传唤人 某某局\n应到处所 本院"
    assert ranges([NOTICE, summons]) == [(1, 1), (2, 2)]


def test_empty_input() -> None:
    assert split_pages([]) == []
    assert ranges([""]) == [(1, 1)]
