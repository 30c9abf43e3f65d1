"""Signature-block dates as OCR leaves them under a seal: which damage is repaired, which is a guess,
and which is never read as a date (invented texts)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.types import DocType, Document
from extract.understanding.analyze import CONSTRAINED_ATTEMPTS, reread_decision_dates
from extract.understanding.fields import extract_fields, normalize_lines
from extract.understanding.signature import decision_date

SIGNERS = "审判长周一\n审判员吴平\n{date}\n书记员王四"
BODY = ["某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初77号\n原告林小满。\n"
        "判决如下：\n驳回原告林小满的诉讼请求。\n"]


def _read(printed: str, own_year: int | None = 2031) -> tuple[date | None, str | None, bool]:
    lines = normalize_lines([*BODY, SIGNERS.format(date=printed)])
    got = decision_date(lines, own_year)
    return got.value, got.doubt, got.guessed


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("二〇三一年四月二十七日", date(2031, 4, 27)),
        ("二○三一年四月二十七日", date(2031, 4, 27)),
        ("二O三一年四月二十七日", date(2031, 4, 27)),
        ("二零三一年四月二十七日", date(2031, 4, 27)),
        ("二口三一年四月二十七日", date(2031, 4, 27)),  # the 〇 slot carries nothing
        ("二三一年四月二十七日", date(2031, 4, 27)),  # a lost 〇
        ("=〇三一年四月二十七日", date(2031, 4, 27)),  # the century character misread: the 〇 says 20xx
        ("一〇三一年四月二十七日", date(2031, 4, 27)),  # 二 that lost a stroke (19xx print 一九)
    ],
)
def test_zero_slot_variants_read_cleanly(printed: str, expected: date) -> None:
    assert _read(printed) == (expected, None, False)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("二〇三一年四月二十七曰", date(2031, 4, 27)),  # 日 misread
        ("二〇x一年四月二十七日", date(2031, 4, 27)),  # tens digit lost: the case number's year decides
        ("“O〇三一年四月二十七日", date(2031, 4, 27)),  # century character and a doubled 〇
        ("二O一年四月二十七日", date(2031, 4, 27)),  # three-character year: which digit was lost is unknown
    ],
)
def test_repairs_that_change_no_numeral_keep_a_doubt(printed: str, expected: date) -> None:
    value, doubt, guessed = _read(printed)
    assert value == expected and doubt is not None and "repairs" in doubt and not guessed


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("二〇三一年四月二+七日", date(2031, 4, 27)),  # 十 as +
        ("二〇三一年上二月三日", date(2031, 12, 3)),  # 十 as 上
        ("二〇三一年四月十人日", date(2031, 4, 18)),  # 八 as 人
    ],
)
def test_a_numeral_read_as_another_character_is_a_guess(printed: str, expected: date) -> None:
    value, doubt, guessed = _read(printed)
    assert value == expected and doubt is not None and guessed


@pytest.mark.parametrize(
    "printed",
    [
        "二〇x一年四月二十七日",  # tens lost and no case number year to decide it
        "二〇三一年四月",  # no day
        "审判员二十七",  # no date at all
        "二〇三一第四月二十七日",  # 年 not read
        "一三三一年四月二十七日",  # neither 〇 nor 九 second: no century
    ],
)
def test_what_is_not_read_as_a_date(printed: str) -> None:
    assert _read(printed, own_year=None)[0] is None


def test_a_twentieth_century_date() -> None:
    assert _read("一九九五年十二月十八日", own_year=1995) == (date(1995, 12, 18), None, False)


def test_lost_tens_outside_the_case_years_is_not_guessed() -> None:
    # 二〇x九 for a 2031 case: no year from 2031 to 2036 ends in 9.
    assert _read("二〇x九年四月二十七日")[0] is None


def test_two_reads_agreeing_on_a_guessed_numeral_do_not_settle_it() -> None:
    # Under a seal 十二 reads 上一 on every look: agreement proves nothing.
    pages = [*BODY, "审判长周一\n审判员吴平\n书记员王四"]
    doc = Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment))
    assert doc.fields.case_number == "（2031）鲁0102行初77号"
    block = "审判长周一\n审判员吴平\n二〇三一年上一月八日\n书记员王四"
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: block if page == 2 else None)[0]
    assert out.fields.doc_date == date(2031, 11, 8)
    assert "repairs" in out.fields.doubts["decision_date"]


def test_two_reads_agreeing_on_a_lost_tens_digit_settle_it() -> None:
    pages = [*BODY, "审判长周一\n审判员吴平\n书记员王四"]
    doc = Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment))
    reads = {0: "审判长周一\n二〇x一年四月二十七日\n书记员王四", 1: "审判长周一\n二O一年四月二十七日\n书记员王四"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: reads.get(attempt) if page == 2 else None)[0]
    assert out.fields.doc_date == date(2031, 4, 27)
    assert "decision_date" not in out.fields.doubts


def test_a_block_split_over_a_page_break_is_searched_on_the_page_before() -> None:
    pages = [*BODY, "审判长周一\n审判员吴平\n", "书记员王四\n"]
    doc = Document(DocType.judgment, 1, 3, 0.9, fields=extract_fields(pages, DocType.judgment))
    blocks = {3: "书记员王四", 2: "审判长周一\n审判员吴平\n二〇三一年四月二十七日"}
    out = reread_decision_dates([doc], dict(enumerate(pages, start=1)), lambda page, attempt: blocks.get(page))[0]
    assert out.fields.doc_date == date(2031, 4, 27)
    assert "decision_date" not in out.fields.doubts


@pytest.mark.parametrize(
    ("printed", "own_year", "expected", "clean"),
    [
        # The 〇 read twice, zeros read as O, 〇, C: read, but heavy damage needs a second read to agree.
        ("二O〇二〇年三月十八日", 2020, date(2020, 3, 18), False),
        ("二OO〇CO年八月九日", 2000, date(2000, 8, 9), False),
        ("二〇一〇〇年三月十八日", 2000, date(2000, 3, 18), False),  # a digit among the extra characters
    ],
)
def test_doubled_zeros(printed: str, own_year: int, expected: date, clean: bool) -> None:
    value, doubt, _ = _read(printed, own_year)
    assert value == expected and (doubt is None) is clean


def test_a_close_read_agreeing_with_the_full_page_read_settles_it() -> None:
    pages = [*BODY, "审判长周一\n审判员吴平\n二〇〇三一年四月二十七日\n书记员王四"]
    doc = Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment))
    assert doc.fields.doc_date == date(2031, 4, 27) and "decision_date" in doc.fields.doubts
    block = "审判长周一\n二O三一年四月二十七曰\n书记员王四"
    out = reread_decision_dates([doc], dict(enumerate(pages, start=1)),
                                lambda page, attempt: block if page == 2 and attempt == 0 else None)[0]
    assert out.fields.doc_date == date(2031, 4, 27)
    assert "decision_date" not in out.fields.doubts


def test_a_close_read_disagreeing_with_the_full_page_read_keeps_the_doubt() -> None:
    pages = [*BODY, "审判长周一\n审判员吴平\n二〇〇三一年四月二十七日\n书记员王四"]
    doc = Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment))
    block = "审判长周一\n二O三一年四月二十一曰\n书记员王四"
    out = reread_decision_dates([doc], dict(enumerate(pages, start=1)),
                                lambda page, attempt: block if page == 2 and attempt == 0 else None)[0]
    assert "decision_date" in out.fields.doubts


def test_date_characters_only_reads_never_settle_alone_or_with_each_other() -> None:
    # A read allowing only 〇一…十年月日 cannot print 上 for 十: it would read 上一 as 十一 every time.
    pages = [*BODY, "审判长周一\n审判员吴平\n书记员王四"]
    doc = Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment))
    forced = {a: "二〇三一年十一月八日" for a in CONSTRAINED_ATTEMPTS}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: forced.get(attempt) if page == 2 else None)[0]
    # Not even offered to the person who checks it: such a read can be wrong (十八 read as 六).
    assert out.fields.doc_date is None
    assert "decision_date" in out.fields.doubts


def test_a_date_characters_only_read_confirms_an_unconstrained_read() -> None:
    pages = [*BODY, "审判长周一\n审判员吴平\n书记员王四"]
    doc = Document(DocType.judgment, 1, 2, 0.9, fields=extract_fields(pages, DocType.judgment))
    # Unconstrained: the 〇 lost and the 日 misread (doubtful alone); constrained: the same date.
    reads = {2: "审判长周一\n二仁三一年四月二十七昌\n书记员王四", min(CONSTRAINED_ATTEMPTS): "二〇三一年四月二十七日"}
    out = reread_decision_dates([doc], {1: pages[0], 2: pages[1]},
                                lambda page, attempt: reads.get(attempt) if page == 2 else None)[0]
    assert out.fields.doc_date == date(2031, 4, 27)
    assert "decision_date" not in out.fields.doubts


def test_constrained_attempts_are_the_reader_s() -> None:
    from extract.reading import signature_reread
    assert signature_reread.CONSTRAINED_ATTEMPTS == CONSTRAINED_ATTEMPTS
