"""Case-number parser over real-world printed forms, OCR damage, and look-alikes that are not case numbers."""

from __future__ import annotations

import pytest

from extract.understanding.casenumber import Jurisdiction, find_case_numbers, near_miss, parse_case_number

HOME = Jurisdiction("鲁", frozenset({"鲁04", "鲁0402", "鲁0403", "鲁0404", "鲁0405", "鲁0481"}))

PRINTED = [
    ("（2026）鲁0481行初37号", "（2026）鲁0481行初37号"),
    ("(2026)鲁0481行初37号", "（2026）鲁0481行初37号"),
    ("〔2026〕鲁0403行初12号", "（2026）鲁0403行初12号"),
    ("（２０２６）鲁０４行终４４号", "（2026）鲁04行终44号"),
    ("（2026）鲁行申3号", "（2026）鲁行申3号"),
    ("（2026）鲁0481行审复2号", "（2026）鲁0481行审复2号"),
    ("（2026）鲁0481行审38号", "（2026）鲁0481行审38号"),
    ("（2026）鲁0481行赔初10号", "（2026）鲁0481行赔初10号"),
    ("（2026）鲁04行赔终3号", "（2026）鲁04行赔终3号"),
    ("（2025）京73行初1234号", "（2025）京73行初1234号"),
    ("（2026）鲁04行辖终5号", "（2026）鲁04行辖终5号"),
    ("（2014）滕行初字第12号", "（2014）滕行初字12号"),
    ("（2015）通中行终字第00129号", "（2015）通中行终字129号"),
    ("（2004）海行初字第112号", "（2004）海行初字112号"),
    ("（2001）鲁行重初字第3号", "（2001）鲁行重初字3号"),
    ("（2014）高行（知）终字第210号", "（2014）高行（知）终字210号"),
    ("（1999）行终字第19号", "（1999）行终字19号"),  # the SPC printed no court abbreviation
    ("(2007)彭法非诉行执审字第1号", "（2007）彭法非诉行执审字1号"),
    ("（2007）行监字第70-1号", "（2007）行监字70-1号"),
    ("(2020)最高法行申1234号", "（2020）最高法行申1234号"),
    ("（2026）鲁0481行初第52号", "（2026）鲁0481行初52号"),
    ("(2018)黔0303执1029号", "（2018）黔0303执1029号"),
    ("(2020)京0112行初9号之一", "（2020）京0112行初9号之一"),
    ("(2026)粤71行终1567号", "（2026）粤71行终1567号"),  # railway court
    ("【2026】鲁 0481 行初 52 号", "（2026）鲁0481行初52号"),
    ("案号：(2026)鲁04行终37号", "（2026）鲁04行终37号"),
    ("关于2026鲁0481行初37号案件的报备", "（2026）鲁0481行初37号"),  # typed without brackets
]

OCR = [
    ("( 2 0 2 6 ) 鲁 0481 行 初 37 号", "（2026）鲁0481行初37号"),
    ("(2026)和鲁0481行初12号", "（2026）鲁0481行初12号"),
    ("〈2026〉鲁0481行初12号", "（2026）鲁0481行初12号"),
    ("《2026》鲁0481行初12号", "（2026）鲁0481行初12号"),
    ("人2026)鲁04行终44号", "（2026）鲁04行终44号"),
    ("[2026]鲁0402行初24号", "（2026）鲁0402行初24号"),
    ("【2026】鲁0402行初24号", "（2026）鲁0402行初24号"),
    ("C2026J鲁0481行初3号", "（2026）鲁0481行初3号"),
    ("02026)鲁0481行初3号", "（2026）鲁0481行初3号"),
    ("(2026)鲁O481行初3号", "（2026）鲁0481行初3号"),
    ("(2026)鲁048l行初3号", "（2026）鲁0481行初3号"),
    ("(2O26)鲁0481行初3号", "（2026）鲁0481行初3号"),
    ("(2026)鲁0481行中5号", "（2026）鲁0481行申5号"),
    ("(2026)鲁0481行冉5号", "（2026）鲁0481行再5号"),
    ("(2026)鲁0481行宙38号", "（2026）鲁0481行审38号"),
    ("(2026)鲁0481行陪初10号", "（2026）鲁0481行赔初10号"),
    ("(2026) 重0402行初33号", "（2026）鲁0402行初33号"),
    ("(2026) 鲁0481]行初36号", "（2026）鲁0481行初36号"),  # table rule inside the number
    ("(2026)鲁0481行初]36号", "（2026）鲁0481行初36号"),  # unreadable province before a full court code
    ("(2026) 和鲁0403行切12号", "（2026）鲁0403行初12号"),
    ("(2026)鲁0481行初37", "（2026）鲁0481行初37号"),  # 号 cropped
    ("（2026）鲁0403行初1\n2号", "（2026）鲁0403行初12号"),  # wrapped
    ("(20\n26)鲁04行终37号", "（2026）鲁04行终37号"),
]

