"""A judgment whose only unreadable pages hold its signature block is filed (its date waits for a person);
any other unreadable page keeps the document for review (invented texts)."""

from __future__ import annotations

from cases.filing import signature_pages_unread
from store import models as m

BODY = ("某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初77号\n原告林小满。\n本院认为，被告的行为合法。\n"
        "依照有关规定，判决如下：\n驳回原告林小满的诉讼请求。\n案件受理费50元，由原告负担。\n"
        "如不服本判决，可以在判决书送达之日起十五日内提起上诉。\n")
SIGNED = "审判长周一\n审判员吴平\n二〇三一年三月九日\n书记员王四\n"


def _doc(texts: list[str], doc_type: str = "judgment", first: int = 1) -> m.Document:
    att = m.Attachment(pages=[m.Page(number=i, text=t) for i, t in enumerate(texts, start=first)])
    return m.Document(doc_type=doc_type, first_page=first, last_page=first + len(texts) - 1, attachment=att)


def test_the_unread_last_page_after_a_complete_disposition_is_the_signature_page() -> None:
    assert signature_pages_unread(_doc([BODY, "无法识别"]), [2])


def test_other_unreadable_pages_keep_the_document_for_review() -> None:
    assert not signature_pages_unread(_doc(["无法识别", BODY]), [1])  # the first page
    assert not signature_pages_unread(_doc([BODY, "无法识别", "第三页"]), [2])  # not the last
    assert not signature_pages_unread(_doc([BODY + SIGNED, "无法识别"]), [2])  # the block was read: unknown page
    assert not signature_pages_unread(_doc([BODY.split("驳回")[0], "无法识别"]), [2])  # disposition unread
    cut = BODY.split("案件受理费")[0]
    assert not signature_pages_unread(_doc([cut, "无法识别"]), [2])  # the disposition may go on
    assert not signature_pages_unread(_doc([BODY, "无法识别"], doc_type="summons"), [2])
    assert not signature_pages_unread(_doc([BODY]), [])
