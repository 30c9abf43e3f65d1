"""The court of a document: read from its header, checked against and completed from its own case number."""

from __future__ import annotations

from extract.types import DocType
from extract.understanding.casenumber import Jurisdiction, parse_case_number
from extract.understanding.court import (
    SUPREME_COURT,
    CourtReading,
    complete_name,
    court_sources,
    resolve_court,
    same_court,
)
from extract.understanding.fields import extract_fields

# An invented region's table, as a bureau would fill config `jurisdiction.court_names`.
KNOWN = {
    "浙05": "浙江省湖州市中级人民法院",
    "浙0502": "浙江省湖州市吴兴区人民法院",
    "浙0503": "浙江省湖州市南浔区人民法院",
    "浙0521": "浙江省德清县人民法院",
}


def court(lines: list[str], number: str | None, known: dict[str, str] | None = None) -> CourtReading:
    parsed = parse_case_number(number) if number else None
    return resolve_court(court_sources(lines), parsed, KNOWN if known is None else known)


def test_a_misread_header_snaps_to_the_known_court_of_the_numbers_code() -> None:
    assert court(["湖洲市中级人民法院", "应诉通知书"], "（2031）浙05行初8号").name == "浙江省湖州市中级人民法院"
    # Two misread characters in a longer name, and no province printed.
    assert court(["湖川市吴六区人民法院"], "（2031）浙0502行初8号").name == "浙江省湖州市吴兴区人民法院"


def test_no_header_the_known_court_of_the_code_is_the_court() -> None:
    assert court(["行政判决书"], "（2031）浙0521行初3号").name == "浙江省德清县人民法院"


def test_a_header_naming_another_court_than_the_code_is_a_doubt_not_a_pick() -> None:
    got = court(["浙江省德清县人民法院", "行政裁定书"], "（2031）浙0502行初8号")
    assert got.name is None and got.doubt and "浙江省德清县人民法院" in got.doubt


def test_the_numbering_rules_name_the_supreme_and_the_high_courts() -> None:
    assert court(["行政裁定书"], "（2031）最高法行申12号").name == SUPREME_COURT
    assert court(["行政判决书"], "（2031）赣行终40号").name == "江西省高级人民法院"
    assert court(["行政判决书"], "（2031）桂行终41号").name == "广西壮族自治区高级人民法院"
    # Before 2016 the SPC printed no court abbreviation.
    assert court(["行政判决书"], "（2001）行终字第9号").name == SUPREME_COURT


def test_never_a_court_from_a_not_accepted_judgment_clause() -> None:
    lines = ["行政判决书", "原告甲某不服某某市中级人民法院（2030）赣01行初2号行政判决，", "现已审理终结。"]
    # A first instance: the court named after 不服 is another court, and nothing else says which.
    assert court(lines, "（2031）赣0102行初5号").name is None


def test_an_appeal_is_decided_one_level_above_the_court_appealed_from() -> None:
    from_intermediate = [
        "行政判决书",
        "上诉人甲某因行政处罚一案，不服江西省南昌市中级人民法院（2014）洪行初字第3号行政判决",
    ]
    assert court(from_intermediate, "（2015）赣行终字第7号").name == "江西省高级人民法院"
    # The province from the number when the lower court is printed without it (pre-2016 high-court code).
    assert court(["行政判决书", "不服南昌市中级人民法院（2014）洪行初字第3号"], "（2015）赣行终字第7号").name == (
        "江西省高级人民法院"
    )
    from_district = ["行政判决书", "上诉人甲某不服南昌市东湖区人民法院（2014）东行初字第3号行政判决"]
    assert court(from_district, "（2015）洪中行终字第7号").name == "南昌市中级人民法院"
    # A county-level city's court: its intermediate court is not in the name.
    assert court(["不服某安市人民法院（2030）赣0182行初2号行政判决"], "（2031）赣01行终5号").name is None
    # A municipality has several intermediate courts: which one is not in the name.
    assert court(["不服北京市某某区人民法院作出的判决"], "（2015）某中行终字第7号").name is None


def test_a_name_at_another_level_or_province_than_the_number_is_a_doubt() -> None:
    level = court(["北京市高级人民法院", "行政裁定书"], "（2031）京02行再3号")
    assert level.name is None and level.doubt and "层级" in level.doubt
    province = court(["江苏省某某县人民法院"], "（2031）赣0123行初3号")
    assert province.name is None and province.doubt and "省份" in province.doubt


def test_a_name_without_its_province_is_completed_from_the_code() -> None:
    assert court(["某某县人民法院", "行政判决书"], "（2031）赣0123行初3号", {}).name == "江西省某某县人民法院"
    # Courts named after their seat carry no province.
    assert complete_name("南昌铁路运输中级法院", "赣") == "南昌铁路运输中级法院"


def test_without_a_number_a_name_snaps_only_to_a_unique_nearest_known_court() -> None:
    assert court(["此致", "湖州市南浔区人民法院"], None).name == "浙江省湖州市南浔区人民法院"
    # One misreading from 吴兴区 and from 南浔区 alike: which court is not known.
    tie = court(["此致", "湖州市吴浔区人民法院"], None)
    assert tie.name is None and tie.doubt and "多个已知法院" in tie.doubt


def test_a_label_line_is_not_a_header() -> None:
    assert court_sources(["出庭情况登记表", "审理法院：江西省某某县人民法院"]).printed == "江西省某某县人民法院"


def test_same_court_sets_the_province_aside_but_not_the_city() -> None:
    assert same_court("浙江省德清县人民法院", "德清县人民法院")
    assert not same_court("浙江省湖州市吴兴区人民法院", "吴兴区人民法院")
    assert not same_court("江西省高级人民法院", "浙江省高级人民法院")


def test_extract_fields_uses_the_configured_courts() -> None:
    jurisdiction = Jurisdiction("浙", frozenset(KNOWN), tuple(KNOWN.items()))
    page = (
        "湖洲市吴兴区人民法院\n应诉通知书\n（2031）浙0502行初8号\n某某局：\n原告甲某诉你单位行政处罚一案，本院已立案。"
    )
    f = extract_fields([page], DocType.notice_to_respond, jurisdiction)
    assert f.court == "浙江省湖州市吴兴区人民法院"
    clash = extract_fields(["浙江省德清县人民法院\n" + page], DocType.notice_to_respond, jurisdiction)
    assert clash.court is None and "court" in clash.doubts
