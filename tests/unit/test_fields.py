# ruff: noqa: E501  (tables of Chinese test text)
from __future__ import annotations

from datetime import date, datetime

import pytest

from extract.types import DocType, Outcome
from extract.understanding.fields import extract_fields, read_outcome

SUMMONS = """山东省枣庄市薛城区人民法院
传 票
案号 （2026）鲁0403行初12号
案由 行政登记
被传唤人 滕州市自然资源局
传唤事由 开庭
应到时间 2026年4月3日下午2时30分
应到处所 本院第四审判庭
二〇二六年二月十一日"""

APPEAL = """山东省枣庄市中级人民法院
行 政 判 决 书
（2026）鲁04行终44号
上诉人（原审原告）：丁某，住滕州市某街道。
被上诉人（原审被告）：滕州市自然资源局，住所地滕州市学院中路。
法定代表人：任某，局长。
上诉人丁某因不动产登记一案，不服山东省枣庄市薛城区人民法院（2026）鲁0403行初12号行政判决，向本院提起上诉。
本院认为，上诉理由不能成立。判决如下：
驳回上诉，维持原判。
二审案件受理费50元，由上诉人负担。
本判决为终审判决。
二〇二六年七月二十四日"""

DEFENSE = """答 辩 状
答辩人：滕州市公安局，住所地滕州市平行路28号。
法定代表人：刘某，局长。
被答辩人：孟某，住滕州市某村3号。
答辩人因被答辩人孟某诉答辩人行政处罚一案（(2026)鲁0402行初53号），现提出答辩意见如下：
此致
枣庄市市中区人民法院
答辩人：滕州市公安局
2026年1月26日"""

FORM = """行政机关负责人出庭应诉情况登记表
填报单位 滕州市某某镇人民政府
案号 〔2026〕鲁0402行初24号
案由 不履行法定职责
原告 孙某
审理法院 山东省枣庄市市中区人民法院
开庭时间 2026年7月15日9时00分
出庭负责人 褚某某
职务 副镇长
是否为正职负责人 否
填报日期：2026年7月15日"""

ABSENCE = """关于行政机关负责人不能出庭的说明
山东省滕州市人民法院：
原告张某诉我单位政府信息公开一案（（2026）鲁0481行初9号），定于2026年5月6日上午9时30分开庭。
我单位局长李某因参加省政府紧急会议，不能出庭应诉，特委托工作人员王某出庭。
滕州市某某局
2026年5月5日"""


def test_summons_fields() -> None:
    f = extract_fields([SUMMONS], DocType.summons)
    assert f.case_number == "（2026）鲁0403行初12号"
    assert f.court == "山东省枣庄市薛城区人民法院"
    assert f.cause == "行政登记"
    assert f.cause_category == "property_registration"
    assert f.hearing_at == datetime(2026, 4, 3, 14, 30)
    assert f.hearing_place == "本院第四审判庭"
    assert f.defendant == "滕州市自然资源局"
    assert f.doc_date == date(2026, 2, 11)


def test_hearing_notice() -> None:
    text = "山东省滕州市人民法院\n开庭通知书\n（2026）鲁0481行初7号\n滕州市某某局：\n本院受理原告张某诉你单位政府信息公开一案，定于2026年5月6日下午3时在本院第三法庭公开开庭审理。\n2026年4月20日"
    f = extract_fields([text], DocType.summons)
    assert f.hearing_at == datetime(2026, 5, 6, 15, 0)
    assert f.case_number == "（2026）鲁0481行初7号"


def test_appeal_judgment_own_and_cited_numbers() -> None:
    f = extract_fields([APPEAL], DocType.judgment)
    assert f.case_number == "（2026）鲁04行终44号"
    assert f.first_instance_case == "（2026）鲁0403行初12号"
    assert f.cited_case_numbers == ("（2026）鲁0403行初12号",)
    assert f.plaintiffs == ("丁某",)
    assert f.defendant == "滕州市自然资源局"
    assert f.outcome is Outcome.agency_won
    assert f.disposition is not None and "驳回上诉" in f.disposition
    assert f.doc_date == date(2026, 7, 24)


