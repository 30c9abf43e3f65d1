"""Case numbers (案号): find, parse, validate and normalize them in printed or OCR'd text.

Tolerates what tesseract does to `（2026）鲁0481行初37号`: brackets read as ( 〈 《 人 [ 【 C J 0,
stray characters after the bracket, spaces between characters, O/0 and l/1 swaps, look-alikes in the
type code (申/中 再/冉 审/宙 赔/陪) and a line break inside the number. Everything recovered is
checked against the closed vocabularies in `vocab`, so agency document numbers (滕政办发〔2020〕5号),
phone numbers and dates never come out as case numbers.

One grammar for what courts print: the current form (year, court code: province + 0/2/4 digits or
最高法, type code of administrative or enforcement cases, serial, optional 之一), and the pre-2016
form (…字第N号, local court abbreviations such as 沪二中 or none at all for the SPC, type codes such as
行（知）终, 行重初, 非诉行执审). The result is a normalised key (`CaseNumber.__str__`); a hit keeps
the characters as printed. A province character that was read is never changed; only an unreadable
one in front of a full court code is taken as the configured home province, and only when one is
configured.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from extract.types import CaseNumber
from extract.understanding.vocab import (
    ADMIN_TYPE_CODES,
    ADMIN_TYPE_SET,
    DIGIT_CONFUSIONS,
    EXECUTION_TYPE_CODES,
    LEGACY_TYPE_CHARS,
    PROVINCE_CONFUSIONS,
    PROVINCE_NAMES,
    PROVINCES,
    SUPREME_COURT_CODE,
    TYPE_CHAR_CONFUSIONS,
)

__all__ = [
    "CaseNumberHit",
    "Jurisdiction",
    "PartialNumber",
    "case_key",
    "compact",
    "compatible",
    "find_case_number_hits",
    "find_case_numbers",
    "find_partial_numbers",
    "near_miss",
    "parse_case_number",
    "province_of_court",
    "repair_year",
    "repaired_year",
    "serial_slip",
]

_DIGIT = "0-9OoDQIl|i!〇○"
_OPEN = r"(?:[(\[【〈《<{〔（CcJj人I1l|0［「『]|\(\()"
_CLOSE = r"(?:[)\]】〉》>}〕）CcJj0I1l|］」』]|\)\))"
_PROVINCE_CLASS = "".join(sorted(PROVINCES | set(PROVINCE_CONFUSIONS)))
_HANG = "行仃彳衍"
_SUFFIX = "之[一二三四五六七八九十]{1,2}"
# Table rules and specks that OCR puts inside a number (鲁0481]行初36号).
_SPECK = r"[\]\[)(】【\-_.,:;'\"「」~`]?"


def _type_pattern() -> str:
    reverse: dict[str, set[str]] = {}
    for wrong, right in TYPE_CHAR_CONFUSIONS.items():
        reverse.setdefault(right, set()).add(wrong)
    alternatives = []
    for code in ADMIN_TYPE_CODES:
        parts = [f"[{_HANG}]"]
        for ch in code[1:]:
            parts.append("[" + "".join(sorted({ch} | reverse.get(ch, set()))) + "]")
        alternatives.append("".join(parts))
    alternatives.extend(EXECUTION_TYPE_CODES)
    return "(?:" + "|".join(alternatives) + ")"


_TYPE = _type_pattern()

# Post-2016 form: (year) court-code type serial 号.
_MODERN = re.compile(
    rf"(?P<open>{_OPEN})?(?P<year>[{_DIGIT}]{{4}})(?P<close>{_CLOSE})?"
    rf"(?P<junk>[^0-9{_PROVINCE_CLASS}]{{0,2}}?)"
    rf"(?P<court>{SUPREME_COURT_CODE}|[{_PROVINCE_CLASS}]|[\u4e00-\u9fff](?=[{_DIGIT}]{{2}}))"
    rf"(?P<cdigits>[{_DIGIT}]{{0,4}}?){_SPECK}"
    rf"(?P<type>{_TYPE}){_SPECK}第?(?P<serial>[{_DIGIT}]{{1,6}})(?:(?P<hao>[号弓兮亏])(?P<suffix>{_SUFFIX})?)?"
)
# Pre-2016 form: (year) court-abbreviation type 字第 serial 号; the body before 字 is split into the
# court abbreviation (may be empty: the SPC printed （1999）行终字第19号) and the type code.
_LEGACY = re.compile(
    rf"(?P<open>{_OPEN})(?P<year>[{_DIGIT}]{{4}})(?P<close>{_CLOSE})"
    rf"(?P<body>[\u4e00-\u9fff()]{{1,12}}?)字{_SPECK}第?(?P<serial>[{_DIGIT}]{{1,6}})(?P<sub>-[0-9]{{1,2}})?"
    rf"(?:(?P<hao>[号弓兮亏])(?P<suffix>{_SUFFIX})?)?"
)
_LEGACY_TYPE = re.compile(rf"(?:非诉)?(?:行(?:\([\u4e00-\u9fff]{{1,3}}\))?)?[{LEGACY_TYPE_CHARS}]{{1,4}}")
_LEGACY_TYPE_START = re.compile(rf"非诉|[{_HANG}](?=[({LEGACY_TYPE_CHARS}{''.join(TYPE_CHAR_CONFUSIONS)}])|执")
_HEX_BRACKET_PREFIX = re.compile(r"[\u4e00-\u9fff]{1,8}[发字函令]?$")


@dataclass(frozen=True)
class Jurisdiction:
    """Where the bureau is (from config): what an unreadable province character may stand for."""

    province: str  # 鲁
    courts: frozenset[str] = frozenset()  # its courts' codes (鲁04, 鲁0481); empty: any code of the province
    court_names: tuple[tuple[str, str], ...] = ()  # (code, official name) of the courts the bureau knows


@dataclass(frozen=True)
class CaseNumberHit:
    number: CaseNumber
    start: int  # offset in the original text
    end: int
    raw: str  # the original characters, for evidence


def _fold_char(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


def compact(text: str) -> tuple[str, list[int]]:
    """NFKC-fold and drop whitespace; return the folded text and each character's original offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "\u200b\ufeff":
            continue
        chars.append(_fold_char(ch))
        offsets.append(i)
    return "".join(chars), offsets


