"""Decision date, outcome and head appearance as real court documents print them (invented texts)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.types import DocType, Document, Fields, Outcome
from extract.understanding.analyze import reread_decision_dates
from extract.understanding.fields import (
    UPHELD_ON_PLAINTIFF_APPEAL,
    enforcement_applicant,
    extract_fields,
    normalize_lines,
)
from extract.understanding.signature import decision_date

HEAD = """某某省青禾市湖西区人民法院
行 政 判 决 书
（2031）鲁0102行初77号
原告：林小满，男，1980年1月2日出生。
被告：青禾市湖西区城市管理局，住所地青禾市湖西区。
法定代表人：秦远，局长。
行政机关负责人：许朗，副局长。
委托代理人：顾安，该局工作人员。
原告林小满不服被告青禾市湖西区城市管理局行政处罚一案，于2031年2月3日向本院提起行政诉讼。
本院于2031年2月3日立案后，于2031年3月10日公开开庭审理了本案。原告林小满，被告的行政机关负责人许朗及委托代理人顾安到庭参加诉讼。本案现已审理终结。
"""


def _judgment(disposition: str, signature: str, head: str = HEAD) -> list[str]:
    return [
        head
        + "本院认为，被告的处罚决定证据确凿。依照《中华人民共和国行政诉讼法》第六十九条之规定，判决\n如下：\n"
        + disposition
        + "\n案件受理费50元，由原告负担。\n如不服本判决，可在判决书送达之日起十五日内上诉。\n"
        + signature
    ]


SIGNED = "审　判　长　　周一\n审　判　员　　吴二\n人民陪审员　　郑三\n二〇三一年四月二十七日\n书　记　员　　王四\n"


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        (SIGNED, date(2031, 4, 27)),
        (SIGNED.replace("二〇三一", "二O三一"), date(2031, 4, 27)),
        (SIGNED.replace("二〇三一", "二零三一"), date(2031, 4, 27)),
        ("落款\n审判长周一\n审判员吴二\n二○三一年十二月三日\n书记员王四\n", date(2031, 12, 3)),
        # names and date on one line, the date broken over two lines
        ("审判长周一审判员吴二二〇三一年五\n月八日书记员王四\n", date(2031, 5, 8)),
    ],
)
def test_decision_date_from_the_signature_block(signature: str, expected: date) -> None:
    fields = extract_fields(_judgment("驳回原告林小满的诉讼请求。", signature), DocType.judgment)
    assert fields.doc_date == expected
    assert "decision_date" not in fields.doubts


def test_old_style_zeros_as_digits() -> None:
    lines = normalize_lines(["审判长周一\n审判员吴二\n二00七年六月二十八日\n书记员王四"])
    assert decision_date(lines).value == date(2007, 6, 28)


def test_body_dates_never_stand_in_for_a_missing_signature_date() -> None:
    pages = _judgment("驳回原告林小满的诉讼请求。", "审判长周一\n审判员吴二\n书记员王四\n")
    fields = extract_fields(pages, DocType.judgment)
    assert fields.doc_date is None
    assert fields.doubts["decision_date"] == "no date found in the signature block"


def test_a_date_before_the_hearing_is_not_used() -> None:
    fields = extract_fields(
        _judgment("驳回原告林小满的诉讼请求。", SIGNED.replace("四月二十七日", "一月二十七日")), DocType.judgment
    )
    assert fields.doc_date is None
    assert "before 2031-03-10" in fields.doubts["decision_date"]


def test_a_date_before_the_case_number_year_is_not_used() -> None:
    pages = _judgment("驳回原告林小满的诉讼请求。", SIGNED.replace("二〇三一", "二〇二一"))
    fields = extract_fields(pages, DocType.judgment)
    assert fields.doc_date is None
    assert "case number" in fields.doubts["decision_date"]


def test_a_deadline_in_the_body_is_not_a_narrated_event() -> None:
    head = HEAD.replace("本案现已审理终结。", "经批准延长审理期限至2031年8月1日。本案现已审理终结。")
    fields = extract_fields(_judgment("驳回原告林小满的诉讼请求。", SIGNED, head), DocType.judgment)
    assert fields.doc_date == date(2031, 4, 27)


def test_a_repaired_read_keeps_its_value_with_a_doubt() -> None:
    pages = _judgment("驳回原告林小满的诉讼请求。", SIGNED.replace("二十七日", "二十七曰"))
    fields = extract_fields(pages, DocType.judgment)
    assert fields.doc_date == date(2031, 4, 27)
    assert "repairs" in fields.doubts["decision_date"]


def test_a_damaged_zero_of_the_year_needs_no_repair() -> None:
    pages = _judgment("驳回原告林小满的诉讼请求。", SIGNED.replace("二〇三一", "二-三一"))
    fields = extract_fields(pages, DocType.judgment)
    assert fields.doc_date == date(2031, 4, 27)
    assert "decision_date" not in fields.doubts


@pytest.mark.parametrize(
    ("disposition", "outcome"),
    [
        ("驳回原告林小满的诉讼请求。", Outcome.agency_won),
        ("驳回原告林小满的起诉。", Outcome.agency_won),
        ("对起诉人林小满的起诉，本院不予受理。", Outcome.agency_won),
        ("准予原告林小满撤回起诉。", Outcome.withdrawn),
        ("本案按原告林小满撤诉处理。", Outcome.withdrawn),
        ("撤销被告于2031年1月5日作出的处罚决定。", Outcome.agency_lost),
        ("确认被告青禾市湖西区城市管理局强制拆除原告房屋的行为违法。", Outcome.agency_lost),
        ("确认被告作出的处罚决定主要证据不足。", Outcome.agency_lost),
        ("责令被告于本判决生效之日起三十日内履行答复职责。", Outcome.agency_lost),
        ("判令被告于本判决生效之日起三十日内向原告送达复议决定书。", Outcome.agency_lost),
        ("驳回林小满的再审申请。", Outcome.agency_won),
        ("一、撤销青禾市湖西区人民法院（2030）某0102行初5号行政判决；二、发回青禾市湖西区人民法院另行组成合议庭重审。",
         Outcome.pending),
        ("一、撤销本院（2030）某01行终9号行政裁定；二、指令青禾市湖西区人民法院对本案进行审理。", Outcome.pending),
        ("本案由本院提审。", Outcome.pending),
    ],
)
def test_outcome_from_real_disposition_wording(disposition: str, outcome: Outcome) -> None:
    assert extract_fields(_judgment(disposition, SIGNED), DocType.judgment).outcome is outcome


APPEAL = """某某省青禾市中级人民法院
行 政 判 决 书
（2031）某01行终12号
上诉人（原审{who}）：{appellant}。
被上诉人（原审{other}）：{appellee}。
上诉人{appellant}因行政处罚一案，不服青禾市湖西区人民法院（2030）某0102行初5号行政判决，向本院提起上诉。
"""


@pytest.mark.parametrize(("agency_appealed", "outcome"), [(False, Outcome.agency_won), (True, Outcome.agency_lost)])
def test_dismissed_appeal_follows_who_appealed(agency_appealed: bool, outcome: Outcome) -> None:
    agency, person = "青禾市湖西区城市管理局", "林小满"
    head = APPEAL.format(
        who="被告" if agency_appealed else "原告",
        other="原告" if agency_appealed else "被告",
        appellant=agency if agency_appealed else person,
        appellee=person if agency_appealed else agency,
    )
    fields = extract_fields(_judgment("驳回上诉，维持原判。", SIGNED, head), DocType.judgment)
    assert fields.outcome is outcome
    # The private party also appeals a partial win: without the first instance on file, a person checks.
    assert (fields.doubts.get("outcome") == UPHELD_ON_PLAINTIFF_APPEAL) is not agency_appealed


def _appeal_head(agency_appealed: bool, below: str = "行政判决") -> str:
    agency, person = "青禾市湖西区城市管理局", "林小满"
    return APPEAL.format(
        who="被告" if agency_appealed else "原告", other="原告" if agency_appealed else "被告",
        appellant=agency if agency_appealed else person, appellee=person if agency_appealed else agency,
    ).replace("行政判决，", below + "，")


def test_dismissed_appeal_of_a_ruling_is_the_agencys_win() -> None:
    # A private party appeals a ruling only when its case was turned away (不予立案, 驳回起诉).
    head = _appeal_head(False, "行政裁定")
    fields = extract_fields(_judgment("驳回上诉，维持原裁定。", SIGNED, head), DocType.ruling)
    assert fields.outcome is Outcome.agency_won
    assert "outcome" not in fields.doubts


def test_an_upheld_item_against_the_defendant_is_a_loss() -> None:
    disposition = (
        "一、维持青禾市湖西区人民法院（2030）某0102行初5号行政判决第一项中关于“撤销被告作出的处罚决定”；"
        "二、撤销青禾市湖西区人民法院（2030）某0102行初5号行政判决第二项。"
    )
    fields = extract_fields(_judgment(disposition, SIGNED, _appeal_head(True)), DocType.judgment)
    assert fields.outcome is Outcome.agency_lost


def test_an_upheld_item_that_is_not_a_loss_is_not_read_as_one() -> None:
    disposition = "维持青禾市湖西区人民法院（2030）某0102行初5号行政判决第一项“驳回原告林小满的诉讼请求”。"
    fields = extract_fields(_judgment(disposition, SIGNED, _appeal_head(False)), DocType.judgment)
    assert fields.outcome is not Outcome.agency_lost


def test_a_retrial_reinstating_an_earlier_decision_waits_for_a_person() -> None:
    disposition = (
        "一、撤销青禾省高级人民法院（2030）青行再1号行政判决；"
        "二、维持青禾市中级人民法院（2029）青01行终3号行政判决。"
    )
    fields = extract_fields(_judgment(disposition, SIGNED), DocType.judgment)
    assert fields.outcome is None
    assert "reinstates" in fields.doubts["outcome"]


def test_enforcement_measures_are_neither_win_nor_loss() -> None:
    disposition = "冻结、划拨被执行人林小满银行存款人民币5000元。"
    assert extract_fields(_judgment(disposition, SIGNED), DocType.ruling).outcome is Outcome.pending


def test_appeal_with_an_explicit_loss_is_a_loss_whoever_appealed() -> None:
    head = APPEAL.format(who="原告", other="被告", appellant="林小满", appellee="青禾市湖西区城市管理局")
    disposition = (
        "一、撤销青禾市湖西区人民法院（2030）某0102行初5号行政判决；二、确认被上诉人不履行职责的行为违法；"
        "三、驳回上诉人林小满的其他诉讼请求。"
    )
    assert extract_fields(_judgment(disposition, SIGNED, head), DocType.judgment).outcome is Outcome.agency_lost


def test_unrecognised_disposition_is_a_doubt() -> None:
    fields = extract_fields(_judgment("本院对此不作评判。", SIGNED), DocType.judgment)
    assert fields.outcome is None
    assert "not recognised" in fields.doubts["outcome"]


def test_enforcement_applicant() -> None:
    lines = normalize_lines(["行政裁定书\n申请执行人：青禾市自然资源局，住所地青禾市。\n被执行人：林小满。"])
    assert enforcement_applicant(lines) == "青禾市自然资源局"
    lines = normalize_lines(["青禾市卫生健康委员会于2031年2月1日向本院申请强制执行处罚决定一案"])
    assert enforcement_applicant(lines) == "青禾市卫生健康委员会"


def test_head_from_parties_block_and_hearing_paragraph() -> None:
    fields = extract_fields(_judgment("驳回原告林小满的诉讼请求。", SIGNED), DocType.judgment)
    assert (fields.head_present, fields.head_principal, fields.head_name, fields.head_title) == (
        True, False, "许朗", "副局长"
    )
    assert "head_present" not in fields.doubts


def test_head_listed_but_not_in_court_is_a_doubt_not_a_pick() -> None:
    head = HEAD.replace("被告的行政机关负责人许朗及委托代理人顾安", "被告的委托代理人顾安")
    fields = extract_fields(_judgment("驳回原告林小满的诉讼请求。", SIGNED, head), DocType.judgment)
    assert fields.head_present is False and fields.head_name is None
    assert "许朗" in fields.doubts["head_present"]


def test_head_named_only_in_the_hearing_paragraph() -> None:
    head = HEAD.replace("行政机关负责人：许朗，副局长。\n", "").replace(
        "被告的行政机关负责人许朗及委托代理人顾安到庭参加诉讼", "被告的副局长许朗出庭应诉"
    )
    fields = extract_fields(_judgment("驳回原告林小满的诉讼请求。", SIGNED, head), DocType.judgment)
    assert (fields.head_present, fields.head_principal, fields.head_name) == (True, False, "许朗")


def test_appearance_form_that_contradicts_the_title() -> None:
    form = (
        "行政机关负责人出庭应诉情况登记表\n案号 （2031）某0102行初77号\n出庭负责人 许朗\n职务 副局长\n"
        "是否为正职负责人 是\n"
    )
    fields = extract_fields([form], DocType.appearance_record)
    assert fields.head_present is True
    assert "head_role" in fields.doubts


def test_reread_settles_a_missing_date_when_two_reads_agree() -> None:
    pages = _judgment("驳回原告林小满的诉讼请求。", "审判长周一\n审判员吴二\n二Q三一年人月\n书记员王四\n")
    doc = Document(DocType.judgment, 1, 1, 0.9, fields=extract_fields(pages, DocType.judgment))
    assert doc.fields.doc_date is None
    reads = {0: "审判长周一\n二〇三一年四月二十七曰\n书记员王四", 1: "审判长周一\n二〇三一年四月二十七口\n书记员王四"}
    out = reread_decision_dates([doc], {1: pages[0]}, lambda page, attempt: reads.get(attempt))[0]
    assert out.fields.doc_date == date(2031, 4, 27)
    assert "decision_date" not in out.fields.doubts
    assert "second read" in out.evidence[-1]


def test_reread_that_disagrees_keeps_the_doubt() -> None:
    pages = _judgment("驳回原告林小满的诉讼请求。", "审判长周一\n审判员吴二\n书记员王四\n")
    doc = Document(DocType.judgment, 1, 1, 0.9, fields=extract_fields(pages, DocType.judgment))
    reads = {0: "二〇三一年四月二十七曰", 1: "二〇三一年四月二十一曰"}
    out = reread_decision_dates([doc], {1: pages[0]}, lambda page, attempt: reads.get(attempt))[0]
    assert out.fields.doc_date == date(2031, 4, 27)
    assert "repairs" in out.fields.doubts["decision_date"]


def test_documents_without_doubt_are_not_reread() -> None:
    doc = Document(DocType.judgment, 1, 1, 0.9, fields=Fields(doc_date=date(2031, 4, 27)))

    def never(page: int, attempt: int) -> str | None:
        raise AssertionError("read")

    assert reread_decision_dates([doc], {}, never) == [doc]


def test_appearance_form_with_a_label_cut_short() -> None:
    form = "行政机关负责人出庭应诉情况登记表\n案号 （2031）某0102行初77号\n出庭负责    许朗\n职务    局长\n"
    fields = extract_fields([form], DocType.appearance_record)
    assert (fields.head_present, fields.head_principal, fields.head_name) == (True, True, "许朗")


def test_notice_date_missing_is_read_again() -> None:
    notice = (
        "某某省青禾市湖西区人民法院\n应诉通知书\n（2031）某0102行初77号\n青禾市湖西区城市管理局：\n"
        "本院已受理原告林小满诉你单位一案。\n"
    )
    doc = Document(DocType.notice_to_respond, 1, 1, 0.9, fields=extract_fields([notice], DocType.notice_to_respond))
    assert doc.fields.doc_date is None and "notice_date" in doc.fields.doubts
    out = reread_decision_dates([doc], {1: notice}, lambda page, attempt: "青禾市湖西区人民法院\n二〇三一年二月五日")[0]
    assert out.fields.doc_date == date(2031, 2, 5) and "notice_date" not in out.fields.doubts


def test_enforcement_ruling_counts_only_for_the_applicant() -> None:
    from cases.filing import agency_outcome

    granted = Fields(outcome=Outcome.agency_won, disposition="准予强制执行申请执行人青禾市自然资源局作出的处罚决定。",
                     defendant="青禾市自然资源局")
    assert agency_outcome(granted, ["青禾市自然资源局", "自然资源局"]) is Outcome.agency_won
    assert agency_outcome(granted, ["青禾市城市管理局"]) is Outcome.pending
    judgment = Fields(outcome=Outcome.agency_lost, disposition="撤销被告作出的处罚决定。", defendant="青禾市自然资源局")
    assert agency_outcome(judgment, ["青禾市城市管理局"]) is Outcome.agency_lost


def test_agency_appeal_read_through_a_misread_bracket() -> None:
    head = _appeal_head(True).replace("上诉人（原审被告）", "上诉人“原审被告)")
    fields = extract_fields(_judgment("驳回上诉，维持原判。", SIGNED, head), DocType.judgment)
    assert fields.outcome is Outcome.agency_lost and "outcome" not in fields.doubts


def test_disposition_found_when_ocr_lost_the_xia_of_panjue_ruxia() -> None:
    pages = [HEAD + "依照《中华人民共和国行政诉讼法》第七十四条之规定，判决如\n了了通-\n"
             "确认被告强制拆除原告房屋的行为违法。\n"
             "案件受理费50元，由被告负担。\n" + SIGNED]
    assert extract_fields(pages, DocType.judgment).outcome is Outcome.agency_lost


def test_a_party_claim_after_a_damaged_marker_is_not_a_disposition() -> None:
    # Without 下 the marker needs the disposition's own first words right after it.
    pages = [HEAD + "原告诉称，请求判决如其所述，撤销被告的处罚决定。\n" + SIGNED]
    assert extract_fields(pages, DocType.judgment).outcome is None


def test_enforcement_with_a_stray_character() -> None:
    fields = extract_fields(_judgment("准了予强制执行青禾市自然资源局作出的处罚决定。", SIGNED), DocType.ruling)
    assert fields.outcome is Outcome.agency_won
    assert enforcement_applicant(normalize_lines(["申请执行人：青禾市自然资源局。"])) == "青禾市自然资源局"
