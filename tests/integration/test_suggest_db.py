"""Review suggestions on a real database: siblings already filed, and no default without confidence."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cases import review, suggest_store
from terms.errors import FilingError
from tests.integration.test_matching import N1, N2, D, case, docs_of, message, session

__all__ = ["session"]


def test_a_sibling_filed_by_a_person_is_offered_for_the_rest_of_the_message(session: Session) -> None:
    msg = message(session, [[D("complaint", fields={"plaintiffs": ["张三"]})], [D("defense")]])
    complaint, defense = docs_of(msg)
    assert defense.case_id is None and not review.suggestions_for(session, defense).items
    review.create_case(session, complaint.id, "alice", N1)
    session.flush()
    sug = review.suggestions_for(session, defense)
    assert [s.case_id for s in sug.items] == [case(session, N1).id]
    assert sug.default_case_id == case(session, N1).id
    review.confirm(session, defense.id, "alice")
    assert defense.case_id == case(session, N1).id


def test_confirm_without_a_case_refuses_a_doubtful_top_candidate(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1)]])
    message(session, [[D("notice_to_respond", N2)]])
    msg = message(session, [[D("other")]], subject="会议通知")
    (other,) = docs_of(msg)
    sug = review.suggestions_for(session, other)
    assert sug.items and sug.default_case_id is None and sug.question
    with pytest.raises(FilingError):
        review.confirm(session, other.id, "alice")
    assert other.case_id is None
    review.confirm(session, other.id, "alice", case_id=case(session, N2).id)
    assert other.case_id == case(session, N2).id


def test_every_document_is_ranked_as_if_it_waited_without_changing_the_store(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1, fields={"plaintiffs": ["张三"]})]])
    message(session, [[D("notice_to_respond", N2, fields={"plaintiffs": ["李四"]})]])
    msg = message(session, [[D("defense", N2, fields={"plaintiffs": ["李四"]})]], subject="答辩状")
    (defense,) = docs_of(msg)
    n1, n2 = case(session, N1), case(session, N2)
    assert defense.case_id == n2.id
    before = [(c.case_id, c.score) for c in defense.candidates]

    withheld = suggest_store.probe(session, defense, suggest_store.WITHHELD, 0.5)
    assert withheld.items[0].case_id == n2.id and withheld.default_case_id == n2.id
    # Without its number, the plaintiff printed on it still picks the right one of the agency's cases.
    hidden = suggest_store.probe(session, defense, suggest_store.HIDDEN, 0.5)
    assert [s.case_id for s in hidden.items][:2] == [n2.id, n1.id]
    assert any("李四" in r for r in hidden.items[0].reasons) and hidden.default_case_id == n2.id

    probes = suggest_store.probe_all(session, 0.5)
    (notice1,) = n1.documents
    # N1 is known only through its notice: with that number unreadable it would not exist.
    assert n1.id not in [x["case_id"] for x in probes[notice1.id]["hidden"]]
    assert probes[defense.id]["hidden"][0] == {"case_id": n2.id, "score": hidden.items[0].score,
                                               "reasons": list(hidden.items[0].reasons), "default": True}
    session.expire_all()
    assert defense.case_id == n2.id and [(c.case_id, c.score) for c in defense.candidates] == before


def test_a_party_misread_on_the_case_is_found_through_its_other_documents(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1, fields={"plaintiffs": ["丁娟"]})]])
    message(session, [[D("defense", N1, fields={"plaintiffs": ["丁刀"]})]])  # OCR: 娟 read as 刀
    # The case holds the misreading (tied readings keep a fact check open; here it was taken).
    case(session, N1).plaintiffs = ["丁刀"]
    session.commit()
    message(session, [[D("notice_to_respond", N2, fields={"plaintiffs": ["李四"]})]])
    msg = message(session, [[D("complaint", fields={"plaintiffs": ["丁娟"]})]], subject="起诉状")
    (complaint,) = docs_of(msg)
    n1 = case(session, N1)
    assert n1.plaintiffs == ["丁刀"] and complaint.case_id is None
    sug = review.suggestions_for(session, complaint)
    assert sug.items[0].case_id == n1.id and "party" in sug.items[0].strengths
    assert any("丁娟" in r for r in sug.items[0].reasons)
