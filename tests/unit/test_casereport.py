"""Edited case reports: classified as "other", own number = the highest instance the header lists."""

from __future__ import annotations

from extract.types import DocType
from extract.understanding.casereport import case_report_marker, case_report_number
from extract.understanding.classify import classify_text

# Invented texts in the shape such reports take.
TWO_INSTANCES = """判决书字号
一审判决书：某省某市某区人民法院（2003）某行初字第1
2号。
二审判决书：某省某市中级人民法院（2004）某中行终
字第045号。
案由：不服行政处罚案。
诉讼双方
原告（被上诉人）：张某。
"""
THREE_INSTANCES = """【案件基本信息】
2.案件编号及判决日期
一审：某市第一中级人民法院（2015）一中行初字第83号判决
二审：某市高级人民法院（2016）高行终字第320号判决
再审：最高人民法院（2018）最高法行再7号判决
"""
UNLABELLED = """[案情]
原告张某不服（2003）某行初字第5号行政判决，上诉后（2004）某中行终字第6号判决维持。
"""


def test_case_reports_are_other() -> None:
    for text in (TWO_INSTANCES, THREE_INSTANCES, UNLABELLED):
        cls = classify_text([text])
        assert cls.doc_type is DocType.other and cls.subtype == "case_report"
    assert case_report_marker(["山东省滕州市人民法院", "行政判决书", "（2026）鲁0481行初3号"]) is None


def test_own_number_is_the_highest_instance() -> None:
    assert case_report_number(TWO_INSTANCES.splitlines())[0] == "（2004）某中行终字45号"
    assert case_report_number(THREE_INSTANCES.splitlines())[0] == "（2018）最高法行再7号"


def test_unlabelled_numbers_leave_the_own_number_open() -> None:
    own, printed, why = case_report_number(UNLABELLED.splitlines())
    assert own is None and printed is None and "undecided" in why


def test_rejected_petition_and_enforcement_rulings() -> None:
    assert classify_text(["某省高级人民法院\n驳回申诉通知书\n张某：你不服…"]).doc_type is DocType.other
    assert classify_text(["某县人民法院\n执行裁定书\n（2018）黔0303执1029号"]).doc_type is DocType.ruling
    assert classify_text(["某县人民法院\n行政赔偿判决书\n（2018）黔0303行赔初2号"]).doc_type is DocType.judgment


def test_an_unreadable_province_is_the_one_of_the_court_the_document_names() -> None:
    from extract.types import Page, PageSource
    from extract.understanding.analyze import understand

    lines = ("某省第二中级人民法院", "行 政 判 决 书", "（2018）琢96行终30号", "上诉人（原审原告）张某。", "判决如下：")
    text = "\n".join(lines)
    (doc,) = understand([Page(1, text.replace("某省", "海南省"), PageSource.plain, 1.0)], "x.pdf")
    assert doc.fields.case_number == "（2018）琼96行终30号"
    (unknown,) = understand([Page(1, text, PageSource.plain, 1.0)], "x.pdf")
    assert unknown.fields.case_number is None  # no province named: the number is left for a person
