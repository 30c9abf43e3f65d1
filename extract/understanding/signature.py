"""The decision date of a judgment or ruling, read from its signature block.

Courts date a decision under the judges' names (审判长 …, 审判员 …, the date, 书记员 …), in Chinese
numerals as a rule (二〇二六年四月二十七日, 二O二六年, 二00七年); the body before it is full of
earlier dates (filing, hearing, the contested act) and the disposition of later ones (deadlines), so
no other date stands in for it. A date that had to be repaired to be read is kept with a doubt; one
that cannot be right (before a date the body narrates, before the case number's year) is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.understanding.dates import find_dates

__all__ = ["DecisionDate", "agreed_date", "decision_date", "known_year", "narrated_decision_date",
           "narrates_decision", "signature_lines"]

_SIGNER = re.compile(
    r"^(?:审判长|审判员|代理审判员|助理审判员|人民陪审员|陪审员|书记员|代书记员|法官助理|执行员|速录员|审判委员)"
)
_SIGN_OFF = re.compile(r"^落款")  # a heading some publishers print above the block
_MARKER = re.compile(r"(?:判决|裁定|决定)如下|作出如下(?:判决|裁定)")

_ZERO = "〇○零Oo0ОCcQD口"  # with what OCR makes of a circle
_DIGIT = _ZERO + "一二三四五六七八九"
_MONTH = "(?:十[一二]?|[一二三四五六七八九]|元)"
_DAY = "(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
# As printed: nothing else on the line.
_CLEAN = re.compile(rf"^[一二][{_DIGIT}]{{3}}年{_MONTH}月{_DAY}日$|^(?:19|20)[0-9]{{2}}年[0-9]{{1,2}}月[0-9]{{1,2}}日$")
# As OCR may leave it: a lost or misread 日 (曰 目 口), one stray character around the numbers, the
# usual confusions of the numerals (二 as =, 十 as 上 or +, 八 as 人 or 入). The year's tens digit may be
# unreadable (`t`): under a seal it is the character most often lost, and the case number's year
# then decides it (see _loose_date).
_TEN = "十上+"
_EIGHT = "人入"
_LOOSE = re.compile(
    rf"(?P<c>[一二=12]|[^\s年月日](?=[{_ZERO}]))(?P<z>[^年月日\n]{{0,3}}?)(?P<y>[{_DIGIT}0-9]{{2}}|(?P<t>[^年月日\n{_DIGIT}0-9])[{_DIGIT}0-9])[年午]"
    rf"(?P<m>[{_TEN}][一二]?|[一二三四五六七八九元{_EIGHT}]|1[0-2]|0?[1-9])[月只有]"
    rf"(?P<d>[一二三]?[{_TEN}][一二三四五六七八九{_EIGHT}]?|[一二三四五六七八九{_EIGHT}]|[12][0-9]|3[01]|0?[1-9])(?:[^\n]|$)"
)
_CN = {ch: 0 for ch in _ZERO} | {ch: i for i, ch in enumerate("一二三四五六七八九", start=1)}


@dataclass(frozen=True)
class DecisionDate:
    value: date | None
    doubt: str | None = None  # why a person should check it (also when the value is withheld)
    line: str | None = None  # the signature line it was read from
    # A numeral was read as another character (上 for 十, 人 for 八, = for 二): unlike a lost 〇 or 日,
    # such a repair can be systematically wrong (十二 under a seal reads 上一 on every look).
    guessed: bool = False


def signature_lines(lines: list[str]) -> list[int]:
    """Indexes of the signers' lines (审判长 …, 书记员 …) in the last part of the document."""
    start = max(0, len(lines) - 40)
    return [i for i in range(start, len(lines)) if _SIGNER.match(_SIGN_OFF.sub("", lines[i]))]


def _number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = 1 if not head else _CN.get(head)
        ones = 0 if not tail else _CN.get(tail)
        return None if tens is None or ones is None else tens * 10 + ones
    if s == "元":
        return 1
    value = 0
    for ch in s:
        d = _CN.get(ch, int(ch) if ch.isdigit() else None)
        if d is None:
            return None
        value = value * 10 + d
    return value