def _digits(s: str) -> str | None:
    out = "".join(DIGIT_CONFUSIONS.get(c, c) for c in s)
    return out if out.isdigit() else None


def _type_code(raw: str) -> str | None:
    if raw in EXECUTION_TYPE_CODES:
        return raw
    code = "行" + "".join(TYPE_CHAR_CONFUSIONS.get(c, c) for c in raw[1:])
    return code if code in ADMIN_TYPE_SET else None


def _type_guesses(raw: str) -> int:
    if raw in EXECUTION_TYPE_CODES:
        return 0
    return sum(1 for c in raw[1:] if c in TYPE_CHAR_CONFUSIONS) + (raw[0] != "行")


def _valid_court_digits(d: str) -> bool:
    if len(d) == 0:
        return True
    if len(d) == 2:
        return d != "00"
    if len(d) == 4:
        return d[:2] != "00" and d[2:] != "00"
    return False


def _modern(m: re.Match[str], jurisdiction: Jurisdiction | None) -> CaseNumber | None:
    year_s = _digits(m["year"])
    cdig = _digits(m["cdigits"]) if m["cdigits"] else ""
    serial_s = _digits(m["serial"])
    type_code = _type_code(m["type"])
    if year_s is None or cdig is None or serial_s is None or type_code is None:
        return None
    year = int(year_s)
    # The modern form began in 2016 (a few courts in late 2015); anything earlier is a misread.
    if not 2015 <= year <= 2099 or not _valid_court_digits(cdig):
        return None
    if not m["open"] and not m["close"] and (not m["hao"] or m["junk"]):
        # People drop the brackets when typing (email subjects: 2026鲁0481行初37号); without brackets the
        # number must be complete and contiguous.
        return None
    serial = int(serial_s)
    if serial == 0 or len(serial_s.lstrip("0")) > 5:
        return None
    suffix = m["suffix"] or ""
    if m["court"] == SUPREME_COURT_CODE:
        if cdig:
            return None
        return CaseNumber(year, SUPREME_COURT_CODE, type_code, serial, suffix=suffix)
    province = PROVINCE_CONFUSIONS.get(m["court"], m["court"])
    guesses = _type_guesses(m["type"]) + (province != m["court"])
    if province not in PROVINCES:
        # An unknown character only passes in front of a full court code (2 or 4 digits), and only
        # becomes the home province when one is configured; it never becomes another province.
        if jurisdiction is None or not jurisdiction.province or len(cdig) not in (2, 4) or m["court"] == "行":
            return None
        province = jurisdiction.province
        if jurisdiction.courts and province + cdig not in jurisdiction.courts:
            return None  # not one of our courts: maybe another province's number, left unread
        guesses += 1
    # One character-level guess is a correction; two make a different number too likely (a lost
    # serial digit then goes unnoticed). Such readings are left to confirmation against known numbers.
    if guesses > 1:
        return None
    return CaseNumber(year=year, court_code=province + cdig, type_code=type_code, serial=serial, suffix=suffix)


