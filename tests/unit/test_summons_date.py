"""A summons's own date is the one under its signers, never its hearing time (invented text)."""

from datetime import date

from extract.types import DocType
from extract.understanding.fields import extract_fields

HEAD = ["江北省临河市安平区人民法院", "传票", "案号 （2026）江0102行初5号",
        "被传唤人 临河市安平区市场监督管理局", "传唤事由 开庭",
        "应到时间 2026年5月20日上午9时00分", "应到处所 本院第三法庭", "注意事项："]


def _fields(tail: list[str], received_on: date | None = None):
    return extract_fields(["\n".join(HEAD + tail)], DocType.summons, received_on=received_on)


def test_the_date_under_the_signers_is_the_summons_date() -> None:
    f = _fields(["审判员：王某　　书记员：李某", "江北省临河市安平区人民法院", "二〇二六年四月二日"])
    assert f.doc_date == date(2026, 4, 2)
    assert f.hearing_at is not None and f.hearing_at.date() == date(2026, 5, 20)


def test_an_unreadable_date_under_the_seal_is_no_date_not_the_hearing() -> None:
    f = _fields(["审判员：王某　　书记员：李某", "江北省临河市安平区人民法院", "二丘二六年乙月"])
    assert f.doc_date is None
    assert "doc_date" in f.doubts


def test_a_date_after_the_hearing_is_misread() -> None:
    f = _fields(["审判员：王某　　书记员：李某", "江北省临河市安平区人民法院", "二〇二六年十月二日"])
    assert f.doc_date is None
    assert "after its hearing" in f.doubts["doc_date"]