def _numeral(s: str) -> str:
    return re.sub(f"[{_EIGHT}]", "八", re.sub(f"[{_TEN}]", "十", s))


def _century(m: re.Match[str]) -> int | None:
    # Years 2000-2099 print 〇 second, 1900-1999 print 九: whatever OCR made of the first two
    # characters, one of them says the century (一〇 is a 二 that lost a stroke).
    if m["c"] not in "一1":
        return 2000
    if m["z"] in ("九", "9"):
        return 1900
    return 2000 if m["z"][:1] and m["z"][0] in _ZERO else None


def _loose_date(line: str, own_year: int | None = None) -> date | None:
    m = _LOOSE.search(line)
    if m is None:
        return None
    century = _century(m)
    if century is None:
        return None
    month, day = _number(_numeral(m["m"])), _number(_numeral(m["d"]))
    yy = None if m["t"] is not None else _number(m["y"])
    # A year of three characters (二〇六) lost a digit; if what was read cannot be the year, the tens
    # digit is the one lost.
    lost_tens = (yy is not None and own_year is not None and not own_year <= century + yy <= own_year + 5
                 and not m["z"] and m["y"][0] in _ZERO)
    if yy is not None and not lost_tens:
        years = [century + yy]
        if own_year is not None and not own_year <= years[0] <= own_year + 5:
            years = _year_less_one(m, own_year) or years
    else:
        # Tens digit unreadable: the one year ending in the units digit that the case number's year
        # allows (the same bounds decision_date applies: from that year to five years on).
        units = _number(m["y"][1:])
        years = [y for y in range(own_year, own_year + 6) if y % 10 == units and y - y % 100 == century] if (
            own_year and units is not None) else []
    if len(years) != 1 or month is None or day is None:
        return None
    year = years[0]
    if not 1949 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_YEAR_DIGIT = {ch: 0 for ch in _ZERO} | {ch: i for i, ch in enumerate("一二三四五六七八九", start=1)} | {
    "=": 2, **{str(i): i for i in range(10)}}


def _year_less_one(m: re.Match[str], own_year: int) -> list[int]:
    """The year of a five-character year slot that has one character too many (二〇二〇〇, 二O=O〇: a
    seal's stroke or OCR doubling a circle), when dropping one character leaves exactly one year
    the case number's year allows. Empty when none or several do."""
    slot = m["c"] + m["z"] + m["y"]
    if len(slot) != 5:
        return []
    found = set()
    for i in range(5):
        rest = slot[:i] + slot[i + 1 :]
        digits = [_YEAR_DIGIT.get(ch) for ch in rest]
        if None in digits or digits[0] not in (1, 2) or digits[1] != (9 if digits[0] == 1 else 0):
            continue
        year = int("".join(str(d) for d in digits))
        if own_year <= year <= own_year + 5:
            found.add(year)
    return list(found) if len(found) == 1 else []


_DIGIT_SWAP = re.compile(f"[上+{_EIGHT}=]")


def _dates_in(text: str, own_year: int | None = None) -> list[tuple[date, bool, str, bool]]:
    """Dates in a stretch of the signature block: (date, printed cleanly, the text read, a numeral
    read as another character).

    A judge's name may end in 一 or 二 right before the date when lines run together, so every
    start position is tried and a match is clean when it is, less such a leading character."""
    out: list[tuple[date, bool, str, bool]] = []
    pos = 0
    while (m := _LOOSE.search(text, pos)) is not None:
        value = _loose_date(m.group(0), own_year)
        if value is None:
            pos = m.start() + 1
            continue
        read = m.group(0)
        clean = next((read[i:] for i in range(3) if _CLEAN.match(read[i:])), None)
        # The first two characters of 二〇xx are what seals and OCR damage most, and they carry only the
        # century (see _century): a date clean but for them is read as printed.
        zero_fixed = "二〇" + read[m.end("y") - m.start() - 2 :]
        # Not when the year is three characters starting with a zero (二〇六): which digit was lost
        # is then unknown.
        # Nor when the slot holds more than one character (二OO〇二六): damage that heavy has taken a
        # stroke from the day as well (三 read 二) often enough that one read must not settle it.
        ambiguous = (not m["z"] and m["y"][0] in _ZERO) or len(m["z"]) > 1
        if clean is None and _century(m) == 2000 and not ambiguous and _CLEAN.match(zero_fixed):
            clean = read
        swapped = bool(_DIGIT_SWAP.search(m["m"] + m["d"]))
        out.append((value, clean is not None and not swapped, clean or read, swapped))
        pos = m.end()
    return out


