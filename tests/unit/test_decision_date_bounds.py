"""Decision dates bounded by the day the mail arrived, years with one character too many, and case
reports dated by the date they print with their own number (invented texts)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.types import DocType, Document, Fields
from extract.understanding.analyze import reread_decision_dates
from extract.understanding.casereport import case_report_date
from extract.understanding.fields import extract_fields, normalize_lines
from extract.understanding.signature import decision_date

SIGNED = "审判长周一\n审判员吴平\n{date}\n书记员王四"


def _judgment(narrated: str, printed: str, filed: str = "2031年2月3日") -> list[str]:
    return normalize_lines([
        "某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初77号\n原告林小满。\n"
        f"本院于{filed}立案，于{narrated}公开开庭审理了本案。\n本案现已审理终结。\n本院认为，被告的行为合法。\n"
        "依照有关规定，判决如下：\n驳回原告林小满的诉讼请求。\n案件受理费50元，由原告负担。\n",
        SIGNED.format(date=printed),
    ])


def test_a_body_date_after_the_mail_arrived_is_no_bound() -> None:
    lines = _judgment("2031年6月9日", "二〇三一年三月十八日")
    # Without the day of arrival the narrated hearing rules the signature date out ...
    assert decision_date(lines, 2031).value is None
    # ... but a hearing narrated after the day the mail arrived cannot have been held yet when it was sent.
    got = decision_date(lines, 2031, received_on=date(2031, 3, 25))
    assert got.value == date(2031, 3, 18) and got.doubt is None


def test_a_body_date_before_the_mail_arrived_still_bounds_the_date() -> None:
    lines = _judgment("2031年3月20日", "二〇三一年三月十八日")
    got = decision_date(lines, 2031, received_on=date(2031, 3, 25))
    assert got.value is None and got.doubt is not None and "before 2031-03-20" in got.doubt


def test_a_signature_date_after_the_mail_arrived_is_read_for_the_case_check_to_reject() -> None:
    lines = _judgment("2031年3月2日", "二〇三一年四月十八日")
    got = decision_date(lines, 2031, received_on=date(2031, 3, 25))
    assert got.value == date(2031, 4, 18)


def test_extract_fields_passes_the_day_of_arrival_on() -> None:
    pages = ["某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初77号\n原告林小满。\n"
             "本院于2031年6月9日公开开庭审理了本案。\n本案现已审理终结。\n本院认为，被告的行为合法。\n"
             "判决如下：\n驳回原告林小满的诉讼请求。\n案件受理费50元，由原告负担。\n",
             SIGNED.format(date="二〇三一年三月十八日")]
    assert extract_fields(pages, DocType.judgment).doc_date is None
    assert extract_fields(pages, DocType.judgment, received_on=date(2031, 3, 25)).doc_date == date(2031, 3, 18)


@pytest.mark.parametrize(
    ("printed", "own_year", "expected"),
    [
        ("二〇三一〇年四月二十七日", 2031, date(2031, 4, 27)),  # a doubled circle after the year
        ("二O=O〇年四月二十七日", 2020, date(2020, 4, 27)),  # = for 二 and a doubled circle
    ],
)
def test_a_year_with_one_character_too_many_is_repaired_with_a_doubt(printed: str, own_year: int,
                                                                     expected: date) -> None:
    got = decision_date(_judgment(f"{own_year}年3月2日", printed, f"{own_year}年2月3日"), own_year)
    assert got.value == expected and got.doubt is not None and "repairs" in got.doubt


def test_a_year_no_single_deletion_makes_plausible_stays_out() -> None:
    got = decision_date(_judgment("2031年3月2日", "二CO〇三年四月二十七日"), 2031)
    assert got.value is None and got.doubt is not None and "before the case number's year" in got.doubt


def test_one_repaired_reread_with_a_bad_year_needs_a_second_look() -> None:
    """The repaired year settles nothing alone; a second read agreeing on the date does."""
    pages = ["某某省青禾市湖西区人民法院\n行政判决书\n（2020）鲁0102行初77号\n原告林小满。\n"
             "判决如下：\n驳回原告林小满的诉讼请求。\n", "审判长周一\n审判员吴平\n二人=三)人\n书记员王四"]
    fields = extract_fields(pages, DocType.judgment)
    assert fields.doc_date is None and "decision_date" in fields.doubts
    doc = Document(DocType.judgment, 1, 2, 0.95, "行政判决书", fields=fields)
    one = {0: "审判长周一\n二O=O〇年四月二十七日\n书记员王四"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]}, lambda page, attempt: one.get(attempt))[0]
    assert out.fields.doc_date == date(2020, 4, 27) and "decision_date" in out.fields.doubts
    two = {**one, 2: "审判长周一\n二〇二〇年四月二十七日\n书记员王四"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]}, lambda page, attempt: two.get(attempt))[0]
    assert out.fields.doc_date == date(2020, 4, 27) and "decision_date" not in out.fields.doubts


REPORT = ("【案例索引】\n一审：某某省青禾市湖西区人民法院（2031）鲁0102行初77号（2031年5月6日）\n"
          "二审：某某省青禾市中级人民法院（2031）鲁01行终88号（2031年9月10日）\n【案情】\n"
          "原告林小满。被告青禾市某局。2031年1月2日，被告作出处罚决定。\n")


def test_a_case_report_is_dated_by_the_date_printed_with_its_own_number() -> None:
    lines = normalize_lines([REPORT])
    assert case_report_date(lines, "（2031）鲁01行终88号") == (date(2031, 9, 10), None)
    fields = extract_fields([REPORT], DocType.other)
    assert fields.case_number == "（2031）鲁01行终88号" and fields.doc_date == date(2031, 9, 10)


def test_a_case_report_without_a_date_for_its_number_has_none() -> None:
    text = "判决书字号\n一审判决书：某某省青禾市湖西区人民法院（2031）鲁0102行初77号。\n" \
           "二审判决书：某某省青禾市中级人民法院（2031）鲁01行终88号。\n原告林小满。2031年1月2日被告作出处罚决定。\n"
    fields = extract_fields([text], DocType.other)
    assert fields.doc_date is None and "decision_date" in fields.doubts


def test_an_unidentified_retelling_is_dated_by_the_decision_it_narrates_with_a_doubt() -> None:
    text = ("原告林小满。被告青禾市某局。被告于2031年1月2日作出处罚决定。\n"
            "青禾市中级人民法院于2031年7月8日判决：\n驳回上诉，维持原判。\n")
    fields = extract_fields([text], DocType.other)
    assert fields.doc_date == date(2031, 7, 8) and "decision_date" in fields.doubts


def test_fields_default_is_unchanged_for_other_documents_without_a_decision() -> None:
    assert extract_fields(["情况说明\n2031年1月2日"], DocType.other).doc_date == date(2031, 1, 2)
    assert Fields().doc_date is None


def test_a_retelling_whose_narrated_date_is_unreadable_has_no_date() -> None:
    text = ("原告林小满。被告青禾市某局。被告于2031年1月2日作出处罚决定。\n"
            "青禾市中级人民法院于2 0 3\n工年?月1 9日判决：\n驳回上诉，维持原判。\n")
    fields = extract_fields([text], DocType.other)
    assert fields.doc_date is None and "decision_date" in fields.doubts
