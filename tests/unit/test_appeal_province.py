"""An appeal's own number with an unreadable province character takes the province of the first-instance
number it cites (invented texts)."""

from __future__ import annotations

from extract.types import DocType, Page, PageSource
from extract.understanding.analyze import understand

APPEAL = ("行政判决书\n（2031）溟97行终12号\n上诉人（原审原告）林小满。\n被上诉人（原审被告）青禾市某某局。\n"
          "上诉人林小满因诉被上诉人青禾市某某局行政处罚一案，不服青禾市人民法院（2030）琼9701行初88号行政判决，"
          "向本院提起上诉。本院依法组成合议庭审理了本案。\n判决如下：\n驳回上诉，维持原判。\n本判决为终审判决。\n"
          "审判长周一\n审判员吴平\n二〇三一年三月九日\n书记员王四\n")


def _doc(text: str) -> tuple[str | None, tuple[str, ...]]:
    (d,) = [d for d in understand([Page(1, text, PageSource.tesseract, 0.9)]) if d.doc_type is DocType.judgment]
    return d.fields.case_number, d.evidence


def test_the_cited_first_instance_number_gives_the_province() -> None:
    number, evidence = _doc(APPEAL)
    assert number == "（2031）琼97行终12号"
    assert any("as in the first-instance number it cites" in e for e in evidence)


def test_only_an_appeal_number_is_taken_so() -> None:
    number, _ = _doc(APPEAL.replace("溟97行终12号", "溟97行初12号"))
    assert number is None or "琼" not in number