# Month and day as printed, with no numeral repaired: what `_month_day_dates` reads when the year is not.
_MD_MONTH = "十[一二]?|[一二三四五六七八九]"
_MD_DAY = "[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_NUMERALS = "〇一二三四五六七八九十"
_MONTH_DAY = re.compile(
    rf"(?P<y>[^\n年月日]{{2,6}})年(?P<m>{_MD_MONTH})(?P<sep>月|[^\s年月日0-9{_NUMERALS}])(?P<d>{_MD_DAY})[日曰目]"
)
# What a character read in 月's place could be a numeral for (上 for 十, 人 for 八, = for 二).
_CONFUSED = {**{ch: "十" for ch in _TEN}, **{ch: "八" for ch in _EIGHT}, "=": "二"}


def known_year(own_year: int | None, received_on: date | None) -> int | None:
    """The decision's year when nothing read is needed for it: a court decides a case no earlier than
    the year its number was given and no later than the day the mail carrying the decision arrived, so
    when both are the same year, that is the year."""
    if own_year is None or received_on is None or received_on.year != own_year:
        return None
    return own_year


def _month_day(month: str, day: str, year: int) -> date | None:
    m, d = _number(month), _number(day)
    if m is None or d is None:
        return None
    try:
        return date(year, m, d)
    except ValueError:
        return None


def _month_day_dates(text: str, year: int) -> list[tuple[date, bool, str, bool]]:
    """Dates whose month and day are printed clean after 年, in a year known otherwise (`known_year`):
    the year's digits, the characters a seal damages most, are not read at all. One character in 月's
    place may be unreadable, unless taking it for the numeral it resembles would also give a date, or
    the month read is 十 (十一月, 十二月 with the units digit and 月 run together). Never clean: such a
    read only settles a date together with another."""
    out: list[tuple[date, bool, str, bool]] = []
    for m in _MONTH_DAY.finditer(text):
        # Some trace of a year before 年 (a digit, a circle), not a word that happens to end in 年.
        if not any(ch in _DIGIT or ch.isdigit() for ch in m["y"]):
            continue
        value = _month_day(m["m"], m["d"], year)
        if value is None:
            continue
        sep = m["sep"]
        if sep != "月" and m["m"] == "十":
            continue  # the unreadable character may be the 一 or 二 of 十一, 十二 with 月 lost
        if sep != "月" and sep in _CONFUSED:
            joined = m["m"] + _CONFUSED[sep] + m["d"]
            if any(_month_day(joined[:i], joined[i:], year) is not None
                   and re.fullmatch(_MD_MONTH, joined[:i]) and re.fullmatch(_MD_DAY, joined[i:])
                   for i in range(1, len(joined))):
                continue
        out.append((value, False, m.group(0), False))
    return out


# A year slot before 年 in a line that goes on to a month (年 … 月).
_YEAR_SLOT = re.compile(r"(?P<y>[^\s年月日]{1,12})年(?=[^\s年]{1,3}月)")
# A month and a day as printed, each judged on its own (a read may show one clean, the other not).
_CLEAN_MONTH = re.compile(rf"年({_MD_MONTH})月")
_CLEAN_DAY = re.compile(rf"月({_MD_DAY})[日曰目]")
_SLOT_NUMERAL = {ch: "〇" for ch in _ZERO} | {ch: ch for ch in "一二三四五六七八九"} | {
    "=": "二", **{str(i): "〇一二三四五六七八九"[i] for i in range(10)}}


