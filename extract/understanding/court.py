"""Which court a document comes from: read, derived and checked against the case number.

A court's document names the court in its header (山东省滕州市人民法院 above 应诉通知书), a complaint in
its 此致 line; a judgment's body names mostly *other* courts (不服…人民法院…判决, 上诉于…). OCR misreads
the header (束庄市 for 枣庄市), complaints drop the province. The case number carries the court code
(最高法, 鲁 = the high court, 鲁04 = an intermediate, 鲁0481 = a basic court), which fixes the level
and, with the bureau's table of known courts (config `jurisdiction.courts`), the full name.

The resolver therefore:
- takes a name only from the header, a labelled line (审理法院：) or the 此致 line, never from a
  不服…/上诉于… clause;
- snaps a read name to the known court of the number's code when it is close (one or two misread
  characters, a missing province) and uses the known name when nothing was read;
- derives 最高人民法院 and a province's 高级人民法院 from the code alone (the numbering rules fix them);
- for an appeal or a retrial application that prints no header, derives the court one level above
  the court whose decision was appealed (不服海南省海口市中级人民法院… → 海南省高级人民法院) when that
  court is unique (a province has one high court; a city district's court appeals to the city's
  intermediate court, except in the four municipalities that have several);
- adds the province of the code to a name printed without it (official names carry it);
- gives no name but a doubt when the name read and the number disagree (another level, another
  province, another known court): a person decides, the case is never silently given a wrong court.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from extract.types import CaseNumber
from extract.understanding.vocab import PROVINCE_NAMES, SUPREME_COURT_CODE

__all__ = [
    "SUPREME_COURT",
    "CourtReading",
    "CourtSources",
    "Level",
    "code_level",
    "complete_name",
    "court_sources",
    "name_level",
    "province_full_name",
    "resolve_court",
    "same_court",
    "strip_province",
]

SUPREME_COURT = "最高人民法院"


class Level(IntEnum):
    basic = 1
    intermediate = 2
    high = 3
    supreme = 4


_MUNICIPALITIES = frozenset("京津沪渝")
_AUTONOMOUS = {
    "蒙": "内蒙古自治区",
    "桂": "广西壮族自治区",
    "藏": "西藏自治区",
    "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区",
}
# Courts named after their seat without a province (广州铁路运输中级法院, 厦门海事法院, 北京知识产权法院).
_SPECIAL = ("铁路运输", "海事法院", "知识产权法院", "金融法院", "互联网法院")
_COURT_END = r"(?:人民法院|铁路运输中级法院|铁路运输法院|海事法院|知识产权法院|金融法院|互联网法院|中级法院)"
_NAME = rf"(?:(?!法院)[\u4e00-\u9fff]){{2,30}}?{_COURT_END}"  # one court: no 法院 inside
# A document title that may follow the court's name on the header line.
_TITLE = r"(?:行政|执行|非诉讼行政执行)?(?:赔偿)?(?:判决书|裁定书|调解书|决定书|应诉通知书|举证通知书|通知书|传票)?"


def province_full_name(abbreviation: str) -> str | None:
    """山东省 for 鲁, 北京市 for 京, 广西壮族自治区 for 桂; None for 兵 and unknown characters."""
    if abbreviation in _AUTONOMOUS:
        return _AUTONOMOUS[abbreviation]
    for name, abbr in PROVINCE_NAMES.items():
        if abbr == abbreviation and abbr != "兵":
            return name + ("市" if abbr in _MUNICIPALITIES else "省")
    return None


_ABBREVIATION_OF = {n: a for a in set(PROVINCE_NAMES.values()) for n in [province_full_name(a)] if n}
_FULL_NAMES = tuple(sorted(_ABBREVIATION_OF, key=len, reverse=True))


def _province_prefix(name: str) -> str | None:
    return next((p for p in _FULL_NAMES if name.startswith(p)), None)


def strip_province(name: str) -> str:
    """The name without its leading province-level name (山东省滕州市人民法院 -> 滕州市人民法院)."""
    prefix = _province_prefix(name)
    return name[len(prefix) :] if prefix and len(name) > len(prefix) + 3 else name


def same_court(a: str, b: str) -> bool:
    """Whether two names denote the same court: equal once the province-level name is set aside.

    The province adds nothing the case number (its province code) does not say; the city does: 市中区
    人民法院 is not 枣庄市市中区人民法院 (济南 has a 市中区 too). Two different provinces are never one
    court, and a rest that names no place (高级人民法院, 第二中级人民法院) needs its province."""
    pa, pb = _province_prefix(a), _province_prefix(b)
    if pa and pb and pa != pb:
        return False
    rest = strip_province(a)
    if rest != strip_province(b):
        return False
    return pa == pb or not re.match(r"高级|第[一二三四五六七八九十]+中级", rest)


def name_level(name: str) -> Level:
    if name == SUPREME_COURT:
        return Level.supreme
    if name.endswith("高级人民法院"):
        return Level.high
    if "中级" in name or name.endswith(("海事法院", "知识产权法院", "金融法院")):
        return Level.intermediate
    return Level.basic


def code_level(number: CaseNumber | None) -> Level | None:
    """The level of the court that gave the number, where the numbering rules fix it."""
    if number is None:
        return None
    code = number.court_code
    if code == SUPREME_COURT_CODE:
        return Level.supreme
    if number.legacy:
        # Before 2016 the SPC printed no court abbreviation at all (（1999）行终字第19号); a local
        # abbreviation with 中 is an intermediate court (沪二中, 穗中法); the rest is not fixed.
        if code == "":
            return Level.supreme
        return Level.intermediate if "中" in code else None
    return {0: Level.high, 2: Level.intermediate, 4: Level.basic}.get(len(code) - 1)


def _code_province(number: CaseNumber | None) -> str | None:
    """The province abbreviation a number names: the modern code's first character; a pre-2016 code
    only when it is a single province character (a high court's: 湘行初字, 琼行终字)."""
    if number is None or number.court_code == SUPREME_COURT_CODE:
        return None
    code = number.court_code
    if number.legacy:
        return code if len(code) == 1 and province_full_name(code) else None
    return code[:1] if province_full_name(code[:1]) else None


def complete_name(name: str, province: str | None) -> str:
    """`name` with the province's full name in front when it lacks one (official court names carry it)."""
    if province is None or name == SUPREME_COURT or _province_prefix(name) or any(s in name for s in _SPECIAL):
        return name
    full = province_full_name(province)
    return full + name if full else name


def _high_court(province: str | None) -> str | None:
    full = province_full_name(province) if province else None
    return full + "高级人民法院" if full else None


_CITY_DISTRICT = re.compile(
    r"(.{1,8}?市|.{1,10}?自治州|.{1,8}?地区|.{1,8}?盟)[\u4e00-\u9fff]{1,16}?(?:区|县|旗)人民法院"
)


def _superior(lower: str, province: str | None) -> str | None:
    """The court an appeal from `lower` goes to, when it is unique; None otherwise."""
    level = name_level(lower)
    if level is Level.supreme:
        return None
    if level is Level.high:
        return SUPREME_COURT
    prefix = _province_prefix(lower)
    if level is Level.intermediate:
        # A province has one high court; without a province in the name, the number's (琼行终字).
        return _high_court(_ABBREVIATION_OF[prefix] if prefix else province)
    m = re.fullmatch(r"(.{2,12}?)铁路运输法院", lower)
    if m:
        return m[1] + "铁路运输中级法院"
    rest = lower[len(prefix) :] if prefix else lower
    if prefix and prefix[:2] in ("北京", "天津", "上海", "重庆"):
        return None  # several intermediate courts: which one is not in the name
    m = _CITY_DISTRICT.fullmatch(rest)
    if m is None:
        return None  # a county-level city (文昌市人民法院) or a bare district: the city is not named
    return (prefix or "") + m[1] + "中级人民法院"


@dataclass(frozen=True)
class CourtSources:
    """What a document's text says about its court."""

    printed: str | None = None  # header line, 审理法院：…, 此致 …
    lower: str | None = None  # the court whose decision is appealed (不服…), for an appeal
    appeal_to: str | None = None  # the court an appeal would go to (上诉于…)


def _clean(name: str) -> str:
    return re.sub(r"^(?:中华人民共和国|原审|原|一审|二审)", "", name)


def court_sources(lines: list[str]) -> CourtSources:
    printed = None
    for ln in lines[:6]:
        m = re.fullmatch(rf"({_NAME}){_TITLE}", ln)
        if m and not re.search(r"不服|上诉|向|于|经", m[1]):
            printed = m[1]
            break
    if printed is None:
        for i, ln in enumerate(lines):
            m = re.match(rf"^(?:审理法院|受理法院|法院名称)[:：]?({_NAME})", ln)
            if m is None and ln == "此致" and i + 1 < len(lines):
                m = re.match(rf"^({_NAME})", lines[i + 1])
            if m is None:
                m = re.match(rf"^此致[:：]?({_NAME})$", ln)
            if m:
                printed = m[1]
                break
    flat = "".join(lines)
    lower = None
    m = re.search(rf"不服(?:原审|一审)?({_NAME})|通过({_NAME})向本院提起上诉|经({_NAME})判决后[，,]?上诉人", flat)
    if m:
        lower = _clean(next(g for g in m.groups() if g))
    m = re.search(rf"上诉于({_NAME})", flat)
    appeal_to = _clean(m[1]) if m else None
    return CourtSources(printed and _clean(printed), lower, appeal_to)


@dataclass(frozen=True)
class CourtReading:
    name: str | None
    doubt: str | None = None


def _close(read: str, known: str) -> bool:
    """One or two misread characters, or a lost one, once the province is set aside."""
    a, b = strip_province(read), strip_province(known)
    if a == b:
        return True
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= max(1, len(b) // 5)
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _misreads(read: str, known: str) -> float:
    """How many characters of `read` differ from `known` (province set aside)."""
    a, b = strip_province(read), strip_province(known)
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True))
    return (1 - difflib.SequenceMatcher(None, a, b).ratio()) * len(b)


