"""Review suggestions on a real database: siblings already filed, and no default without confidence."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cases import review
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