def _year_numerals(year: int) -> str:
    return "".join("〇一二三四五六七八九"[int(ch)] for ch in str(year))


def _written(n: int) -> str:
    """1-31 as a date prints it (九, 十八, 二十七)."""
    units = "一二三四五六七八九"[n % 10 - 1] if n % 10 else ""
    return units if n < 10 else ("" if n < 20 else "〇一二三"[n // 10]) + "十" + units


def _slot(line: str) -> str | None:
    """The year as read in a date line, from its first numeral on (a judge's name can run into it);
    None when the line shows no year."""
    m = _YEAR_SLOT.search(line)
    if m is None:
        return None
    y = m["y"]
    start = next((i for i, ch in enumerate(y) if ch in _SLOT_NUMERAL), None)
    return None if start is None else y[start:]


def _subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _fits(slot: str, year: int) -> tuple[bool, bool]:
    """Whether a damaged read of a year can be `year`, and whether it shows all of it. It can when the
    numerals read are the year's in their order with some lost and none more (under a seal a stroke
    goes missing), or all of them with one circle more (a seal's ring read as 〇, O, C) and at most
    two characters more in all. Any other numeral, or one lost while another came, and the read is of
    another year."""
    numerals = [_SLOT_NUMERAL[ch] for ch in slot if ch in _SLOT_NUMERAL]
    want = list(_year_numerals(year))
    if len(numerals) < len(want):
        return _subsequence(numerals, want), False
    if len(numerals) > len(want) + 1 or len(slot) > len(want) + 2 or not _subsequence(want, numerals):
        return False, False
    extra = list(numerals)
    for ch in want:
        extra.remove(ch)
    whole = extra in ([], ["〇"])
    return whole, whole


def agreed_date(texts: list[str], own_year: int | None, received_on: date | None) -> tuple[date, str] | None:
    """The decision date several damaged reads of its line agree on when none reads it whole: the month
    and the day each printed clean in at least two reads and read otherwise in none, and the one year that every
    read of the year can be and at least two reads that differ show whole (`_fits`), among the years
    the decision can have (from the case number's year to the day its mail arrived, at most five years
    on). None when any of this fails; else the date and the line it stands for."""
    if own_year is None or received_on is None:
        return None
    slots: list[str] = []
    months: list[int | None] = []
    days: list[int | None] = []
    for text in texts:
        for line in text.splitlines():
            slot = _slot(line)
            if slot is not None:
                slots.append(slot)
            months += [_number(m[1]) for m in _CLEAN_MONTH.finditer(line)]
            days += [_number(m[1]) for m in _CLEAN_DAY.finditer(line)]
    if len(set(months)) != 1 or len(months) < 2 or len(set(days)) != 1 or len(days) < 2:
        return None
    candidates = []
    for year in range(own_year, min(own_year + 5, received_on.year) + 1):
        fits = {s: _fits(s, year) for s in set(slots)}
        if all(can for can, _ in fits.values()) and sum(whole for _, whole in fits.values()) >= 2:
            candidates.append(year)
    if len(candidates) != 1:
        return None
    month, day, year = months[0], days[0], candidates[0]
    if month is None or day is None:
        return None
    value = _month_day(str(month), str(day), year)
    if value is None or value > received_on:
        return None
    return value, f"{_year_numerals(year)}年{_written(month)}月{_written(day)}日"


def _body_dates(lines: list[str], end: int) -> list[date]:
    """Dates the body narrates before the decision (filing, hearing, the contested act); deadlines
    (延长审理期限至…, …前, …止) point forward and are left out."""
    flat = "".join(lines[:end])
    marks = list(_MARKER.finditer(flat))
    body = flat[: marks[-1].start()] if marks else flat
    out = []
    for h in find_dates(body):
        before, after = body[max(0, h.start - 2) : h.start], body[h.end : h.end + 2]
        if "至" in before or after.startswith(("前", "之前", "止", "以前")):
            continue
        out.append(h.value)
    return out


def decision_date(lines: list[str], own_year: int | None = None, reread: list[str] | None = None,
                  received_on: date | None = None) -> DecisionDate:
    """The date under the signatures (lines as `normalize_lines` gives them), with a doubt if any.

    `reread`: lines of a second, closer read of the page part that holds the signature block; the
    block is then taken from it, while the body is still the document's.
    `received_on`: the day the mail carrying the document arrived. A date the body narrates after it
    cannot have happened yet when the document was sent (a misread or a misprint): it is no bound for
    the signature date. (A signature date after it is the case's plausibility check's to reject:
    cases/plausibility.py, where a person sees both.)
    """
    source = reread if reread is not None else lines
    signers = signature_lines(source)
    # The block runs from just above the first signer to the end; a date may share a line with the
    # names or be broken over two lines, so the block is read as one string.
    start = max(0, signers[0] - 3) if signers else max(0, len(source) - 8)
    block = [_SIGN_OFF.sub("", ln) for ln in source[start:]]
    if reread is not None:
        start = len(lines)
    if signers:
        found = _dates_in("".join(block), own_year)
    else:
        # Without judges' names only a line that is nothing but a date is a signature date.
        found = [d for ln in block for d in _dates_in(ln, own_year) if d[2] == ln or len(ln) - len(d[2]) <= 1]
    year = known_year(own_year, received_on)
    if year is not None and (not found or found[-1][0].year != year):
        # The year read is lost or cannot be the year: the month and day read cleanly, in the year known
        # (without judges' names, again only from a line that is nothing but the date).
        by_year = _month_day_dates("".join(block), year) if signers else [
            d for ln in block for d in _month_day_dates(ln, year) if len(ln) - len(d[2]) <= 1]
        if by_year:
            found = by_year
    if not found:
        return DecisionDate(None, "no date found in the signature block")
    # The last one: a 本件与原本核对无异 stamp date or a copy's date never precedes the signing date.
    value, clean, read, guessed = found[-1]
    if own_year is not None and value.year < own_year:
        return DecisionDate(None, f"signature date read as {value.isoformat()}, before the case number's year", read)
    if own_year is not None and value.year > own_year + 5:
        return DecisionDate(None, f"signature date read as {value.isoformat()}, years after the case number's", read)
    later = [d for d in _body_dates(lines, start) if d > value and (received_on is None or d <= received_on)]
    if later:
        return DecisionDate(
            None, f"signature date read as {value.isoformat()}, before {max(later).isoformat()} in the body", read
        )
    if not signers and reread is None:
        return DecisionDate(value, "date read at the end of the document without judges' names around it", read)
    if not clean:
        return DecisionDate(value, f"signature date read with repairs from {read!r}", read, guessed)
    return DecisionDate(value, None, read)


_NARRATED = re.compile(r"于(?P<date>[^，。；于]{6,16}?)(?:作出|作|以)?(?:终审|再审|二审)?(?:判决|裁定)[:：]")


def narrates_decision(lines: list[str]) -> bool:
    """The text retells a court's decision (于…判决：), whether or not its date can be read."""
    return _NARRATED.search("".join(lines)) is not None


def narrated_decision_date(lines: list[str]) -> DecisionDate:
    """A case report's 于2012年7月31日作出判决：… when no signature block is printed.

    Taken as is only when it is the latest date written before it; otherwise it waits for a person.
    """
    flat = "".join(lines)
    found = list(_NARRATED.finditer(flat))
    if not found:
        return DecisionDate(None, "no date found in the signature block")
    m = found[-1]
    hits = find_dates(m["date"])
    if not hits:
        return DecisionDate(None, "no date found in the signature block")
    value = hits[0].value
    earlier = [h.value for h in find_dates(flat[: m.start()])]
    if any(d > value for d in earlier):
        return DecisionDate(None, f"narrated decision date {value.isoformat()} is before a date written above it")
    return DecisionDate(value, None, m.group(0))