def _appealed_type(number: CaseNumber | None) -> bool:
    """An appeal or a retrial application: decided by the court above the one appealed from."""
    return number is not None and re.search(r"终|申", number.type_code) is not None


def resolve_court(
    sources: CourtSources, number: CaseNumber | None, known: Mapping[str, str] | None = None
) -> CourtReading:
    """The document's court from what it prints, its own case number and the known courts (code -> name)."""
    known = known or {}
    read = sources.printed
    level = code_level(number)
    province = _code_province(number)
    table = known.get(number.court_code) if number is not None and not number.legacy else None
    if table is not None:
        if read is None or _close(read, table):
            return CourtReading(table)
        return CourtReading(None, f"法院名称“{read}”与案号法院代码（{table}）不符")
    if read is None and number is not None and not number.legacy and level in (Level.supreme, Level.high):
        return CourtReading(SUPREME_COURT if level is Level.supreme else _high_court(province))
    if read is None and level is Level.supreme:
        return CourtReading(SUPREME_COURT)
    if read is None:
        # No header: an appeal's court is one level above the court it was appealed from; a court
        # whose appeals go to the SPC is a high court.
        derived = _superior(sources.lower, province) if sources.lower and _appealed_type(number) else None
        if derived is None and sources.appeal_to == SUPREME_COURT:
            derived = _high_court(province)
        if derived is None:
            return CourtReading(None)
        read = derived
    elif number is None or number.legacy:
        # Nothing to check the name against but the known courts: snap a near reading to one.
        near = sorted((_misreads(read, n), n) for n in set(known.values()) if _close(read, n))
        if near and not _other_province(read, near[0][1]):
            if len(near) == 1 or near[0][0] < near[1][0]:
                return CourtReading(near[0][1])
            return CourtReading(None, f"法院名称“{read}”与多个已知法院相近：{near[0][1]}、{near[1][1]}")
    name = complete_name(read, province)
    if level is not None and name_level(name) is not level:
        return CourtReading(None, f"法院名称“{name}”与案号{number}的法院层级不符")
    if province is not None and _other_province(name, _high_court(province) or ""):
        return CourtReading(None, f"法院名称“{name}”与案号{number}的省份不符")
    return CourtReading(name)


def _other_province(a: str, b: str) -> bool:
    pa, pb = _province_prefix(a), _province_prefix(b)
    return pa is not None and pb is not None and pa != pb