NOT_CASE_NUMBERS = [
    "滕政办发〔2020〕5号",
    "滕自然资罚〔2026〕227号",
    "法释〔2020〕3号",
    "联系电话：0632-5550276",
    "13805321234",
    "2026年3月5日",
    "二〇二六年三月五日",
    "（2026）鲁0481民初37号",  # civil, not administrative
    "（2026）鲁0481行保3号",  # 行保 does not exist
    "（2026）鲁0481行协3号",  # 行协 does not exist
    "（2026）鲁0000行初3号",  # impossible court code
    "（2026）鲁04810行初3号",  # five court digits
    "（1850）鲁0481行初3号",  # impossible year
    "（2026）鲁0481行初0号",  # serial zero
    "2026鲁0481行初3",  # no bracket and no 号: too weak
    "滕州市学院中路131号",
    "(2020) 各04行切2",  # unknown court character AND a look-alike type: two guesses, refused
    "（2014）滕民初字第12号",  # civil, old form
    "滕政字〔2014〕第12号",  # agency document number
]


@pytest.mark.parametrize(("text", "expected"), PRINTED + OCR)
def test_parses_printed_and_ocr_forms(text: str, expected: str) -> None:
    number = parse_case_number(text, jurisdiction=HOME)
    assert number is not None, text
    assert str(number) == expected


def test_an_unreadable_province_becomes_the_configured_one_only() -> None:
    assert parse_case_number("(2026) 重0402行初33号") is None  # no home province configured
    assert str(parse_case_number("(2026) 重0402行初33号", jurisdiction=Jurisdiction("苏"))) == "（2026）苏0402行初33号"
    # Only a court of the jurisdiction: 琼96 misread is not made 鲁96.
    assert parse_case_number("(2018)瑶96行终30号", jurisdiction=HOME) is None
    assert str(parse_case_number("(2018)瑶04行终30号", jurisdiction=HOME)) == "（2018）鲁04行终30号"
    # A province that was read is never changed, whatever the home province.
    for printed in ("(2026)黔0303行初5号", "(2026)苏0102行初5号", "(2026)贵0303行初5号"):
        number = parse_case_number(printed, jurisdiction=HOME)
        assert number is not None and str(number)[6] == printed[6]


@pytest.mark.parametrize("text", NOT_CASE_NUMBERS)
def test_rejects_look_alikes(text: str) -> None:
    assert parse_case_number(text) is None
    assert find_case_numbers(text) == []


def test_fields_of_parsed_number() -> None:
    number = parse_case_number("（2026）鲁0481行赔初10号")
    assert number is not None
    assert (number.year, number.court_code, number.type_code, number.serial, number.legacy) == (
        2026, "鲁0481", "行赔初", 10, False)
    legacy = parse_case_number("（2014）滕行初字第12号")
    assert legacy is not None and legacy.legacy and legacy.court_code == "滕" and legacy.type_code == "行初"
    spc = parse_case_number("(2019)最高法行申5320号")
    assert spc is not None and spc.court_code == "最高法" and spc.case_type == "行申"
    enforcement_numbers = (
        "(2018)黔0303执1029号", "(2014)槐非诉执字第29号", "(2019)川0180行审82号", "（2005）东行执字第291号",
    )
    for enforcement in enforcement_numbers:
        number = parse_case_number(enforcement)
        assert number is not None and number.case_type == "行审", enforcement


def test_positions_and_several_numbers() -> None:
    text = "上诉人不服山东省枣庄市薛城区人民法院（2026）鲁0403行初12号行政判决，案号（2026）鲁04行终44号"
    found = find_case_numbers(text)
    assert [str(n) for n, _ in found] == ["（2026）鲁0403行初12号", "（2026）鲁04行终44号"]
    assert [pos for _, pos in found] == [text.index("（2026）鲁0403"), text.index("（2026）鲁04行终")]


def test_agency_number_next_to_case_number() -> None:
    text = "撤销《答复书》（滕农业依申复〔2026〕258号）。（2026）鲁0405行初35号"
    assert [str(n) for n, _ in find_case_numbers(text)] == ["（2026）鲁0405行初35号"]


def test_near_miss() -> None:
    assert near_miss("（2026）鲁0481行初37号", "(2026)鲁0481行初31号")
    assert near_miss("（2026）鲁0481行初36号", "(2026)鲁0481行初38号")
    assert not near_miss("（2026）鲁0481行初37号", "（2026）鲁0481行初37号")
    assert not near_miss("（2026）鲁0481行初37号", "（2026）鲁0481行初42号")
    assert not near_miss("（2026）鲁0481行初37号", "（2026）鲁0481行初373号")


def test_serial_slip() -> None:
    from extract.understanding.casenumber import serial_slip

    a = parse_case_number("（2026）鲁0403行初12号")
    b = parse_case_number("（2026）鲁0403行初1号")
    c = parse_case_number("（2026）鲁0403行初18号")
    d = parse_case_number("（2026）鲁0404行初12号")
    assert a and b and c and d
    assert serial_slip(a, b) and serial_slip(b, a)
    assert not serial_slip(a, d)  # another court
    assert not serial_slip(a, a)
    assert not serial_slip(a, parse_case_number("（2026）鲁0403行初45号") or a)