def _legacy_type(raw: str) -> tuple[str, int] | None:
    """The normalised pre-2016 type code and how many look-alike characters it took, or None."""
    guesses = 0
    out = []
    depth = 0
    for i, ch in enumerate(raw):
        if ch == "(":
            depth += 1
            out.append("（")
        elif ch == ")":
            depth -= 1
            out.append("）")
        elif ch in _HANG and (i == 0 or raw[i - 1] == "诉"):
            guesses += ch != "行"
            out.append("行")
        elif depth == 0 and i > 0 and ch in TYPE_CHAR_CONFUSIONS:
            guesses += 1
            out.append(TYPE_CHAR_CONFUSIONS[ch])
        else:
            out.append(ch)
    code = "".join(out)
    if not _LEGACY_TYPE.fullmatch(code.replace("（", "(").replace("）", ")")):
        return None
    return code, guesses


def _legacy(m: re.Match[str]) -> CaseNumber | None:
    year_s = _digits(m["year"])
    serial_s = _digits(m["serial"])
    if year_s is None or serial_s is None:
        return None
    year = int(year_s)
    # The old form ran until 2015 (a few courts into 2016); earlier than the 1990 Administrative
    # Litigation Law's first years is a misread.
    if not 1985 <= year <= 2016 or int(serial_s) == 0 or len(serial_s.lstrip("0")) > 5:
        return None
    body = m["body"]
    start = _LEGACY_TYPE_START.search(body)
    if start is None:
        return None
    court, raw_type = body[: start.start()], body[start.start() :]
    if len(court) > 5 or "(" in court or ")" in court:
        return None
    typed = _legacy_type(raw_type)
    if typed is None or typed[1] > 1:
        return None
    suffix = (m["sub"] or "") + (m["suffix"] or "")
    return CaseNumber(year, court, typed[0], int(serial_s), legacy=True, suffix=suffix)


def province_of_court(court: str) -> str | None:
    """The case-number province abbreviation of a court named with its province (海南省… -> 琼)."""
    for name, abbreviation in PROVINCE_NAMES.items():
        if court.startswith(name):
            return abbreviation
    return None


def case_key(printed: str | None) -> str | None:
    """The normalised key of a number as printed or typed, or None when it is not a case number."""
    number = parse_case_number(printed or "")
    return str(number) if number is not None else None


def find_case_number_hits(text: str, jurisdiction: Jurisdiction | None = None) -> list[CaseNumberHit]:
    """Every valid case number in `text`, in order, with original offsets and raw characters."""
    folded, offsets = compact(text)
    hits: list[tuple[int, int, CaseNumber]] = []
    taken: list[tuple[int, int]] = []
    for m in _LEGACY.finditer(folded):
        legacy = _legacy(m)
        if legacy is not None:
            hits.append((m.start(), m.end(), legacy))
            taken.append((m.start(), m.end()))
    pos = 0
    while True:
        found = _MODERN.search(folded, pos)
        if found is None:
            break
        m = found
        number = _modern(m, jurisdiction)
        glued = m["open"] is None and m.start() > 0 and folded[m.start() - 1].isdigit()
        if number is not None and not glued and not any(a <= m.start() < b for a, b in taken):
            start = m.start("year") if m["open"] is None else m.start()
            hits.append((start, m.end(), number))
            pos = m.end()
        else:
            pos = m.start() + 1
    hits.sort(key=lambda h: h[0])
    out = []
    for s, e, number in hits:
        o_start = offsets[s]
        o_end = offsets[e - 1] + 1
        out.append(CaseNumberHit(number=number, start=o_start, end=o_end, raw=text[o_start:o_end]))
    return out


def find_case_numbers(text: str, jurisdiction: Jurisdiction | None = None) -> list[tuple[CaseNumber, int]]:
    """Every valid case number in `text` with its offset, in order of appearance."""
    return [(h.number, h.start) for h in find_case_number_hits(text, jurisdiction)]


def parse_case_number(s: str, jurisdiction: Jurisdiction | None = None) -> CaseNumber | None:
    """The first case number in `s`, or None when there is none that validates."""
    hits = find_case_number_hits(s, jurisdiction)
    return hits[0].number if hits else None


