"""Issue 21 follow-up: notice dates under a seal, doubtful head names, case lists, waiting documents and
decisions that came before the hearing. Invented text throughout."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cases.plausibility import CaseFacts, CheckKind, DocFacts, findings
from cases.suggest import CASE_LIST_QUESTION, Stored, suggest
from cases.suggest import CaseFacts as SuggestCase
from cases.suggest import DocFacts as SuggestDoc
from extract.types import DocType, Document
from extract.understanding.analyze import reread_decision_dates
from extract.understanding.caselist import is_case_list
from extract.understanding.fields import extract_fields
from extract.understanding.names import has_known_surname
from extract.understanding.notice_date import notice_date
from notify.reminders import WaitingDoc, not_waiting, waiting_types
from terms.rules import MissingRules, compute_missing
from terms.snapshot import CaseSnapshot, ReceivedDoc
from terms.workdays import WorkCalendar

NUMBER = "（2031）鲁0102行初55号"
NOTICE_BODY = (
    "某某省青禾市湖西区人民法院\n应诉通知书\n（2031）鲁0102行初55号\n青禾市湖西区某某局：\n"
    "原告林小满诉你单位政府信息公开一案，本院已于2031年3月2日立案。现将起诉状副本发送给你单位。\n"
    "特此通知。\n附：起诉状副本一份\n承办人：吴平 联系电话：0000-1234567\n某某省青禾市湖西区人民法院\n"
)


# ----------------------------------------------------------------- notice date


def test_a_notice_date_is_read_after_the_closing_lines_in_either_numeral_form() -> None:
    for printed, expected in (("2031年3月4日", date(2031, 3, 4)), ("二〇三一年三月四日", date(2031, 3, 4))):
        lines = [*NOTICE_BODY.splitlines(), printed]
        got = notice_date(lines, 2031)
        assert (got.value, got.doubt) == (expected, None)


def test_a_seal_damaged_arabic_date_is_read_with_a_doubt_and_body_dates_never_stand_in() -> None:
    lines = [*NOTICE_BODY.splitlines(), "“ 2031件3有4村"]
    got = notice_date(lines, 2031)
    assert got.value == date(2031, 3, 4) and got.doubt is not None
    # The filing date in the body (2031年3月2日) is before the closing lines: no date of the notice.
    assert notice_date(NOTICE_BODY.splitlines(), 2031).value is None
    # A year other than the case's or the next is a misread.
    assert notice_date([*NOTICE_BODY.splitlines(), "2035年3月4日"], 2031).value is None


def _notice_doc() -> tuple[Document, dict[int, str]]:
    page = NOTICE_BODY + "某某 残缺 印章\n"
    fields = extract_fields([page], DocType.notice_to_respond)
    assert "notice_date" in fields.doubts  # the full-page read lost the date under the seal
    return Document(DocType.notice_to_respond, 1, 1, 0.9, fields=fields), {1: page}


def test_the_signature_re_read_settles_a_notice_date_on_a_clean_look() -> None:
    doc, texts = _notice_doc()
    reads = {0: "特此通知。\n承办人：吴平\n某某省青禾市湖西区人民法院\n20宽年3月4日", 1: "承办人：吴平\n2031年3月4日"}
    out = reread_decision_dates([doc], texts, lambda page, attempt: reads.get(attempt))[0]
    assert out.fields.doc_date == date(2031, 3, 4) and "notice_date" not in out.fields.doubts


def test_two_damaged_looks_agreeing_settle_a_notice_date_one_alone_does_not() -> None:
    doc, texts = _notice_doc()
    damaged = "特此通知。\n承办人：吴平\n2031件3有4村"
    two = {2: damaged, 3: damaged.replace("村", "相")}
    out = reread_decision_dates([doc], texts, lambda page, attempt: two.get(attempt))[0]
    assert out.fields.doc_date == date(2031, 3, 4) and "notice_date" not in out.fields.doubts
    one = {2: damaged}
    out = reread_decision_dates([doc], texts, lambda page, attempt: one.get(attempt))[0]
    assert out.fields.doc_date == date(2031, 3, 4) and "notice_date" in out.fields.doubts


# ----------------------------------------------------------------- head appearance


JUDGMENT = (
    "某某省青禾市湖西区人民法院\n行政判决书\n（2031）鲁0102行初55号\n原告：林小满，女。\n"
    "被告：青禾市湖西区某某局，住所地青禾市某某路1号。\n法定代表人：周明，局长。\n行政机关负责人：周明，局长。\n"
    "委托代理人：吴平，某某局工作人员。\n本院于2031年5月6日公开开庭审理了本案。原告林小满，被告某某局的"
    "行政机关负责人{heard}及委托代理人吴平到庭参加诉讼。本案现已审理终结。\n判决如下：\n驳回原告林小满的诉讼请求。\n"
    "审判长 王五\n二〇三一年六月一日\n"
)


def test_a_hearing_paragraph_naming_the_head_with_one_misread_character_still_says_present() -> None:
    f = extract_fields([JUDGMENT.format(heard="問明")], DocType.judgment)
    assert (f.head_present, f.head_principal, f.head_name) == (True, True, "周明")
    assert "head_name" in f.doubts and "head_present" not in f.doubts
    exact = extract_fields([JUDGMENT.format(heard="周明")], DocType.judgment)
    assert exact.head_present is True and "head_name" not in exact.doubts
    # Someone else entirely: the parties block is not confirmed, as before.
    other = extract_fields([JUDGMENT.format(heard="孙立新")], DocType.judgment)
    assert other.head_present is False and "head_present" in other.doubts


def test_a_name_that_begins_with_no_surname_is_a_doubtful_read() -> None:
    assert has_known_surname("周明") and has_known_surname("欧阳小满") and not has_known_surname("罪明")
    form = "行政机关负责人出庭应诉情况登记表\n案号 （2031）鲁0102行初55号\n出庭负责人 {name}\n职务 局长\n"
    bad = extract_fields([form.format(name="罪明")], DocType.appearance_record)
    assert bad.head_present is True and "head_name" in bad.doubts
    good = extract_fields([form.format(name="周明")], DocType.appearance_record)
    assert "head_name" not in good.doubts


def _doc(i: int, doc_type: str, **fields: Any) -> DocFacts:
    at = datetime(2031, 6, 2, 2, tzinfo=UTC)
    return DocFacts(i, doc_type, at, at.date(), fields, 1, 2, at)


def _case(**kw: Any) -> CaseFacts:
    base: dict[str, Any] = dict(case_number=NUMBER, notice_date=date(2031, 3, 4), hearing_at=None,
                                head_present=True, head_principal=True, head_name="罪明", head_title="局长",
                                outcome="pending", decision_type=None, decision_date=None)
    base.update(kw)
    return CaseFacts(**base)


def test_a_doubted_head_name_waits_for_a_person_unless_the_roster_lists_it() -> None:
    head = dict(head_present=True, head_principal=True, head_name="罪明", head_title="局长")
    record = _doc(4, "appearance_record", doubts={"head_name": "no surname"}, **head)
    got = {f.fact: f.kind for f in findings(_case(), [record])}
    assert got == {"head_name": CheckKind.doubtful}
    listed = _doc(4, "appearance_record", doubts={"head_name": "no surname"},
                  roster={"verdict": "agrees", "name": "罪明"}, **head)
    assert findings(_case(), [listed]) == []
    # A person confirmed the name: no check again.
    assert findings(_case(human=frozenset({"head_name"})), [record]) == []


def test_two_sources_naming_different_heads_are_a_conflict() -> None:
    record = _doc(4, "appearance_record", head_present=True, head_principal=True, head_name="周明")
    judgment = _doc(5, "judgment", head_present=True, head_principal=True, head_name="周朋")
    decided = dict(doc_date="2031-06-01", outcome="agency_won")
    judgment = _doc(5, "judgment", head_present=True, head_principal=True, head_name="周朋", **decided)
    case = _case(head_name="周明", outcome="agency_won", decision_type="judgment", decision_date=date(2031, 6, 1))
    got = {f.fact: f.kind for f in findings(case, [record, judgment])}
    assert got == {"head_name": CheckKind.conflict}
    same = _doc(5, "judgment", head_present=True, head_principal=True, head_name="周明", **decided)
    assert findings(case, [record, same]) == []
    # Agreement settles a name one source doubted (its hearing paragraph spelled it otherwise).
    doubted = _doc(5, "judgment", head_present=True, head_principal=True, head_name="周明",
                   doubts={"head_name": "hearing paragraph reads 問明"}, **decided)
    assert findings(case, [record, doubted]) == []
    assert {f.fact for f in findings(case, [doubted])} == {"head_name"}


# ----------------------------------------------------------------- review defaults


def test_a_case_list_is_recognised_by_its_title_or_its_table_header() -> None:
    assert is_case_list("统计表", "")
    assert is_case_list(None, "某某局2031年行政应诉案件台账\n序号 案号 原告 案由\n1 （2031）鲁0102行初55号 林小满")
    assert is_case_list(None, "序号 案号 原告 案由 结果")
    assert not is_case_list("授权委托书", "委托人：某某局\n受托人：吴平\n案号（2031）鲁0102行初55号")
    assert not is_case_list("证据清单", "序号 证据名称 证明目的")
    assert not is_case_list(None, "行政判决书\n原告申请公开2030年征收补偿款发放明细表，被告未予答复。")


def test_a_case_list_naming_one_case_is_never_its_default() -> None:
    case = SuggestCase(1, NUMBER, ("林小满",))
    text = "序号 案号 原告 案由\n1 （2031）鲁0102行初55号 林小满 政府信息公开"
    sibling = [1]
    listed = suggest(SuggestDoc(None, text=text, lists_cases=True), [case], [Stored(1, 0.62)], sibling, 0.5)
    assert listed.items[0].case_id == 1 and listed.default_case_id is None
    assert listed.question == CASE_LIST_QUESTION
    # The same evidence on an ordinary document of the case offers the default.
    plain = suggest(SuggestDoc(None, text=text), [case], [Stored(1, 0.62)], sibling, 0.5)
    assert plain.default_case_id == 1


# ----------------------------------------------------------------- missing documents

CAL = WorkCalendar()


def _snap(*docs: tuple[str, str], hearing: datetime | None = None, decided: date | None = None) -> CaseSnapshot:
    received = tuple(ReceivedDoc(t, date.fromisoformat(d), None, i, i) for i, (t, d) in enumerate(docs, start=1))
    return CaseSnapshot(case_id=1, case_number=NUMBER, case_type="行初", documents=received,
                        notice_date=date(2026, 2, 11), hearing_at=hearing, decision_date=decided)


def test_an_undated_decision_received_before_the_hearing_means_no_appearance_record_is_due() -> None:
    start = (("complaint", "2026-03-23"), ("notice_to_respond", "2026-03-23"), ("defense", "2026-03-23"),
             ("summons", "2026-03-23"))
    before = _snap(*start, ("judgment", "2026-03-23"), hearing=datetime(2026, 4, 3, 9, 30))
    assert compute_missing(before, date(2026, 12, 31), CAL, MissingRules()) == []
    after = _snap(*start, ("judgment", "2026-04-20"), hearing=datetime(2026, 4, 3, 9, 30))
    assert compute_missing(after, date(2026, 12, 31), CAL, MissingRules()) == ["appearance_record"]
    # A date read wins over the day the mail came.
    dated = _snap(*start, ("judgment", "2026-03-23"), hearing=datetime(2026, 4, 3, 9, 30), decided=date(2026, 4, 8))
    assert compute_missing(dated, date(2026, 12, 31), CAL, MissingRules()) == ["appearance_record"]


def test_a_document_waiting_in_our_review_queue_for_the_case_is_not_missing() -> None:
    waiting = [WaitingDoc(9, "complaint", date(2026, 7, 29), None, (1, 2))]
    assert not_waiting(["complaint", "summons"], waiting_types(waiting, 1, NUMBER, date(2026, 12, 31))) == ["summons"]
    # Offered for another case only: still missing here.
    assert not_waiting(["complaint"], waiting_types(waiting, 3, "（2031）鲁0102行初56号", date(2026, 12, 31))) == [
        "complaint"]


# ----------------------------------------------------------------- the court's recital of service


def test_a_first_instance_decision_recites_the_day_it_served_the_notice() -> None:
    recital = "本院于2031年3月2日立案后，于2031年3月4日向被告送达了起诉状副本及应诉通知书。"
    text = JUDGMENT.format(heard="周明").replace("本院于2031年5月6日公开开庭", recital + "本院于2031年5月6日公开开庭")
    f = extract_fields([text], DocType.judgment)
    assert f.notice_served == date(2031, 3, 4)
    assert extract_fields([JUDGMENT.format(heard="周明")], DocType.judgment).notice_served is None


def test_a_recital_agreeing_with_a_doubtful_notice_date_settles_it() -> None:
    notice = _doc(3, "notice_to_respond", doc_date="2031-03-04", doubts={"notice_date": "read with repairs"})
    case = _case(notice_date=date(2031, 3, 4), head_present=None, head_name=None)
    assert {f.fact for f in findings(case, [notice])} == {"notice_date"}
    decided = dict(doc_date="2031-06-01", outcome="agency_won")
    agrees = _doc(5, "judgment", notice_served="2031-03-04", **decided)
    decision = dict(outcome="agency_won", decision_type="judgment", decision_date=date(2031, 6, 1))
    assert findings(_case(notice_date=date(2031, 3, 4), head_present=None, head_name=None, **decision),
                    [notice, agrees]) == []
    other = _doc(5, "judgment", notice_served="2031-03-06", **decided)
    assert {f.fact for f in findings(_case(notice_date=date(2031, 3, 4), head_present=None, head_name=None,
                                           **decision), [notice, other])} == {"notice_date"}
