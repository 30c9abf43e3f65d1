"""Filing decisions on a real database: documents built as the classifier would, then matched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import review
from cases.filing import file_documents
from filing.config import MatchingSettings
from store import models as m
from store.db import make_engine, make_session_factory
from store.migrate import upgrade

CFG = MatchingSettings()
N1 = "（2026）鲁0481行初37号"
N2 = "（2026）鲁0481行初38号"
_seq = count(1)


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    upgrade(engine)
    s = make_session_factory(engine)()
    s.add(m.Agency(code="zrj", name="滕州市自然资源局", short_name="自然资源局"))
    s.add(m.Agency(code="gaj", name="滕州市公安局", short_name="公安局"))
    s.commit()
    yield s
    s.close()
    engine.dispose()


@dataclass
class D:
    doc_type: str
    number: str | None = None
    fields: dict[str, Any] | None = None


def message(
    s: Session,
    docs: list[list[D]],
    *,
    agency: str = "zrj",
    subject: str = "报备",
    body: str = "",
    in_reply_to: str | None = None,
    received_at: datetime | None = None,
) -> m.Message:
    """A filed message whose attachments hold the given documents (one inner list per file)."""
    n = next(_seq)
    msg = m.Message(
        raw_sha256=f"{n:064x}",
        source="import",
        # Monotonic, so "oldest first" holds however many messages earlier tests made.
        received_at=received_at or datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=n),
        subject=subject,
        body_text=body,
        in_reply_to=in_reply_to,
        state="classified",
        status="pending",
        agency_id=s.scalar(select(m.Agency.id).where(m.Agency.code == agency)),
        sender_status="registered",
        message_id=f"<m{n}@x>",
    )
    s.add(msg)
    for i, files in enumerate(docs):
        att = m.Attachment(
            seq=i, filename=f"f{i}.pdf", content_type="application/pdf", sha256=f"{n:032x}{i:032x}", size=1
        )
        msg.attachments.append(att)
        for k, d in enumerate(files, start=1):
            fields = {"case_number": d.number, **(d.fields or {})}
            att.documents.append(
                m.Document(
                    first_page=k,
                    last_page=k,
                    doc_type=d.doc_type,
                    type_confidence=0.99,
                    case_number=d.number,
                    fields=fields,
                    evidence=[],
                )
            )
    s.flush()
    file_documents(s, msg, CFG)
    s.flush()
    return msg


def docs_of(msg: m.Message) -> list[m.Document]:
    return [d for a in msg.attachments for d in a.documents]


def case(s: Session, number: str) -> m.Case:
    c = s.scalar(select(m.Case).where(m.Case.case_number == number))
    assert c is not None
    return c


def test_complaint_and_notice_in_one_message(session: Session) -> None:
    msg = message(session, [[D("complaint", fields={"plaintiffs": ["张三"]})], [D("notice_to_respond", N1)]])
    complaint, notice = docs_of(msg)
    c = case(session, N1)
    assert notice.match_status == "auto" and notice.case_id == c.id
    assert complaint.match_status == "auto" and complaint.case_id == c.id
    assert any("same message" in e for e in complaint.candidates[0].evidence)
    assert c.agency is not None and c.agency.code == "zrj" and c.plaintiffs == ["张三"]


def test_defense_alone_weeks_later_with_the_number_only_in_the_subject(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1)]])
    message(session, [[D("notice_to_respond", N2)]])
    later = message(session, [[D("defense")]], subject=f"答辩状报备 {N1.replace('（', '(').replace('）', ')')}")
    (defense,) = docs_of(later)
    assert defense.match_status == "auto" and defense.case_id == case(session, N1).id


def test_ocr_damaged_number_is_never_filed_alone(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1)]])
    damaged = "（2026）鲁0481行初31号"  # 7 read as 1
    msg = message(session, [[D("defense", damaged)]])
    (defense,) = docs_of(msg)
    assert defense.match_status == "review" and defense.case_id is None
    assert defense.candidates[0].case_id == case(session, N1).id


def test_two_cases_in_one_message(session: Session) -> None:
    msg = message(session, [[D("notice_to_respond", N1), D("summons", N2)], [D("complaint")]])
    notice, summons, complaint = docs_of(msg)
    assert notice.case_id == case(session, N1).id and summons.case_id == case(session, N2).id
    # The complaint could belong to either: a person decides, with both cases offered.
    assert complaint.match_status == "review"
    assert {c.case_id for c in complaint.candidates[:2]} == {case(session, N1).id, case(session, N2).id}


def test_appeal_is_its_own_case_linked_to_the_first_instance(session: Session) -> None:
    message(session, [[D("judgment", N1, {"outcome": "agency_won"})]])
    appeal_no = "（2026）鲁04行终12号"
    message(session, [[D("judgment", appeal_no, {"outcome": "agency_won", "first_instance_case": N1})]])
    appeal = case(session, appeal_no)
    assert appeal.appeal_of_id == case(session, N1).id and appeal.case_type == "行终"


def test_other_agency_never_auto_files_into_a_foreign_case(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1)]], agency="zrj")
    msg = message(session, [[D("defense")]], agency="gaj", subject=f"答辩 {N1}")
    (defense,) = docs_of(msg)
    assert defense.match_status != "auto"


def test_reassignment_updates_case_missing_list_and_audit(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1)]])
    message(session, [[D("notice_to_respond", N2)]])
    msg = message(session, [[D("summons", fields={"hearing_at": "2026-04-17T14:30:00"})]], subject="传票")
    (summons,) = docs_of(msg)
    assert summons.match_status == "review"
    review.confirm(session, summons.id, "alice", case_id=case(session, N1).id)
    assert case(session, N1).hearing_at == datetime(2026, 4, 17, 14, 30)
    review.reassign(session, summons.id, case(session, N2).id, "bob")
    session.flush()
    c1, c2 = case(session, N1), case(session, N2)
    assert summons.case_id == c2.id and c2.hearing_at == datetime(2026, 4, 17, 14, 30)
    filed_types = {d.doc_type for d in session.scalars(select(m.Document).where(m.Document.case_id == c1.id))}
    assert "summons" not in filed_types
    audit = session.scalars(select(m.AuditEntry).where(m.AuditEntry.object_id == summons.id)).all()
    assert [(a.actor, a.action) for a in audit] == [("alice", "confirm"), ("bob", "reassign")]
    assert audit[1].before["case_id"] == c1.id and audit[1].after["case_id"] == c2.id
    facts = session.scalars(
        select(m.CaseFact).where(m.CaseFact.case_id == c2.id, m.CaseFact.field == "hearing_at")
    ).all()
    assert facts and facts[-1].document_id == summons.id


def test_queue_lists_pending_items_oldest_first(session: Session) -> None:
    message(session, [[D("notice_to_respond", N1)]])
    a = message(session, [[D("defense")]])
    b = message(session, [[D("complaint")]])
    for msg in (a, b):
        msg.status = "filed"
    session.flush()
    items = review.pending_items(session)
    assert [i.document_id for i in items] == [docs_of(a)[0].id, docs_of(b)[0].id]
    review.mark_not_litigation(session, items[0].document_id, "alice")
    assert [i.document_id for i in review.pending_items(session)] == [docs_of(b)[0].id]


def test_a_serial_digit_lost_by_ocr_is_restored_from_the_subject(session: Session) -> None:
    msg = message(session, [[D("notice_to_respond", "（2026）鲁0481行初3号")]], subject=f"报备 {N1}")
    (notice,) = docs_of(msg)
    assert notice.case_number == N1 and notice.case_id == case(session, N1).id
    assert any("read as" in e for e in notice.evidence)
    # Without the message naming the number, a shorter serial is a case of its own.
    other = message(session, [[D("notice_to_respond", "（2026）鲁0481行初3号")]], subject="报备")
    assert docs_of(other)[0].case_number == "（2026）鲁0481行初3号"


def test_two_case_message_whose_uncited_defense_belongs_to_the_second_case_goes_to_review(session: Session) -> None:
    msg = message(
        session,
        [
            [D("notice_to_respond", N1, {"plaintiffs": ["张三"]})],
            [D("notice_to_respond", N2, {"plaintiffs": ["李四"]})],
            [D("defense", fields={"plaintiffs": ["李四"]})],
        ],
        subject=f"应诉材料 {N1}",
    )
    *_, defense = docs_of(msg)
    assert defense.match_status == "review" and defense.case_id is None
    assert defense.candidates[0].case_id == case(session, N2).id
    assert any("concerns 2 cases" in e for e in defense.evidence)


def test_uncited_document_whose_plaintiff_disagrees_with_the_only_case_goes_to_review(session: Session) -> None:
    message(session, [[D("notice_to_respond", N2, {"plaintiffs": ["滕州市鑫源商贸有限公司"]})]])
    msg = message(
        session,
        [
            [D("notice_to_respond", N1, {"plaintiffs": ["王五"]})],
            [D("defense", fields={"plaintiffs": ["滕州市鑫源商贸有限公司"]})],
        ],
        subject=f"答辩状 {N1}",
    )
    _, defense = docs_of(msg)
    assert defense.match_status == "review" and defense.case_id is None
    assert any("disagrees: plaintiff" in e for e in defense.evidence)
    # The case the plaintiff points to is offered first.
    assert defense.candidates[0].case_id == case(session, N2).id


def test_an_ocr_misread_plaintiff_still_agrees(session: Session) -> None:
    msg = message(
        session,
        [
            [D("notice_to_respond", N1, {"plaintiffs": ["滕州市鑫源商贸有限公司"]})],
            [D("defense", fields={"plaintiffs": ["腾州市鑫源商货有限公司"]})],  # two characters misread
        ],
    )
    _, defense = docs_of(msg)
    assert defense.match_status == "auto" and defense.case_id == case(session, N1).id


def test_appeal_filed_before_its_first_instance_is_linked_when_that_case_arrives(session: Session) -> None:
    appeal_no, first = "（2015）枣行终字12号", "（2014）滕行初字40号"
    message(session, [[D("judgment", appeal_no, {"outcome": "agency_won", "first_instance_case": first})]])
    assert case(session, appeal_no).appeal_of_id is None
    message(session, [[D("judgment", first, {"outcome": "agency_won"})]])
    assert case(session, appeal_no).appeal_of_id == case(session, first).id


def test_a_waiting_defense_finds_the_case_its_notice_opens_later(session: Session) -> None:
    early = message(session, [[D("defense", N1)]], received_at=datetime(2026, 3, 2, tzinfo=UTC))
    (defense,) = docs_of(early)
    assert defense.match_status == "none" and defense.case_id is None
    session.commit()  # the pipeline files each message in a session of its own
    session.expire_all()
    notice = message(session, [[D("notice_to_respond", N1)]], received_at=datetime(2026, 3, 20, tzinfo=UTC))
    assert defense.match_status == "auto" and defense.case_id == case(session, N1).id
    assert f"filed when message {notice.id} started its case" in defense.evidence


def test_rescoring_leaves_documents_of_other_years_and_other_numbers_alone(session: Session) -> None:
    """Issue 23: a new case re-scores only waiting documents it could be a candidate for, within a year."""
    old = message(session, [[D("defense", N1)]], received_at=datetime(2023, 3, 2, tzinfo=UTC))
    other = message(session, [[D("defense", N2)]], received_at=datetime(2026, 3, 2, tzinfo=UTC))
    (old_defense,), (other_defense,) = docs_of(old), docs_of(other)
    session.commit()
    session.expire_all()
    message(session, [[D("notice_to_respond", N1)]], received_at=datetime(2026, 3, 20, tzinfo=UTC))
    assert old_defense.match_status == "none" and old_defense.case_id is None
    assert other_defense.match_status == "none" and other_defense.candidates == []
