"""Signature dates whose year is known without reading it (the case number's year is the year the mail
arrived), and close reads that disagree with each other (invented texts)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.types import DocType, Document
from extract.understanding.analyze import CONSTRAINED_ATTEMPTS, reread_decision_dates
from extract.understanding.fields import extract_fields, normalize_lines
from extract.understanding.signature import decision_date, known_year

SIGNERS = "审判长周一\n审判员吴平\n{date}\n书记员王四"
BODY = ["某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初77号\n原告林小满。\n"
        "判决如下：\n驳回原告林小满的诉讼请求。\n"]
ARRIVED = date(2031, 12, 20)


def _read(printed: str, received_on: date | None = ARRIVED) -> tuple[date | None, str | None, bool]:
    lines = normalize_lines([*BODY, SIGNERS.format(date=printed)])
    got = decision_date(lines, 2031, received_on=received_on)
    return got.value, got.doubt, got.guessed


def test_the_year_is_known_only_when_number_and_mail_share_it() -> None:
    assert known_year(2031, date(2031, 5, 1)) == 2031
    assert known_year(2031, date(2032, 1, 5)) is None  # a 2031 case may be decided in 2032
    assert known_year(None, date(2031, 5, 1)) is None
    assert known_year(2031, None) is None


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("二〇四一年三月九日", date(2031, 3, 9)),  # a seal's stroke made 三 of 二: 2041 cannot be
        ("二〇三年三月九日", date(2031, 3, 9)),  # a year digit lost
        ("二〇三次年三月九日", date(2031, 3, 9)),  # a year digit misread as a word
        ("二〇三一年七入二十四日", date(2031, 7, 24)),  # 月 misread: 七八二十四 is no month and day
        ("二〇三一年十二月五日", date(2031, 12, 5)),
    ],
)
def test_month_and_day_read_cleanly_in_the_known_year(printed: str, expected: date) -> None:
    value, doubt, guessed = _read(printed)
    assert value == expected and not guessed
    if printed != "二〇三一年十二月五日":
        assert doubt is not None  # never alone: another read has to agree


@pytest.mark.parametrize(
    "printed",
    [
        "二〇三次年十入二日",  # 十 then an unreadable character: 十一月 or 十二月 with 月 lost
        "二〇三一年三上八日",  # 三十八 splits into 三 / 十八 as well
        "二〇四一年三月九切",  # the day's end unread
        "二〇四一年三月上九日",  # a numeral that had to be guessed
        "每年三月九日",  # no year before 年
    ],
)
def test_what_the_known_year_does_not_read(printed: str) -> None:
    assert _read(printed)[0] is None


def test_without_the_mail_s_day_the_year_is_read_as_before() -> None:
    assert _read("二〇四一年三月九日", received_on=None)[0] is None


def _doc() -> tuple[Document, list[str]]:
    pages = [*BODY, "审判长周一\n审判员吴平\n书记员王四"]
    return Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment,
                                                                      received_on=ARRIVED)), pages


def _reread(reads: dict[int, str]) -> Document:
    """The judgment of `_doc` after close reads of its signature page (attempt -> text)."""
    doc, pages = _doc()
    return reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                 lambda page, attempt: reads.get(attempt) if page == 2 else None, ARRIVED)[0]


def test_two_reads_with_an_unread_year_settle_the_date() -> None:
    reads = {0: "审判长周一\n二〇四一年三月九日\n书记员王四", 1: "审判长周一\n二O三次年三月九日\n书记员王四"}
    out = _reread(reads)
    assert out.fields.doc_date == date(2031, 3, 9)
    assert "decision_date" not in out.fields.doubts


def test_a_constrained_read_with_an_unread_year_confirms_an_unconstrained_one() -> None:
    reads = {2: "审判长周一\n二〇三次年七入二十四日\n书记员王四",
             min(CONSTRAINED_ATTEMPTS): "审判长周一\n二〇三年七月二十四日\n书记员王四"}
    out = _reread(reads)
    assert out.fields.doc_date == date(2031, 7, 24)
    assert "decision_date" not in out.fields.doubts


def test_agreement_outvoted_by_a_disagreeing_read_waits_for_more() -> None:
    # Two reads of 3-09 against one of 3-08: not enough; a third read of 3-09 settles it.
    reads = {0: "审判长周一\n二O〇三一年三月八日\n书记员王四", 1: "审判长周一\n二O〇三一年三月九日\n书记员王四",
             2: "审判长周一\n二O〇三一年三月九日\n书记员王四"}
    out = _reread(reads)
    assert out.fields.doc_date is not None and "decision_date" in out.fields.doubts
    reads[3] = "审判长周一\n二O〇三一年三月九日\n书记员王四"
    out = _reread(reads)
    assert out.fields.doc_date == date(2031, 3, 9)
    assert "decision_date" not in out.fields.doubts


def test_a_clean_read_against_a_disagreeing_read_keeps_a_doubt() -> None:
    reads = {0: "审判长周一\n二O〇三一年三月八日\n书记员王四", 1: "审判长周一\n二〇三一年三月九日\n书记员王四"}
    out = _reread(reads)
    assert "decision_date" in out.fields.doubts


def test_a_close_read_without_legible_signers_takes_a_line_that_is_only_the_date() -> None:
    reads = {2: "es\n二〇三次年七入二十四日\n本件与原本核对无异\n书 讽，员 王四",
             min(CONSTRAINED_ATTEMPTS): "六\n二〇三年七月二十四日\n一"}
    out = _reread(reads)
    assert out.fields.doc_date == date(2031, 7, 24)
    assert "decision_date" not in out.fields.doubts
    # A date inside other text is not taken without the judges' names around it.
    reads = {2: "es\n本院二〇三次年七入二十四日收到\n书 讽，员 王四",
             min(CONSTRAINED_ATTEMPTS): "六\n本院二〇三年七月二十四日收到"}
    out = _reread(reads)
    assert out.fields.doc_date is None
