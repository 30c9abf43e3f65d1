"""Plaintiffs and court of a case agreed across its documents; doubts go to a person."""

from __future__ import annotations

from typing import Any

from cases.parties import agreed_court, agreed_plaintiffs
from cases.plausibility import CaseFacts, CheckKind, DocFacts, findings
from extract.types import DocType
from extract.understanding.fields import extract_fields


def test_the_spelling_most_documents_agree_on_wins() -> None:
    got = agreed_plaintiffs([("甲乙丙",), ("甲乙丙",), ("甲乙两",)])
    assert got.names == ("甲乙丙",) and got.doubt is None


def test_tied_spellings_are_a_doubt() -> None:
    got = agreed_plaintiffs([("某某市金源商贸有限公司", "李四"), ("某某市全源商贸有限公司", "李四")])
    assert got.doubt and "不一致" in got.doubt


def test_a_co_plaintiff_one_document_lost_is_kept_when_others_name_it() -> None:
    got = agreed_plaintiffs([("某公司", "王五"), ("某公司",), ("某公司", "王五")])
    assert got.names == ("某公司", "王五") and got.doubt is None


def test_a_party_only_one_of_several_documents_names_is_a_doubt() -> None:
    got = agreed_plaintiffs([("某公司",), ("某公司",), ("某公司", "赵六")])
    assert "赵六" in got.names and got.doubt and "仅一份" in got.doubt


def test_two_similar_names_in_one_document_are_two_people() -> None:
    got = agreed_plaintiffs([("张伟", "张华"), ("张伟", "张华")])
    assert got.names == ("张伟", "张华") and got.doubt is None


def test_court_agreement() -> None:
    assert agreed_court(["某某县人民法院", "江西省某某县人民法院"]).names == ("江西省某某县人民法院",)
    clash = agreed_court(["江西省甲县人民法院", "江西省乙县人民法院", "江西省甲县人民法院"])
    assert clash.names == ("江西省甲县人民法院",) and clash.doubt


def _doc(i: int, **fields: Any) -> DocFacts:
    from datetime import UTC, date, datetime

    return DocFacts(i, "complaint", datetime(2031, 3, 1, tzinfo=UTC), date(2031, 3, 1), fields, 1, 2)


def _case(**kw: Any) -> CaseFacts:
    base: dict[str, Any] = dict(
        case_number="（2031）赣0123行初7号",
        notice_date=None,
        hearing_at=None,
        head_present=None,
        head_principal=None,
        head_name=None,
        head_title=None,
        outcome="pending",
        decision_type=None,
        decision_date=None,
    )
    base.update(kw)
    return CaseFacts(**base)


def test_disagreeing_documents_open_a_plaintiffs_check() -> None:
    docs = [_doc(1, plaintiffs=["某某市金源商贸有限公司"]), _doc(2, plaintiffs=["某某市全源商贸有限公司"])]
    got = {f.fact: f for f in findings(_case(plaintiffs=("某某市全源商贸有限公司",)), docs)}
    assert got["plaintiffs"].kind is CheckKind.conflict and got["plaintiffs"].document_id == 2
    # A person's value stands: no check.
    assert "plaintiffs" not in {f.fact for f in findings(_case(human=frozenset({"plaintiffs"})), docs)}


def test_a_court_name_the_number_contradicts_opens_a_court_check_only_while_the_case_has_none() -> None:
    docs = [_doc(1, doubts={"court": "法院名称“某某”与案号的法院层级不符"})]
    assert {f.fact: f.kind for f in findings(_case(), docs)}["court"] is CheckKind.doubtful
    assert "court" not in {f.fact for f in findings(_case(court="江西省某某县人民法院"), docs)}


def test_party_lines_as_courts_print_them() -> None:
    page = "\n".join(
        [
            "行政判决书",
            "（2031）赣01行终5号",
            "上诉人（一审原告、二审上诉人）甲某。",
            "上诉人（原审第三人）某某建筑公司第一工程处。",
            "被上诉人（原审被告）某某市某某局。",
            "上诉人甲某不服某某县人民法院行政判决，向本院提起上诉。",
            "原告系某某市居民。",
        ]
    )
    f = extract_fields([page], DocType.judgment)
    assert f.plaintiffs == ("甲某",)
    assert f.third_parties == ("某某建筑公司第一工程处",)


def test_a_label_alone_on_its_line_and_an_applying_agency() -> None:
    f = extract_fields(
        ["行政裁定书\n（2031）赣01行初9号\n起诉人\n乙某，男，住某村。\n乙某向本院递交起诉状。"], DocType.ruling
    )
    assert f.plaintiffs == ("乙某",)
    g = extract_fields(["行政裁定书\n（2031）赣0123行审9号\n申请人某某县自然资源局。\n被执行人丙某。"], DocType.ruling)
    assert g.plaintiffs == ("丙某",)


def test_two_long_names_one_character_apart_in_one_document_are_a_doubt() -> None:
    page = "\n".join(
        [
            "行政裁定书",
            "（2031）赣01行初9号",
            "原告：某某市金源环保科技有限公司。",
            "原告：某某市全源环保科技有限公司。",
        ]
    )
    f = extract_fields([page], DocType.ruling)
    assert len(f.plaintiffs) == 2 and "plaintiffs" in f.doubts