# Characters tesseract swaps for each other; a near miss differs in exactly one such pair.
_CONFUSABLE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset("0689"),
    frozenset("0O"),
    frozenset("1l7I"),
    frozenset("38"),
    frozenset("56"),
    frozenset("17"),
    frozenset("14"),
    frozenset("27"),
    frozenset("申中"),
    frozenset("再冉"),
    frozenset("审宙"),
    frozenset("赔陪"),
    frozenset("初终"),
)


@lru_cache(maxsize=65536)
def _canonical(s: str) -> str:
    number = parse_case_number(s)
    return str(number) if number is not None else compact(s)[0]


def repaired_year(year: int, ref_year: int) -> int:
    """Undo a misread year digit (2026 read as 2020) that the document's other dates contradict.

    `ref_year` is the latest year among the document's dates. Case numbers and hearings rarely lie
    more than two years before it, so a much older year that is one OCR-confusable digit away from
    the reference year (or the year before) is taken as misread.
    """
    if year >= ref_year - 2:
        return year
    text = str(year)
    for target in (ref_year, ref_year - 1):
        if _one_confusable_apart(text, str(target)):
            return target
    return year


def repair_year(number: CaseNumber, doc_year: int) -> CaseNumber:
    """`number` with its year repaired against the document's year (see `repaired_year`)."""
    year = repaired_year(number.year, doc_year)
    if year == number.year:
        return number
    return replace(number, year=year)


@dataclass(frozen=True)
class PartialNumber:
    """What survives of a badly read case number: enough to confirm a known one, not to make one."""

    year: int
    court_digits: str | None
    serial: int
    start: int


_PARTIAL = re.compile(
    rf"(?P<open>{_OPEN})?(?P<year>[{_DIGIT}]{{4}})(?P<close>{_CLOSE})?.{{0,3}}?(?P<cdigits>[{_DIGIT}]{{2,5}})?"
    rf"[{_HANG}].{{1,2}}?(?P<serial>[{_DIGIT}]{{1,5}})"
)


def find_partial_numbers(text: str) -> list[PartialNumber]:
    """Loose (year)…digits 行? serial shapes, for confirming a number known from elsewhere."""
    folded, offsets = compact(text)
    out: list[PartialNumber] = []
    for m in _PARTIAL.finditer(folded):
        year = _digits(m["year"])
        serial = _digits(m["serial"])
        cdig = _digits(m["cdigits"]) if m["cdigits"] else None
        if year is None or serial is None or not 2015 <= int(year) <= 2099 or not (m["open"] or m["close"]):
            continue
        out.append(PartialNumber(int(year), cdig, int(serial), offsets[m.start()]))
    return out


def compatible(partial: PartialNumber, number: CaseNumber) -> bool:
    """True when a partial reading agrees with a full number on year, serial and court digits."""
    if partial.serial != number.serial or not _one_confusable_apart(str(partial.year), str(number.year)):
        return False
    digits = number.court_code[1:] if number.court_code[:1] in PROVINCES and not number.legacy else ""
    got = partial.court_digits
    if got is None or got == digits:
        return True
    # One stray or lost digit in the court code (鲁04105 for 鲁0405, 咕041 for 鲁04).
    longer, shorter = (got, digits) if len(got) > len(digits) else (digits, got)
    return len(longer) == len(shorter) + 1 and any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _one_confusable_apart(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) != len(b):
        return False
    diffs = [(p, q) for p, q in zip(a, b, strict=True) if p != q]
    return len(diffs) == 1 and any(diffs[0][0] in g and diffs[0][1] in g for g in _CONFUSABLE_GROUPS)


def serial_slip(a: CaseNumber, b: CaseNumber) -> bool:
    """Same year, court and type; serials one lost, added or confusable digit apart (行初1号 / 行初12号)."""
    same = replace(a, serial=0) == replace(b, serial=0)
    if not same or a == b:
        return False
    x, y = str(a.serial), str(b.serial)
    if len(x) == len(y):
        return _one_confusable_apart(x, y)
    longer, shorter = (x, y) if len(x) > len(y) else (y, x)
    return len(longer) == len(shorter) + 1 and any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def near_miss(a: str, b: str) -> bool:
    """True when `a` and `b` differ in exactly one position by an OCR-confusable pair."""
    x, y = _canonical(a), _canonical(b)
    if len(x) != len(y) or x == y:
        return False
    diffs = [(p, q) for p, q in zip(x, y, strict=True) if p != q]
    if len(diffs) != 1:
        return False
    p, q = diffs[0]
    return any(p in g and q in g for g in _CONFUSABLE_GROUPS)
