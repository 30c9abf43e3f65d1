# ruff: noqa: E501  (tables of Chinese test text)
from __future__ import annotations

import pytest

from extract.types import DocType
from extract.understanding.classify import classify_text, find_title

COURT = "山东省滕州市人民法院\n"


@pytest.mark.parametrize(
    ("text", "expected", "title"),
    [
        (COURT + "行 政 判 决 书\n（2026）鲁0481行初7号\n原告：张三", DocType.judgment, "行政判决书"),
        (COURT + "行政裁定书\n(2026)鲁0481行初7号", DocType.ruling, "行政裁定书"),
        (COURT + "应 诉 通 知 书\n（2026）鲁0481行初7号\n滕州市某某局：", DocType.notice_to_respond, "应诉通知书"),
        (COURT + "出庭应诉通知书\n（2026）鲁0481行初7号", DocType.other, "出庭应诉通知书"),
        (COURT + "举证通知书\n（2026）鲁0481行初7号", DocType.evidence_notice, "举证通知书"),
        (COURT + "传 票\n案号 （2026）鲁0481行初7号", DocType.summons, "传票"),
        (COURT + "开庭通知书\n（2026）鲁0481行初7号", DocType.summons, "开庭通知书"),
        ("行政起诉状\n原告：张三，男", DocType.complaint, "行政起诉状"),
        ("行政起诉书\n原告：张三，男", DocType.complaint, "行政起诉书"),
        ("行 政 上 诉 状\n上诉人（原审原告）：张三", DocType.complaint, "行政上诉状"),
        ("答 辩 状\n答辩人：滕州市某某局，住所地", DocType.defense, "答辩状"),
        ("行政答辩书\n答辩人：滕州市某某局", DocType.defense, "行政答辩书"),
        ("行政机关负责人出庭应诉情况登记表\n填报单位 滕州市某某局", DocType.appearance_record, "行政机关负责人出庭应诉情况登记表"),
        ("行政机关负责人出庭情况说明\n滕州市司法局：", DocType.appearance_record, "行政机关负责人出庭情况说明"),
        ("关于负责人不能出庭的说明\n山东省滕州市人民法院：", DocType.appearance_record, "负责人不能出庭的说明"),
        ("授权委托书\n委托单位：滕州市某某局", DocType.other, "授权委托书"),
        ("法定代表人身份证明书\n张三在我单位任局长职务", DocType.other, "法定代表人身份证明书"),
        ("证据清单\n（2026）鲁0481行初7号", DocType.other, "证据清单"),
        ("送 达 回 证\n受送达人 滕州市某某局", DocType.other, "送达回证"),
        ("滕州市司法局\n关于召开全市行政应诉工作推进会议的通\n知\n各镇人民政府：", DocType.other, "通知"),
        # OCR: one character of a long title misread, stray marks around it.
        ("山东省束庄市市中区人民法院\n行政判决节 |\n(2026) 鲁0402行初3号", DocType.judgment, "行政判决书"),
        ("〈 行政起诉伏\n原告: 张三", DocType.complaint, "行政起诉状"),
    ],
)
def test_titles(text: str, expected: DocType, title: str) -> None:
    result = classify_text([text])
    assert result.doc_type is expected
    assert result.title == title


def test_title_must_be_near_the_top() -> None:
    body = "\n".join(["原告认为被告的行为违法。"] * 8) + "\n行政判决书"
    assert find_title(body) is None


def test_sentence_ending_in_a_title_word_is_not_a_title() -> None:
    assert find_title("现将起诉状副本及有关材料发送给你单位，请提交答辩状") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山东省某某人民法院\n传 暴\n案由 行政处罚\n被传唤人 某某局\n应到时间 2026年4月3日9时30分\n应到处所 第一法庭", DocType.summons),
        ("本院认为……依照《中华人民共和国行政诉讼法》第六十九条之规定，判决如下：\n驳回原告的诉讼请求。", DocType.judgment),
        ("图 状\n答共人: 某某局，住所地某某路\n被答庆人: 张三\n答话请求:", DocType.defense),
    ],
)
def test_body_cues_when_the_title_is_lost(text: str, expected: DocType) -> None:
    result = classify_text([text])
    assert result.doc_type is expected
    assert result.confidence < 0.9  # without a title the type is not auto-accepted


def test_confidence_orders_evidence() -> None:
    exact = classify_text([COURT + "行政判决书\n（2026）鲁0481行初7号\n判决如下：\n驳回原告张三的诉讼请求。"])
    fuzzy = classify_text([COURT + "行政判决节\n（2026）鲁0481行初7号"])
    nothing = classify_text(["一些无法识别的文字"])
    assert exact.confidence > fuzzy.confidence > nothing.confidence
    assert nothing.doc_type is DocType.other


def test_a_wrapped_citation_tail_is_not_a_title() -> None:
    from extract.understanding.classify import find_title

    page = "依据《中华人民共和国行政诉讼法》之规定，判决如下:\n一、撤销某某市中级人民法院（2015）某行初字第2\n3号行政判决;\n二、确认被告的行为违法。"
    assert find_title(page) is None
