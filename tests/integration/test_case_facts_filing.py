"""Case facts from filed documents on a real database: which document is the authority on what."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.integration.test_matching import D, case, message, session  # noqa: F401  (fixture)

N = "（2026）鲁0481行审37号"
RECORD = {"head_present": True, "head_principal": True, "head_name": "许朗", "head_title": "局长"}


def test_judgment_does_not_overwrite_the_appearance_record(session: Session) -> None:  # noqa: F811
    message(session, [[D("notice_to_respond", N)], [D("appearance_record", N, RECORD)]])
    doubt = {"head_present": "parties block names 许朗; the hearing paragraph does not"}
    judgment = {"head_present": False, "doubts": doubt,
                "outcome": "agency_won", "disposition": "驳回原告的诉讼请求。", "doc_date": "2026-05-06"}
    message(session, [[D("judgment", N, judgment)]])
    c = case(session, N)
    assert (c.head_present, c.head_principal, c.head_name) == (True, True, "许朗")
    assert c.outcome == "agency_won" and str(c.decision_date) == "2026-05-06"


def test_enforcement_ruling_counts_only_for_the_applicant(session: Session) -> None:  # noqa: F811
    other = {"outcome": "agency_won", "disposition": "准予强制执行申请执行人某市国土资源局作出的处罚决定。",
             "defendant": "某市国土资源局"}
    message(session, [[D("ruling", N, other)]])
    assert case(session, N).outcome == "pending"
    own = {**other, "defendant": "滕州市自然资源局"}
    n2 = N.replace("37", "38")
    message(session, [[D("ruling", n2, own)]])
    assert case(session, n2).outcome == "agency_won"


def _open_checks(session: Session, number: str) -> set[str]:  # noqa: F811
    from sqlalchemy import select

    from store import models as m

    c = case(session, number)
    return set(session.scalars(select(m.FactCheck.fact).where(m.FactCheck.case_id == c.id,
                                                               m.FactCheck.status == "open")))


def test_appeal_dismissed_on_the_plaintiffs_appeal_takes_the_first_instance_outcome(
        session: Session) -> None:  # noqa: F811
    from extract.understanding.fields import UPHELD_ON_PLAINTIFF_APPEAL

    first, appeal = "（2026）鲁0481行初51号", "（2026）鲁04行终61号"
    lost = {"outcome": "agency_lost", "disposition": "撤销被告作出的处罚决定。", "doc_date": "2026-04-02"}
    message(session, [[D("judgment", first, lost)]])
    upheld = {"outcome": "agency_won", "disposition": "驳回上诉，维持原判。", "doc_date": "2026-07-02",
              "first_instance_case": first, "doubts": {"outcome": UPHELD_ON_PLAINTIFF_APPEAL}}
    message(session, [[D("judgment", appeal, upheld)]])
    # The plaintiff appealed a partial win: the first instance on file says the agency lost.
    assert case(session, appeal).outcome == "agency_lost"
    assert "outcome" not in _open_checks(session, appeal)


def test_appeal_dismissed_without_its_first_instance_on_file_waits_for_a_person(
        session: Session) -> None:  # noqa: F811
    from extract.understanding.fields import UPHELD_ON_PLAINTIFF_APPEAL

    appeal = "（2026）鲁04行终62号"
    upheld = {"outcome": "agency_won", "disposition": "驳回上诉，维持原判。", "doc_date": "2026-07-02",
              "first_instance_case": "（2026）鲁0481行初52号", "doubts": {"outcome": UPHELD_ON_PLAINTIFF_APPEAL}}
    message(session, [[D("judgment", appeal, upheld)]])
    assert "outcome" in _open_checks(session, appeal)


def test_a_notice_date_under_the_seal_is_taken_from_the_decisions_recital_of_service(
        session: Session) -> None:  # noqa: F811
    n = "（2026）鲁0481行初71号"
    unread = {"doubts": {"notice_date": "no date found at the end of the notice"}}
    message(session, [[D("notice_to_respond", n, unread)]])
    assert case(session, n).notice_date is None
    assert "notice_date" in _open_checks(session, n)
    judgment = {"outcome": "agency_won", "disposition": "驳回原告的诉讼请求。", "doc_date": "2026-06-09",
                "notice_served": "2026-03-12"}
    message(session, [[D("judgment", n, judgment)]])
    assert str(case(session, n).notice_date) == "2026-03-12"
    assert "notice_date" not in _open_checks(session, n)
    # The notice's own date, when read, is the notice date; a recital never replaces it.
    n2 = "（2026）鲁0481行初72号"
    message(session, [[D("notice_to_respond", n2, {"doc_date": "2026-03-10"})]])
    message(session, [[D("judgment", n2, {**judgment, "notice_served": "2026-03-12"})]])
    assert str(case(session, n2).notice_date) == "2026-03-10"


def test_a_judgment_whose_disposition_was_not_read_still_dates_the_decision(session: Session) -> None:  # noqa: F811
    number = "（2026）鲁0481行初77号"
    unread = {"doc_date": "2026-02-20", "doubts": {"outcome": "no disposition (判决如下/裁定如下) found"}}
    message(session, [[D("judgment", number, unread)]])
    c = case(session, number)
    assert c.outcome == "pending" and c.decision_type == "judgment" and str(c.decision_date) == "2026-02-20"
    # The outcome waits for a person; the date does not.
    checks = _open_checks(session, number)
    assert "outcome" in checks and "decision_date" not in checks


def test_a_procedural_ruling_without_an_outcome_dates_no_decision(session: Session) -> None:  # noqa: F811
    number = "（2026）鲁0481行初78号"
    message(session, [[D("ruling", number, {"doc_date": "2026-05-06"})]])
    c = case(session, number)
    assert c.decision_date is None and c.decision_type is None
