"""Decision dates whose year no read shows whole, settled when the damaged reads together leave one year
the decision can have (invented texts)."""

from __future__ import annotations

from datetime import date

from extract.types import DocType, Document
from extract.understanding.analyze import CONSTRAINED_ATTEMPTS, reread_decision_dates
from extract.understanding.fields import extract_fields
from extract.understanding.signature import agreed_date

BODY = ("某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初77号\n原告林小满。\n"
        "判决如下：\n驳回原告林小满的诉讼请求。\n")
SIGNERS = "审判长周一\n审判员吴平\n书记员王四"
ARRIVED = date(2036, 3, 2)  # years later: the year of the decision is not known without reading it


def test_one_year_fits_every_damaged_read() -> None:
    # A doubled circle, a circle split off a stroke: only 2031 has all of 二〇三一 among the numerals read.
    reads = ["审判员吴平\n二〇三一〇年六月十七日", "二C〇三一年六月十七日\n书记员王四", "年六月十七日"]
    assert agreed_date(reads, 2031, ARRIVED) == (date(2031, 6, 17), "二〇三一年六月十七日")


def test_numerals_out_of_their_order_are_another_year() -> None:
    # 二〇〇三 is 2003, not 2030 with its numerals displaced: no year of a case numbered in 2030 fits it.
    assert agreed_date(["二〇〇三年五月八日", "二〇三〇〇年五月八日", "二C〇三〇年五月八日"], 2030, ARRIVED) is None
    assert agreed_date(["二〇三〇〇年五月八日", "二C〇三〇年五月八日"], 2030, ARRIVED) == (
        date(2030, 5, 8), "二〇三〇年五月八日")


def test_what_is_not_agreed() -> None:
    # One read of the year only, or twice the same string: a single look.
    assert agreed_date(["二〇三一〇年六月十七日", "年六月十七日"], 2031, ARRIVED) is None
    assert agreed_date(["二〇三一〇年六月十七日", "二〇三一〇年六月十七日"], 2031, ARRIVED) is None
    # The month or day read two ways.
    assert agreed_date(["二〇三一〇年六月十七日", "二C〇三一年六月十一日"], 2031, ARRIVED) is None
    # A numeral more that is no circle: 2031 with a 二 come, or 2032 with a 一: neither is settled.
    assert agreed_date(["二〇三一二年六月十七日", "二C〇三一二年六月十七日"], 2031, ARRIVED) is None
    # A read whose year fits no year at all (too much in the slot) leaves no year.
    assert agreed_date(["二〇三一〇年六月十七日", "二O〇C三一〇年六月十七日"], 2031, ARRIVED) is None
    # After the mail arrived, or without the case number's year or the mail's day.
    assert agreed_date(["二〇三一〇年六月十七日", "二C〇三一年六月十七日"], 2031, date(2031, 5, 1)) is None
    assert agreed_date(["二〇三一〇年六月十七日", "二C〇三一年六月十七日"], None, ARRIVED) is None
    assert agreed_date(["二〇三一〇年六月十七日", "二C〇三一年六月十七日"], 2031, None) is None


def test_a_read_that_lost_a_numeral_only_rules_out_years() -> None:
    # 二〇三 lost a numeral: it fits 2031 as well as 2030; the other two reads decide.
    reads = ["二〇三一〇年六月十七日", "二〇三年六月十七日", "二C〇三一年六月十七日"]
    assert agreed_date(reads, 2031, ARRIVED) == (date(2031, 6, 17), "二〇三一年六月十七日")
    # 二〇二 has a numeral 2031 has not: one read is of another year, and nothing is settled.
    assert agreed_date([*reads, "二〇二年六月十七日"], 2031, ARRIVED) is None


def _doc() -> tuple[Document, list[str]]:
    pages = [BODY, SIGNERS]
    return Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment,
                                                                      received_on=ARRIVED)), pages


def test_close_reads_that_agree_only_together_settle_the_date() -> None:
    doc, pages = _doc()
    assert "decision_date" in doc.fields.doubts
    reads = {0: "审判长周一\n二OC三一年入月九日\n书记员王四", 1: "审判长周一\n二O〇三一G年入月九日\n书记员王四",
             2: "审判长周一\n年八月九日\n书记员王四", 3: "周一\n年八月九日\n|"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: reads.get(attempt) if page == 2 else None, ARRIVED)[0]
    assert out.fields.doc_date == date(2031, 8, 9)
    assert "decision_date" not in out.fields.doubts


def test_reads_forced_toward_a_date_are_not_among_them() -> None:
    doc, pages = _doc()
    c = min(CONSTRAINED_ATTEMPTS)
    reads = {0: "审判长周一\n二OC三一年入月九日\n书记员王四", c: "二〇三一〇年八月九日",
             c + 1: "二〇三一〇〇年八月九日"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: reads.get(attempt) if page == 2 else None, ARRIVED)[0]
    assert "decision_date" in out.fields.doubts


def test_a_free_read_of_another_day_keeps_the_doubt() -> None:
    doc, pages = _doc()
    reads = {0: "审判长周一\n二OC三一年入月九日\n书记员王四", 1: "审判长周一\n二O〇三一G年入月六日\n书记员王四",
             2: "审判长周一\n年八月九日\n书记员王四", 3: "周一\n年八月九日\n|"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: reads.get(attempt) if page == 2 else None, ARRIVED)[0]
    assert "decision_date" in out.fields.doubts