def test_appeal_quoting_the_first_instance_decision() -> None:
    quoted = APPEAL.replace("本院认为，上诉理由不能成立。", "原审法院判决如下：撤销被告作出的登记行为。\n本院认为，上诉理由不能成立。")
    f = extract_fields([quoted], DocType.judgment)
    assert f.outcome is Outcome.agency_won
    assert f.disposition == "驳回上诉，维持原判。"


def test_agency_appeal_dismissed_is_a_loss() -> None:
    text = APPEAL.replace("上诉人（原审原告）：丁某，住滕州市某街道。", "上诉人（原审被告）：滕州市自然资源局，住所地某路。").replace(
        "被上诉人（原审被告）：滕州市自然资源局，住所地滕州市学院中路。", "被上诉人（原审原告）：丁某，住某街道。")
    assert extract_fields([text], DocType.judgment).outcome is Outcome.agency_lost


def test_defense_number_inside_the_case_sentence() -> None:
    f = extract_fields([DEFENSE], DocType.defense)
    assert f.case_number == "（2026）鲁0402行初53号"
    assert f.defendant == "滕州市公安局"
    assert f.plaintiffs == ("孟某",)
    assert f.cause == "行政处罚"
    assert f.court == "山东省枣庄市市中区人民法院"  # the province of the number's code (鲁) completes it


def test_appearance_form() -> None:
    f = extract_fields([FORM], DocType.appearance_record)
    assert f.case_number == "（2026）鲁0402行初24号"
    assert f.hearing_at == datetime(2026, 7, 15, 9, 0)
    assert (f.head_present, f.head_principal, f.head_name, f.head_title) == (True, False, "褚某某", "副镇长")
    assert f.cause_category == "failure_to_perform"
    assert f.court == "山东省枣庄市市中区人民法院"


def test_absence_statement() -> None:
    f = extract_fields([ABSENCE], DocType.appearance_record)
    assert f.head_present is False
    assert f.absence_reason is not None and "紧急会议" in f.absence_reason
    assert f.hearing_at == datetime(2026, 5, 6, 9, 30)
    assert f.case_number == "（2026）鲁0481行初9号"


def test_complaint_has_no_own_number_but_cites() -> None:
    text = "行政上诉状\n上诉人（原审原告）：丁某，住某地。\n上诉人不服（2026）鲁0403行初12号行政判决，现提起上诉。\n上诉人：丁某\n2026年4月3日"
    f = extract_fields([text], DocType.complaint)
    assert f.case_number is None
    assert f.first_instance_case == "（2026）鲁0403行初12号"


def test_stats_table_row_is_not_an_own_number() -> None:
    text = "某某镇人民政府2026年行政应诉案件统计表\n序号 案号 原告 案由\n1 （2026）鲁0402行初42号 赵某 行政强制 8月18日 是 审理中"
    assert extract_fields([text], DocType.other).case_number is None


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ("驳回原告张某的诉讼请求。", Outcome.agency_won),
        ("驳回原告张某的起诉。", Outcome.agency_won),
        ("驳回原告吕某要求被告赔偿房屋损失1430000元的赔偿请求。", Outcome.agency_won),
        ("一、确认被告强制拆除原告房屋的行为违法；二、驳回原告的其他诉讼请求。", Outcome.agency_lost),
        ("撤销被告滕州市某某局作出的《行政处罚决定书》。", Outcome.agency_lost),
        ("确认被告强制拆除原告房屋的行为违法。", Outcome.agency_lost),
        ("确认被告作出的行政行为无效。", Outcome.agency_lost),
        ("责令被告于本判决生效之日起六十日内重新作出答复。", Outcome.agency_lost),
        ("被告于本判决生效之日起三十日内对原告的申请履行法定职责。", Outcome.agency_lost),
        ("被告赔偿原告损失共计20000元。", Outcome.agency_lost),
        ("一、撤销被告作出的决定；二、驳回原告的其他诉讼请求。", Outcome.agency_lost),
        ("准许原告张某撤回起诉。", Outcome.withdrawn),
        ("准予原告张某撤诉。", Outcome.withdrawn),
        ("本案按原告张某撤诉处理。", Outcome.withdrawn),
        ("本案中止诉讼。", Outcome.pending),
        ("撤销原判，发回重审。", Outcome.pending),
        ("准予强制执行申请执行人滕州市某某局作出的《行政处罚决定书》。", Outcome.agency_won),
        ("不准予强制执行申请执行人滕州市某某局作出的《行政处罚决定书》。", Outcome.agency_lost),
        # OCR: 驳 and 撤 misread
        ("驭回原告赤某的诉讼请求。", Outcome.agency_won),
        ("准许原告王某擞回起诉。", Outcome.withdrawn),
        ("准了强制执行申请执行人某局作出的决定。", Outcome.agency_won),
        ("被销被告某局于2026年7月16日作出的答复书。", Outcome.agency_lost),
        ("本案中犁诉讼。", Outcome.pending),
    ],
)
def test_outcomes(disposition: str, expected: Outcome) -> None:
    lines = ["本院认为，……依照《中华人民共和国行政诉讼法》之规定，判决如下：", disposition, "案件受理费50元。"]
    result = read_outcome(lines, DocType.judgment)
    assert result.outcome is expected
    assert result.sentence == disposition


