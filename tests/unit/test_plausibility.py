"""Which report facts wait for a person: pure rules over a case's facts and its documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from cases.facts import FactValueError, head_role, parse_value, role_attrs
from cases.plausibility import CaseFacts, CheckKind, DocFacts, findings

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def doc(i: int, doc_type: str, received: date, stored: datetime | None = None, **fields: Any) -> DocFacts:
    at = datetime(received.year, received.month, received.day, 2, tzinfo=UTC)
    return DocFacts(i, doc_type, at, received, fields, 1, 3, stored or at)


def facts(**kw: Any) -> CaseFacts:
    base: dict[str, Any] = dict(case_number="（2026）鲁0481行初7号", notice_date=date(2026, 3, 2), hearing_at=None,
                                head_present=None, head_principal=None, head_name=None, head_title=None,
                                outcome="pending", decision_type=None, decision_date=None)
    base.update(kw)
    return CaseFacts(**base)


def found(case: CaseFacts, *docs: DocFacts) -> dict[str, tuple[CheckKind, int | None, int | None]]:
    return {f.fact: (f.kind, f.document_id, f.page) for f in findings(case, docs)}


def test_a_received_judgment_without_a_date_waits_on_its_signature_page() -> None:
    judgment = doc(5, "judgment", date(2026, 6, 2), outcome="agency_won")
    got = found(facts(outcome="agency_won", decision_type="judgment"), judgment)
    assert got == {"decision_date": (CheckKind.missing, 5, 3)}  # the last page: the signature block


def test_implausible_decision_dates_are_not_used() -> None:
    judgment = doc(5, "judgment", date(2026, 6, 2), doc_date="2026-02-20", outcome="agency_won")
    before_notice = facts(outcome="agency_won", decision_type="judgment", decision_date=date(2026, 2, 20))
    assert found(before_notice, judgment)["decision_date"][0] == CheckKind.implausible
    after_mail = facts(outcome="agency_won", decision_type="judgment", decision_date=date(2026, 7, 1))
    assert "晚于" in findings(after_mail, [judgment])[0].reason
    record = doc(4, "appearance_record", date(2026, 5, 2), hearing_at="2026-04-28T09:30:00", head_present=True,
                 head_principal=True)
    before_hearing = facts(outcome="agency_won", decision_type="judgment", decision_date=date(2026, 4, 20),
                           head_present=True, head_principal=True)
    assert found(before_hearing, record, judgment)["decision_date"][0] == CheckKind.implausible
    fine = facts(outcome="agency_won", decision_type="judgment", decision_date=date(2026, 5, 20),
                 head_present=True, head_principal=True)
    assert found(fine, record, judgment) == {}


def test_appearance_sources_that_disagree_are_a_conflict_never_a_silent_pick() -> None:
    record = doc(4, "appearance_record", date(2026, 5, 2), hearing_at="2026-04-28T09:30:00", head_present=True,
                 head_principal=True)
    judgment = doc(5, "judgment", date(2026, 6, 2), doc_date="2026-05-20", outcome="agency_won",
                   head_present=True, head_principal=False)
    case = facts(outcome="agency_won", decision_type="judgment", decision_date=date(2026, 5, 20),
                 head_present=True, head_principal=False)
    assert found(case, record, judgment) == {"head_role": (CheckKind.conflict, 5, 1)}
    absent = doc(6, "judgment", date(2026, 6, 2), doc_date="2026-05-20", outcome="agency_won",
                 head_present=False, head_name="刘明", head_title="副局长")
    got = found(case, absent)
    assert got["head_present"][0] == CheckKind.implausible  # 否 next to a name and a title


def test_a_judgment_doubtful_about_the_head_does_not_contradict_a_clean_appearance_record() -> None:
    record = doc(4, "appearance_record", date(2026, 5, 2), hearing_at="2026-04-28T09:30:00", head_present=True,
                 head_principal=True)
    unsure = doc(5, "judgment", date(2026, 6, 2), doc_date="2026-05-20", outcome="agency_won", head_present=False,
                 doubts={"head_present": "parties block names a head; the hearing paragraph does not"})
    case = facts(outcome="agency_won", decision_type="judgment", decision_date=date(2026, 5, 20),
                 head_present=True, head_principal=True)
    assert found(case, record, unsure) == {}
    # Without the record the judgment's doubt still goes to a person; a sure judgment still contradicts.
    assert found(case, unsure)["head_present"][0] == CheckKind.doubtful
    sure = doc(6, "judgment", date(2026, 6, 2), doc_date="2026-05-20", outcome="agency_won", head_present=False)
    assert found(case, record, sure)["head_present"][0] == CheckKind.conflict


def test_missing_facts_once_their_document_arrived_and_extractor_doubts() -> None:
    summons = doc(3, "summons", date(2026, 4, 1))
    notice = doc(1, "notice_to_respond", date(2026, 3, 3))
    record = doc(4, "appearance_record", date(2026, 5, 2), doubts={"hearing_at": "时间被印章遮挡"})
    got = found(facts(notice_date=None), notice, summons, record)
    assert got["notice_date"] == (CheckKind.missing, 1, 3)
    assert got["hearing_at"][0] == CheckKind.missing and got["head_present"][0] == CheckKind.missing
    ruling = doc(7, "ruling", date(2026, 6, 2), doc_date="2026-05-30", outcome="withdrawn",
                 doubts={"outcome": "准予撤回起诉 与 驳回起诉 均出现"})
    case = facts(outcome="withdrawn", decision_type="ruling", decision_date=date(2026, 5, 30))
    assert found(case, ruling) == {"outcome": (CheckKind.doubtful, 7, 1)}
    suspended = doc(8, "ruling", date(2026, 6, 2), doc_date="2026-05-30")  # 中止: no outcome, not concluded
    assert found(facts(), suspended) == {}


def test_a_person_s_fact_is_only_questioned_by_a_later_document() -> None:
    since = datetime(2026, 6, 10, tzinfo=UTC)
    case = facts(outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 5, 20),
                 human=frozenset({"outcome", "decision_date"}), human_since={"outcome": since, "decision_date": since})
    first = doc(5, "judgment", date(2026, 6, 2), doc_date="2026-05-20", outcome="agency_won")
    assert found(case, first) == {}  # read before the person decided (also when read again later)
    again = doc(9, "judgment", date(2026, 6, 2), stored=datetime(2026, 6, 20, tzinfo=UTC), doc_date="2026-05-20",
                outcome="agency_won")
    assert found(case, first, again) == {"outcome": (CheckKind.contradicts, 9, 1)}


def test_typed_values() -> None:
    assert parse_value("decision_date", "二〇二六年五月二十日") == date(2026, 5, 20)
    assert parse_value("decision_date", "2026/5/20") == date(2026, 5, 20)
    assert parse_value("hearing_at", "2026-04-27 09:30") == datetime(2026, 4, 27, 9, 30)
    assert parse_value("outcome", "败诉") == "agency_lost" and parse_value("head_role", "副职") == "deputy"
    assert parse_value("plaintiffs", "王一、李二") == ["王一", "李二"] and parse_value("court", " ") is None
    assert role_attrs("deputy") == (True, False) and head_role(False, None) == "absent"
    for fact, raw in (("decision_date", "五月某日"), ("outcome", "赢了"), ("head_present", "也许")):
        with pytest.raises(FactValueError):
            parse_value(fact, raw)


@pytest.mark.parametrize(("first_instance", "outcome", "waits"), [
    ("agency_lost", "agency_lost", False),  # settled by the first instance on file
    (None, "agency_won", True),  # not on file: a person checks
    ("agency_won", "agency_lost", True),  # the case says otherwise than its first instance
])
def test_an_upheld_appeal_waits_unless_its_first_instance_settles_it(
        first_instance: str | None, outcome: str, waits: bool) -> None:
    from extract.understanding.fields import UPHELD_ON_PLAINTIFF_APPEAL

    appeal = doc(5, "judgment", date(2026, 6, 2), doc_date="2026-05-20", outcome="agency_won",
                 doubts={"outcome": UPHELD_ON_PLAINTIFF_APPEAL})
    case = facts(case_number="（2026）鲁04行终7号", outcome=outcome, decision_type="judgment",
                 decision_date=date(2026, 5, 20), first_instance_outcome=first_instance)
    assert ("outcome" in found(case, appeal)) is waits
