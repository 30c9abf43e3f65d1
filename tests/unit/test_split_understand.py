# ruff: noqa: E501  (tables of Chinese test text)
"""understand() end to end on small combined files, including OCR-damaged case numbers."""

from __future__ import annotations

from extract.types import DocType, Page, PageSource
from extract.understanding.analyze import understand


def pages(*texts: str) -> list[Page]:
    return [Page(i + 1, t, PageSource.tesseract, 0.8) for i, t in enumerate(texts)]


NOTICE = "山东省枣庄市薛城区人民法院\n应诉通知书\n(2026) 和鲁0403行初12号\n滕州市自然资源局 :\n本院已受理原告丁某诉你单位不动产登记一案。\n2026年2月11日"
EVIDENCE_DAMAGED = "山东省上庄市吾城区人民法院\n举证通知书\n(2026) 各0403行急12己\n搓州市特然资源局:\n现将有关举证事项通知如下:\n一、被告对作出的行政行为负有举证责任\n二〇二六年二月十一日"
SUMMONS = "山东省赤庄市冬城区人民法院\n传 暴\n案号 (2026) 鲁0403行初12号\n案由 行政登记\n被传唤人 滕州市自然资源局\n应到时间 2026年4月3日9时30分\n应到处所 本院第四审判庭\n二 二六年二月十一月"


def test_combined_scan_with_damaged_number_confirmed_by_sibling() -> None:
    docs = understand(pages(NOTICE, EVIDENCE_DAMAGED, SUMMONS), "新建文件夹.pdf")
    assert [(d.doc_type, d.first_page, d.last_page) for d in docs] == [
        (DocType.notice_to_respond, 1, 1),
        (DocType.evidence_notice, 2, 2),
        (DocType.summons, 3, 3),
    ]
    assert [d.fields.case_number for d in docs] == ["（2026）鲁0403行初12号"] * 3
    assert any("partial reading" in e for e in docs[1].evidence)
    assert docs[2].fields.hearing_at is not None and docs[2].fields.hearing_at.hour == 9


def test_damaged_number_without_confirmation_stays_unknown() -> None:
    docs = understand(pages(EVIDENCE_DAMAGED), "20260213.pdf")
    assert docs[0].fields.case_number is None


def test_file_name_confirms_partial_number() -> None:
    damaged = EVIDENCE_DAMAGED.replace("(2026) 各0403行急12己", "12026) 普04035行初12号")
    docs = understand(pages(damaged), "（2026）鲁0403行初12号举证通知书.pdf")
    assert docs[0].fields.case_number == "（2026）鲁0403行初12号"


def test_file_name_never_overrides_a_different_clean_number() -> None:
    docs = understand(pages(NOTICE), "（2026）鲁0403行初13号应诉通知书.pdf")
    assert docs[0].fields.case_number == "（2026）鲁0403行初12号"  # 12 vs 13 is not a confusable pair


def test_failed_pages_yield_other_with_zero_confidence() -> None:
    failed = [Page(1, "", PageSource.failed, 0.0, error="ocr_failed")]
    docs = understand(failed)
    assert len(docs) == 1 and docs[0].doc_type is DocType.other and docs[0].confidence == 0.0


def test_empty_file() -> None:
    assert understand([]) == []


def test_header_reread_fills_an_unreadable_number() -> None:
    damaged = NOTICE.replace("(2026) 和鲁0403行初12号", "(2026) 咕041行切2:")
    docs = understand(pages(damaged), "20260213.pdf")
    assert docs[0].fields.case_number is None
    header = "山东省枣庄市薛城区人民法院\n应诉通知书\n(2026) 和鲁0403行初12号\n滕州市自然资源局 :"
    again = understand(pages(damaged), "20260213.pdf", header_texts={1: header})
    assert again[0].fields.case_number == "（2026）鲁0403行初12号"
    assert any("second read of the page header" in e for e in again[0].evidence)


def test_header_reread_recovers_a_lost_title() -> None:
    body = "垃圾文字\n本院已受理原告丁某一案。\n2026年2月11日"
    docs = understand(pages(body))
    assert docs[0].doc_type is DocType.other
    again = understand(pages(body), header_texts={1: "山东省枣庄市薛城区人民法院\n应诉通知书\n(2026)鲁0403行初12号"})
    assert again[0].doc_type is DocType.notice_to_respond
    assert again[0].fields.case_number == "（2026）鲁0403行初12号"


def test_dropped_serial_digit_corrected_by_sibling_consensus() -> None:
    dropped = EVIDENCE_DAMAGED.replace("(2026) 各0403行急12己", "(2026) 鲁0403行初1号 ，")
    docs = understand(pages(NOTICE, dropped, SUMMONS), "新建文件夹.pdf")
    assert [d.fields.case_number for d in docs] == ["（2026）鲁0403行初12号"] * 3
    assert any("other documents of this file agree" in e for e in docs[1].evidence)


def test_a_single_sibling_does_not_outvote() -> None:
    other_case = NOTICE.replace("(2026) 和鲁0403行初12号", "(2026) 鲁0403行初1号")
    docs = understand(pages(other_case, SUMMONS), "合并.pdf")
    assert [d.fields.case_number for d in docs] == ["（2026）鲁0403行初1号", "（2026）鲁0403行初12号"]