def test_damaged_anchor_and_party_request_not_taken_as_decision() -> None:
    lines = ["被告辩称，综上，请求驳回原告的诉讼请求。", "依照《中华人民共和国行政诉讼法》第七十条之规定，判决如于、、:",
             "撤销被告作出的答复书。", "案件受理费50元，由被告负担。"]
    assert read_outcome(lines, DocType.judgment).outcome is Outcome.agency_lost
    # Without any anchor the last decision-like sentence counts, never the defendant's request.
    no_anchor = ["被告辩称，请求驳回原告的诉讼请求。", "准许原告张某撤回起诉。"]
    assert read_outcome(no_anchor, DocType.ruling).outcome is Outcome.withdrawn


def test_no_disposition_no_outcome() -> None:
    assert read_outcome(["本院定于2026年5月6日开庭。"], DocType.ruling).outcome is None


def test_appearance_form_with_lost_values_is_unknown_not_absent() -> None:
    text = "行政机关负责人出庭应诉情况登记表\n填报单位 滕州市某某局\n(2026)鲁0481行初28号\n开庭时间\n出庭负责人\n职务\n是否为正职负责\n人\n填报日期: 2026年9月11日"
    f = extract_fields([text], DocType.appearance_record)
    assert f.head_present is None and f.head_name is None


def test_appearance_form_with_cut_labels() -> None:
    text = "行政机关负责人出庭应诉情况登记表\n出庭负责人   宋某某\n职       副镇长\n是否为正职负责 |二\n填报日期 : 2026年8月18日"
    f = extract_fields([text], DocType.appearance_record)
    assert (f.head_present, f.head_principal, f.head_title) == (True, False, "副镇长")


@pytest.mark.parametrize(
    ("label", "key"),
    [("不动产警记", "property_registration"), ("行政处吕", "admin_penalty"), ("房屋征收补偿决定", "housing_expropriation"),
     ("政府信息公开", "info_disclosure"), ("工伤认定", "work_injury"), ("行政强制", "forced_demolition"), ("买卖合同", None)],
)
def test_cause_label_categories(label: str, key: str | None) -> None:
    from extract.understanding.fields import category_of_label

    assert category_of_label(label) == key


JUDGMENT_BODY = """山东省枣庄市中级人民法院
行 政 判 决 书
（2026）鲁04行初28号
原告滕州市某某商贸有限公司。
被告滕州市人民政府。
原告不服被告行政复议一案，于2026年3月10日向本院提起行政诉讼。本院于2026年4月27日公开开庭审理了本案。
原告诉称，被告于2025年12月11日作出复议决定。
判决如下：
驳回原告滕州市某某商贸有限公司的诉讼请求。
审 判 长 李伟"""


def test_judgment_date_comes_from_the_signature_block() -> None:
    dated = extract_fields([JUDGMENT_BODY + "\n二〇二六年六月九日\n书 记 员 高某"], DocType.judgment)
    assert dated.doc_date == date(2026, 6, 9)


def test_judgment_without_its_signature_block_has_no_date_rather_than_a_body_date() -> None:
    # OCR lost the bottom of the last page: the body's dates (filing, hearing, the contested act) are not it.
    assert extract_fields([JUDGMENT_BODY], DocType.judgment).doc_date is None
