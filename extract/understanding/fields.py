"""Fields of one document from its text: case numbers, parties, cause, dates, head appearance, outcome.

Each extractor reads labelled lines first (表格 labels such as 案号/案由/应到时间, party labels such as
原告：) and falls back to sentence patterns; everything is tolerant of OCR spaces and punctuation
variants because the text is normalized line by line first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime

from extract.types import COURT_DOC_TYPES, DocType, Fields, Outcome
from extract.understanding.casenumber import (
    CaseNumberHit,
    Jurisdiction,
    compact,
    find_case_number_hits,
    parse_case_number,
    repair_year,
    repaired_year,
)
from extract.understanding.casereport import case_report_date, case_report_marker, case_report_number
from extract.understanding.court import CourtReading, court_sources, resolve_court
from extract.understanding.dates import find_dates, find_datetimes
from extract.understanding.names import has_known_surname
from extract.understanding.notice_date import CLOSING, SIGNERS, notice_date
from extract.understanding.signature import decision_date, narrated_decision_date, narrates_decision
from extract.understanding.vocab import AGENCY_MARKERS, CAUSE_CATEGORIES, PRINCIPAL_TITLES

__all__ = [
    "Disposition",
    "category_of",
    "category_of_label",
    "enforcement_applicant",
    "extract_fields",
    "is_enforcement",
    "normalize_lines",
    "own_and_cited",
    "read_court",
    "read_outcome",
]

_FOOTER_LINE = re.compile(r"^(?:第[0-9OolI]{1,3}页[,，]?共[0-9OolI]{1,3}页|[-—–_一~]+[0-9OolI]{1,3}[-—–_一~]+)")
_SENT_END = "。；;"


_KEEP = frozenset("，；：、！？")  # Chinese punctuation stays as printed (dispositions are kept verbatim)


def _fold(s: str) -> str:
    out = []
    for ch in s:
        if ch in _KEEP:
            out.append(ch)
            continue
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def normalize_lines(pages: list[str]) -> list[str]:
    """Lines of all pages with whitespace removed inside lines, footers (第X页 共Y页, - X -) dropped."""
    out: list[str] = []
    for page in pages:
        for ln in page.splitlines():
            c = re.sub(r"\s+", "", _fold(ln))
            if not c:
                continue
            m = _FOOTER_LINE.match(c)
            if m:
                c = c[m.end() :]
                if not c:
                    continue
            out.append(c)
    return out


# ---------------------------------------------------------------- case numbers


def _is_cited(flat: str, hit_start: int, hit_end: int) -> bool:
    before = flat[max(0, hit_start - 40) : hit_start]
    after = flat[hit_end : hit_end + 6]
    if re.search(r"不服[^。；]*$", before) or re.search(r"(?:原审|一审|原判)[^。；，]{0,12}$", before):
        return True
    return bool(re.match(r"[)）〕\]]?(?:行政)?(?:赔偿)?(?:判决|裁定|调解)", after))


@dataclass(frozen=True)
class _Hit:
    number: str
    type_code: str
    own_shape: bool  # on a line of its own, after 案号, or in 一案（…）
    cited: bool
    raw: str = ""  # as printed


def _hits(lines: list[str], doc_year: int | None, jurisdiction: Jurisdiction | None) -> list[_Hit]:
    flat = "\n".join(lines)
    line_starts = [0]
    for ln in lines:
        line_starts.append(line_starts[-1] + len(ln) + 1)
    out: list[_Hit] = []
    for h in find_case_number_hits(flat, jurisdiction):
        out.append(_classify_hit(flat, h, lines, line_starts, doc_year))
    return out


def _classify_hit(flat: str, h: CaseNumberHit, lines: list[str], line_starts: list[int], doc_year: int | None) -> _Hit:
    idx = max(i for i, s in enumerate(line_starts[:-1]) if s <= h.start)
    line = lines[idx]
    bare = re.sub(r"^案号[:：]?", "", line)
    before = flat[max(0, h.start - 6) : h.start]
    number_len = len(h.raw.replace("\n", ""))
    own_shape = (
        len(bare) <= number_len + 3
        or "案号" in before
        or bool(re.search(r"一案[(（]?$", before))
    )
    cited = _is_cited(flat, h.start, h.end)
    number = h.number
    if doc_year and not number.legacy and not cited:
        number = repair_year(number, doc_year)
    return _Hit(str(number), number.type_code, own_shape, cited, h.raw.replace("\n", ""))


def own_and_cited(
    lines: list[str], doc_type: DocType, doc_year: int | None = None, jurisdiction: Jurisdiction | None = None
) -> tuple[str | None, tuple[str, ...], str | None]:
    """(own number, cited numbers, first-instance number) of a document."""
    return _own_and_cited(_hits(lines, doc_year, jurisdiction), doc_type)


def _own_and_cited(hits: list[_Hit], doc_type: DocType) -> tuple[str | None, tuple[str, ...], str | None]:
    own: str | None = None
    for h in hits:
        if h.own_shape and not h.cited:
            own = h.number
            break
    if own is None and doc_type in COURT_DOC_TYPES | {DocType.defense, DocType.appearance_record,
                                                       DocType.rectification_report}:
        for h in hits:
            if not h.cited:
                own = h.number
                break
    cited = tuple(dict.fromkeys(h.number for h in hits if h.number != own))
    first_instance = None
    own_type = next((h.type_code for h in hits if h.number == own), None)
    if own_type is None or own_type.endswith(("终", "申", "再", "监", "抗")):
        for h in hits:
            if h.number != own and h.type_code in ("行初", "行赔初") and (h.cited or own is not None):
                first_instance = h.number
                break
        if own is None and first_instance is None:
            first_instance = next((h.number for h in hits if h.cited and h.type_code.endswith("初")), None)
    return own, cited, first_instance


# ---------------------------------------------------------------- parties

_PARTY_LINE = re.compile(
    r"^(?P<label>上诉人|被上诉人|原告|被告|第三人|答辩人|被答辩人|申请执行人|被执行人|申请人|被申请人|再审申请人|"
    r"再审被申请人|起诉人|委托单位|填报单位|被传唤人)"
    # The role in brackets (一审原告、二审上诉人) as printed or misread (【…), …]).
    r"(?P<role>[(（【\[][^)）】\]]{2,16}[)）】\]])?(?P<rest>[:：]?.*)$"
)
_NAME_END = re.compile(r"[，,。；;（(]|住所地|住址|住|地址|法定代表人")


def _name(rest: str) -> str | None:
    m = _NAME_END.search(rest)
    name = rest[: m.start()] if m else rest
    name = name.strip("：:、 ")
    if not 2 <= len(name) <= 40 or re.search(r"[0-9]{3}", name):
        return None
    return name


def _is_agency(name: str) -> bool:
    return any(marker in name for marker in AGENCY_MARKERS) and not any(w in name for w in ("公司", "事务所", "律师"))


@dataclass(frozen=True)
class _Parties:
    plaintiffs: tuple[str, ...]
    defendant: str | None
    third_parties: tuple[str, ...]
    doubt: str | None = None


def _parties(lines: list[str], doc_type: DocType) -> _Parties:
    plaintiffs: list[str] = []
    defendants: list[str] = []
    thirds: list[str] = []
    for i, ln in enumerate(lines[:40]):
        m = _PARTY_LINE.match(ln)
        if not m:
            continue
        rest = m["rest"].lstrip(":：")
        if not rest:
            # The label alone on its line (起诉人), the party on the next.
            if i + 1 >= len(lines) or _PARTY_LINE.match(lines[i + 1]):
                continue
            rest = lines[i + 1]
        elif not m["rest"].startswith(("：", ":")) and not (m["role"] and m["rest"]):
            # Without a colon only a short table cell (原告 甲某) or a line that is just the name
            # (原告某建筑公司。) is a label; 原告认为…, 原告系…居民, 原告王某，女… are sentences or details.
            if not re.fullmatch(r"[^，,。；;、]{2,30}。?", rest) or re.search(
                    r"诉|不服|因|一案|认为|称|与|的|向|对|^系|^为|^在|^未|^已|于|要求|请求|代表人|代理人", rest):
                continue
        label, role = m["label"], m["role"] or ""
        # A wrapped name continues on the next line when a long label line has no comma at all.
        wrapped = m["rest"].startswith((":", "：")) or bool(m["role"])
        if wrapped and len(ln) >= 20 and not _NAME_END.search(rest) and i + 1 < len(lines):
            rest += lines[i + 1]
        name = _name(rest)
        if name is None:
            continue
        # The role in brackets is the party's place in the first instance (上诉人（原审第三人）): it decides.
        if re.search(r"(?:原审|一审)第三人", role):
            target = thirds
        elif "原审原告" in role or "一审原告" in role:
            target = plaintiffs
        elif "原审被告" in role or "一审被告" in role:
            target = defendants
        elif label == "申请人" and _is_agency(name):
            target = defendants  # an agency applying for enforcement (非诉执行) is not a plaintiff
        elif label in ("原告", "被答辩人", "被执行人", "再审申请人", "申请人", "起诉人"):
            target = plaintiffs
        elif label == "上诉人":
            target = defendants if _is_agency(name) else plaintiffs
        elif label in ("被告", "答辩人", "申请执行人", "委托单位", "填报单位", "被传唤人", "被上诉人", "被申请人",
                       "再审被申请人"):
            target = defendants
        elif label == "第三人":
            target = thirds
        else:
            continue
        for part in re.split(r"[、，,]", name):
            if part and part not in target:
                target.append(part)
    doubt = _near_twins(plaintiffs)
    flat = "".join(lines)
    if not plaintiffs:
        m = re.search(r"(?:原告|上诉人)([^，。；诉因]{2,40}?)(?:诉你单位|诉我单位|诉答辩人|诉被告|诉你|因|不服)", flat)
        if m:
            plaintiffs = [p for p in re.split(r"[、，,]", m[1]) if 2 <= len(p) <= 20 and not _is_agency(p)]
    if not defendants:
        # Court notices are addressed to the defendant: the line that ends with a colon after the number.
        for ln in lines[:8]:
            if re.fullmatch(r"[\u4e00-\u9fff]{4,40}[:：]", ln) and _is_agency(ln):
                defendants.append(ln.rstrip(":："))
                break
    if not defendants and doc_type in (DocType.appearance_record, DocType.defense, DocType.other):
        # Agency statements end with the agency's name above the date.
        for j in range(len(lines) - 1, max(-1, len(lines) - 6), -1):
            if find_dates(lines[j]) and j > 0 and _is_agency(lines[j - 1]) and len(lines[j - 1]) <= 30:
                defendants.append(re.sub(r"^[^：:]*[：:]", "", lines[j - 1]))
                break
    return _Parties(tuple(plaintiffs), defendants[0] if defendants else None, tuple(thirds), doubt)


def _near_twins(names: list[str]) -> str | None:
    """Why the names need a person: two long names one character apart may be one party printed twice
    and read differently, or two companies of one owner; the text cannot tell. Short personal names
    (张伟, 张华) one character apart are ordinary and pass."""
    for i, name in enumerate(names):
        for other in names[:i]:
            if len(name) == len(other) >= 6 and sum(a != b for a, b in zip(name, other, strict=True)) == 1:
                return f"两名原告名称仅一字之差（{other}、{name}），可能是同一当事人识别不一致"
    return None


# ---------------------------------------------------------------- court, cause


def read_court(lines: list[str], own: str | None, jurisdiction: Jurisdiction | None) -> CourtReading:
    """The document's court: what it prints, checked against and completed from its own number."""
    number = parse_case_number(own) if own else None
    known = dict(jurisdiction.court_names) if jurisdiction is not None else {}
    return resolve_court(court_sources(lines), number, known)


def category_of(text: str) -> str | None:
    """Cause category key from a cause string or a body; None when nothing matches."""
    best: tuple[int, int, str] | None = None
    for rank, (key, words) in enumerate(CAUSE_CATEGORIES):
        count = sum(text.count(w) for w in words)
        if count and (best is None or (count, -rank) > (best[0], -best[1])):
            best = (count, rank, key)
    return best[2] if best else None


def category_of_label(label: str) -> str | None:
    """Category of a short printed 案由, allowing one misread character in a 4+ character keyword."""
    exact = category_of(label)
    if exact is not None:
        return exact
    for key, words in CAUSE_CATEGORIES:
        for w in words:
            if len(w) < 4:
                continue
            for i in range(len(w)):
                if re.search(re.escape(w[:i]) + "." + re.escape(w[i + 1 :]), label):
                    return key
    return None


def _cause(lines: list[str], defendant: str | None) -> str | None:
    for ln in lines:
        m = re.match(r"^案由[:：]?(.{2,30})$", ln)
        if m:
            return m[1]
    flat = "".join(lines)
    for rx in (
        r"诉(?:你单位|我单位|答辩人|你局|你方|被告)([^，。；]{2,30}?)一案",
        r"因([^，。；]{2,30}?)一案",
        r"不服被告([^，。；]{2,60}?)一案",
    ):
        m = re.search(rx, flat)
        if m:
            cause = m[1]
            if defendant and cause.startswith(defendant):
                cause = cause[len(defendant) :]
            cause = re.sub(r"^(?:与被上诉人|与被告|与)", "", cause)
            if 2 <= len(cause) <= 20:
                return cause
    return None


# ---------------------------------------------------------------- dates


def _doc_date(lines: list[str], doc_type: DocType | None = None) -> date | None:
    if doc_type in (DocType.judgment, DocType.ruling):
        # A decision is dated under its signatures; the body is full of earlier dates (filing,
        # hearing, the contested act). If OCR lost the signature block, better no date than one of those.
        marker = next((i for i, ln in enumerate(lines) if re.search(r"(?:判决|裁定)如下", ln)), None)
        if marker is None:
            return None
        lines = lines[marker + 1 :]
    for ln in reversed(lines):
        label = re.match(r"^(?:填报日期|日期|落款日期)[:：]?", ln)
        body = ln[label.end() :] if label else ln
        hits = find_dates(body)
        if hits and hits[0].start <= 1 and hits[-1].end >= len(compact(body)[0]) - 1:
            return hits[-1].value
    hits = find_dates("\n".join(lines))
    return hits[-1].value if hits else None


_SERVED = re.compile(r"于(?P<date>[^于，。；]{6,16}?)向被告送达了?起诉状副本[及和、，,]{1,2}应诉通知书")


def _served_date(lines: list[str]) -> date | None:
    """The day a decision recites the complaint and the notice were served on the defendant; only a
    first-instance decision says so (an appeal's recital is of the appeal, not of the notice)."""
    found = _SERVED.search("".join(lines))
    hits = find_dates(found["date"]) if found else []
    return hits[0].value if len(hits) == 1 else None


def _hearing(lines: list[str], doc_type: DocType, ref_year: int | None) -> tuple[datetime | None, str | None]:
    at: datetime | None = None
    place: str | None = None
    for i, ln in enumerate(lines):
        # Labels as printed (应到时间, 开庭时间) or as OCR leaves them (应开|时间], 应于|时间]).
        m = re.match(r"^(?:应.{0,3}时间|开庭时间|开庭日期|应到时.)[^0-9]{0,3}(.*)$", ln)
        if m and at is None:
            tail = m[1] + (lines[i + 1] if i + 1 < len(lines) else "")
            found = find_datetimes(tail, ref_year)
            if found:
                at = found[0]
        m = re.match(r"^(?:应到处所|开庭地点|应.处所)[:：]?(.+)$", ln)
        if m and place is None:
            place = m[1]
    flat = "".join(lines)
    if at is None:
        m = re.search(r"于(.{6,40}?)(?:公开)?开庭", flat)
        if m:
            found = find_datetimes(m[1], ref_year)
            if found:
                at = found[0]
    if at is not None and ref_year is not None and at.year < ref_year:
        # A hearing is set after the case was numbered; an older year is a misread digit (2020 for 2026).
        fixed = repaired_year(at.year, ref_year)
        if fixed != at.year:
            try:
                at = at.replace(year=fixed)
            except ValueError:
                pass
    if at is None and doc_type in (DocType.summons, DocType.appearance_record):
        # Forms print one date with a clock time: the hearing. Labels may be lost or laid out apart.
        found = find_datetimes("\n".join(ln for ln in lines if not re.match(r"^(?:填报|日期|联系)", ln)), ref_year)
        if found:
            at = found[0]
    return at, place


# ---------------------------------------------------------------- head appearance


@dataclass(frozen=True)
class _Head:
    present: bool | None = None
    principal: bool | None = None
    name: str | None = None
    title: str | None = None
    reason: str | None = None
    doubt: str | None = None  # why a person should check head_present
    role_doubt: str | None = None  # why a person should check principal / deputy
    name_doubt: str | None = None  # why a person should check the head's name


def _principal_from_title(title: str | None) -> bool | None:
    if not title:
        return None
    if "副" in title:
        return False
    if any(title.endswith(t) for t in PRINCIPAL_TITLES):
        return True
    return None


def _head(lines: list[str], doc_type: DocType) -> _Head:
    flat = "".join(lines)
    labels: dict[str, str] = {}
    for ln in lines:
        # OCR cuts labels short (职 for 职务, 是否为正职负责 for 是否为正职负责人).
        m = re.match(
            r"^(出庭负责人?|负责人姓名|是否为?正职负?责?人?|职务?|未出庭原因|不能出庭原因|备注)[:：]?(.*)$", ln
        )
        if m:
            key = {"职": "职务", "出庭负责": "出庭负责人"}.get(m[1], m[1])
            key = "是否为正职负责人" if key.startswith("是否") else key
            if key not in labels:
                labels[key] = m[2].strip()
    if "出庭负责人" in labels or "负责人姓名" in labels:
        name = labels.get("出庭负责人") or labels.get("负责人姓名") or None
        title = labels.get("职务") or None
        explicit = labels.get("是否为正职负责人")
        from_title = _principal_from_title(title)
        principal = {"是": True, "否": False}.get(explicit or "", from_title)
        role_doubt = None
        if explicit in ("是", "否") and from_title is not None and principal != from_title:
            role_doubt = f"form says 是否为正职负责人 {explicit}, the title is {title}"
        reason = labels.get("未出庭原因") or labels.get("不能出庭原因") or None
        said_absent = name in ("无", "未出庭", "/", "—") or bool(reason)
        # An empty cell is unknown (often a lost OCR value), not evidence of absence.
        present: bool | None = False if said_absent else (True if name else None)
        return _Head(present, principal, name if present else None, title, reason, role_doubt=role_doubt)
    if doc_type is DocType.appearance_record:
        absent = re.search(r"(?:不能|无法|未能)出庭", flat)
        m = re.search(
            r"我单位(?P<title>[\u4e00-\u9fff]{1,6}?(?:长|主任|书记|主席))(?P<name>[\u4e00-\u9fff]{2,4}?)[(（](?P<kind>正职|副职)",
            flat,
        )
        if absent:
            why = re.search(r"(?:因|由于)([^，。；]{2,40})[，,]?(?:不能|无法|未能)出庭", flat)
            return _Head(False, None, m["name"] if m else None, m["title"] if m else None, why[1] if why else None)
        if m:
            return _Head(True, m["kind"] == "正职", m["name"], m["title"], None)
        return _Head()
    if doc_type is DocType.judgment or doc_type is DocType.ruling:
        return _head_in_decision(flat)
    return _Head()


def _name_checked(head: _Head) -> _Head:
    """A name read as present whose first character is no surname is a misread a person confirms."""
    if head.present and head.name and not head.name_doubt and not has_known_surname(head.name):
        return replace(head, name_doubt=f"head name {head.name!r} does not begin with a known surname")
    return head


def _one_off(a: str, b: str) -> bool:
    """Two names of one length differing in one character: the same name with one misread."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


_HEAD_LABEL = re.compile(
    r"(?P<label>行政机关负责人|机关出庭负责人|出庭应诉负责人|出庭负责人)[:：]?(?P<name>[\u4e00-\u9fff]{2,4}?)[，,]"
    r"(?:该.)?(?P<title>[\u4e00-\u9fff]{1,10}?)[。，,；;]"
)
_IN_COURT = re.compile(r"[^。]*(?:到庭参加了?诉讼|到庭应诉|出庭应诉|到庭参加庭审)[^。]*")
_HEAD_TITLE = r"(?:副?(?:局长|主任|镇长|乡长|市长|县长|区长|厅长|部长|处长|所长|书记|主席|院长|站长|队长|行长))"
_HEAD_NAMED = (
    re.compile(rf"负责人[:：]?(?P<title>{_HEAD_TITLE})?(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?=及|和|、|，|,|出庭|到庭)"),
    re.compile(rf"(?P<title>{_HEAD_TITLE})(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?=及|和|、|，|,|出庭|到庭)"),
)
_NOT_PRESENT = re.compile(
    r"(?:法定代表人|负责人)[:：]?(?P<name>[\u4e00-\u9fff]{2,4}?)[，,][^。；]{0,12}?[（(]未出庭[)）]"
)


def _head_in_decision(flat: str) -> _Head:
    """Head appearance as a judgment prints it: the parties block (行政机关负责人：X，副局长。) and the
    hearing paragraph (…行政机关负责人X及委托代理人Y到庭参加诉讼). Disagreement is a doubt, not a pick."""
    label = _HEAD_LABEL.search(flat)
    sentences = [m.group(0) for m in _IN_COURT.finditer(flat)]
    if label:
        name, title = label["name"], label["title"]
        principal = _principal_from_title(title)
        if any(name in s for s in sentences):
            return _Head(True, principal, name, title)
        # The paragraph names the head with one character misread (曹强 as 章强): the head appeared;
        # which spelling is right is for a person (or another source) to say.
        heard = [m["name"] for s in sentences for rx in _HEAD_NAMED for m in [rx.search(s)] if m]
        near = next((h for h in heard if _one_off(h[: len(name)], name)), None)
        if near is not None:
            return _Head(True, principal, name, title,
                         name_doubt=f"parties block reads the head as {name}, the hearing paragraph as {near}")
        if sentences:
            return _Head(
                False, None, None, None,
                doubt=f"parties block names {label['label']} {name} ({title}); the hearing paragraph does not",
            )
        if label["label"] == "行政机关负责人":
            return _Head(True, principal, name, title, doubt="no hearing paragraph confirms the head listed")
        return _Head(True, principal, name, title)
    absent = _NOT_PRESENT.search(flat)
    for sentence in sentences:
        for rx in _HEAD_NAMED:
            named = rx.search(sentence)
            if named:
                return _Head(True, _principal_from_title(named["title"]), named["name"], named["title"])
    if absent:
        return _Head(False, None, None, None)
    return _Head()


# ---------------------------------------------------------------- outcome


@dataclass(frozen=True)
class Disposition:
    outcome: Outcome | None
    sentence: str | None
    doubt: str | None = None  # why the outcome read needs a person (English, for developers)


# An appeal dismissed on the private party's appeal keeps the first-instance judgment, which the appeal
# rarely restates: a plaintiff also appeals a partial win (确认违法 where 撤销 was asked). The case's
# first instance, when on file, settles it (cases/filing.py).
UPHELD_ON_PLAINTIFF_APPEAL = "appeal dismissed on the private party's appeal: the outcome is the first instance's"


_DECISION_MARK = re.compile(
    r"(?:判.|(?!决).定|裁.)如[下于干卞][:：、,，]*|之规定[，,][^。]{0,3}如下[:：]?|作出如下(?:判决|裁定)[:：]?|"
    # 下 lost to OCR noise: the disposition's first words still say where it starts.
    r"(?:判决|裁定)如[^。，；]{0,4}?(?=一、|驳回|撤销|确认|维持|准予|准许|责令|判令|变更)"
)
# Where the decision ends: costs, the appeal notice, the finality line, the signers. Matched in the
# joined text, so 本判决生效之日起 inside a disposition must not end it.
_DECISION_END = re.compile(
    r"(?:二审|一审|本案)?(?:案件)?(?:受理费|诉讼费)|如不服|(?:申请执行人|当事人)?如不服|本(?:判决|裁定)为终审|"
    r"本裁定(?:书)?送达|审判长|审判员|落款"
)


def _disposition_text(lines: list[str]) -> str | None:
    # The court's own decision is the last 判决如下/裁定如下; an appeal quotes the first instance's earlier.
    # Lines are joined first: 判决如/下 broken over two lines is common.
    flat = "".join(lines)
    marks = list(_DECISION_MARK.finditer(flat))
    if not marks:
        return None
    tail = re.sub(r"^裁判结果", "", flat[marks[-1].end() :])
    end = _DECISION_END.search(tail)
    text = tail[: end.start()] if end else tail[:400]
    return text.strip() or None


_LOSS = (
    r"撤销|判令|(?:^|[一二三四五六七八九十]、).销|确认[^。；]{0,120}(?:违法|无效|证据不足|错误)|责令|限[^。；]{0,20}(?:履行|作出|重新)|重新作出|履行[^。；]{0,20}职责|"
    r"变更|赔偿[^。；]{0,20}(?:元|损失)|给付|补偿[^。；]{0,10}元"
)


# An appeal upholding (维持) an item of the first-instance judgment that it quotes as a loss for the
# defendant: 维持…判决第一项中关于"撤销被告…" or "被告…重新作出…".
_KEPT_LOSS = (r"维持[^。；]{0,80}判决[^。；]{0,20}(?:第.项)?[^。；]{0,12}[\"“‘「][^”」]{0,20}"
              r"(?:撤销被告|确认被告|责令被告|判令被告|被告[^”」]{0,60}(?:重新|作出|履行))")
# In an appeal's own disposition, wording that is a loss for the agency whoever appealed.
_APPEAL_LOSS = r"确认[^。；]{0,120}(?:违法|无效)|(?:判令|责令)[^。；]{0,60}(?:赔偿|履行|作出)|赔偿[^。；]{0,30}元"


def read_outcome(lines: list[str], doc_type: DocType) -> Disposition:
    """Outcome of a judgment or ruling from its disposition (判决如下/裁定如下 …)."""
    text = _disposition_text(lines)
    flat = "".join(lines)
    source = text if text is not None else flat
    if text is None:
        # Without the 判决如下 anchor only a few unambiguous phrases count.
        # Without the 判决如下 anchor only a few unambiguous phrases count, in the last sentence that has
        # one (the decision comes last); a party's own request (请求驳回…) is not a decision.
        decision = r"[^。]*(?:.回[^。]*诉讼请求|驳回[^。]*起诉|撤回起诉|撤诉|中止诉讼|驳回上诉)[^。]*。"
        found = [s.group(0) for s in re.finditer(decision, flat) if "请求" not in s.group(0).split("回")[0]]
        if not found:
            return Disposition(None, None)
        source = found[-1]
    sentence = source
    # OCR turns the bracket of 上诉人（原审被告） into “, 《 or (.
    appeal = bool(re.search(r"上诉人\W{0,2}原审|被上诉人|二审", flat)) or "驳回上诉" in source
    agency_appealed = bool(re.search(r"(?<!被)上诉人\W{0,2}(?:原审|一审)被告", flat))

    def has(rx: str) -> bool:
        return re.search(rx, source) is not None

    outcome: Outcome | None
    doubt: str | None = None
    # OCR misreads 驳 (驭 驱 鸡 …) and 撤 more often than the words around them, so patterns key on
    # 回 plus context: 准许…撤回起诉 is a withdrawal, 驳回…的起诉 a dismissal.
    if has(r"不准.(?:强制)?执行|不予执行"):
        outcome = Outcome.agency_lost
    elif has(r"准[^。；不]{0,2}(?:强.)?执行"):
        outcome = Outcome.agency_won
    elif has(r"(?:准许|准予|同意|准.|.许)[^。；]{0,40}(?:.回起诉|撤诉|撤.起诉|.回上诉)|按[^。；]{0,6}撤诉处理"):
        outcome = Outcome.withdrawn
    elif has(r"(?:冻结|划拨|查封|扣押|扣留|拍卖|变卖)[^。]{0,40}被执行人|"
             r"被执行人[^。]{0,40}(?:冻结|划拨|查封|扣押|拍卖|变卖)"):
        # An enforcement court's measures against a party's property (执行裁定): nobody won or lost here.
        outcome = Outcome.pending
    elif has(r"中止(?:诉.|.讼|审理)|终结诉讼|本案中[\u4e00-\u9fff]诉讼"):
        outcome = Outcome.pending
    elif has(r"发回[^。；]{0,30}(?:重审|重新审理|审理)|指令[^。；]{0,30}(?:再审|审理|立案受理|受理)|"
             r"(?:由|进行)本院提审|本案由本院提审|并入[^。；]{0,40}审理"):
        # Sent back, ordered on, taken up again or merged: no one has won yet.
        outcome = Outcome.pending
    elif appeal and has(_KEPT_LOSS):
        # Part of a first-instance judgment against the agency is upheld: a loss, whatever else changed.
        outcome = Outcome.agency_lost
    elif appeal and has(r".回上诉(?!人)|维持原判|维持(?:一审|原审)") and not has(_APPEAL_LOSS):
        outcome = Outcome.agency_lost if agency_appealed else Outcome.agency_won
        # A private party appeals a dismissal of its claim or a partial win; a ruling it appeals
        # (不予受理, 驳回起诉) is always against it.
        ruling_below = has(r"维持原裁定|维持[^。；]{0,30}裁定") or bool(re.search(r"不服[^。；]{0,60}裁定", flat))
        if not agency_appealed and not ruling_below:
            doubt = UPHELD_ON_PLAINTIFF_APPEAL
    elif (has(r"撤销[^。；]{0,60}法院[^。；]{0,40}(?:判决|裁定)")
          and has(r"维持[^。；]{0,60}法院[^。；]{0,40}(?:判决|裁定)")):
        # A retrial that sets some court decisions aside and reinstates another: the outcome is the
        # reinstated decision's, which the disposition does not restate.
        outcome = None
        doubt = "retrial reinstates an earlier court decision whose outcome is not printed"
    elif appeal and has(r"撤销[^。；]{0,40}(?:判决|裁定)") and not has(_APPEAL_LOSS):
        # The appellate court set aside the first-instance decision: against whoever won there.
        outcome = Outcome.agency_won if agency_appealed else Outcome.agency_lost
    elif has(_LOSS) and not has(r"^.回[^。；]*(?:请求|起诉)。?$"):
        outcome = Outcome.agency_lost
    elif has(r"回[^。；]{0,80}(?:请求|起.|申请)|不.?予(?:立案|受理)"):
        outcome = Outcome.agency_won
    elif has(r"^[^。；]{0,4}强制执行"):
        # 行审: the disposition opens with (准予) 强制执行 — 不准予 was handled above.
        outcome = Outcome.agency_won
    else:
        outcome = None
    if outcome is None:
        return Disposition(None, sentence, doubt)
    return Disposition(outcome, sentence, doubt)


_ENFORCEMENT = re.compile(r"准[^。；不]{0,2}(?:强制)?执行|不准.(?:强制)?执行|不予执行")
_BODY = r"[\u4e00-\u9fff]{2,30}?(?:局|委员会|政府|办事处|办公室|中心|站|大队|支队)"
_APPLICANT = (
    re.compile(rf"^申请(?:执行)?人[:：]?({_BODY})(?:[，,。；（(]|住所|$)"),
    re.compile(rf"申请执行人[:：]?({_BODY})(?:[，,。；（(]|住所|作出|于)"),
    re.compile(rf"({_BODY})(?:于[^，。；]{{4,16}})?向(?:本院|我院)申请(?:强制)?执行"),
    re.compile(rf"({_BODY})申请(?:强制)?执行"),
    re.compile(rf"(?:准.|不准.)(?:强制)?执行({_BODY})(?:作出|于)"),
)


def enforcement_applicant(lines: list[str]) -> str | None:
    """The body that applied for enforcement (申请执行人), as the ruling names it."""
    for ln in lines[:20]:
        m = _APPLICANT[0].match(ln)
        if m:
            return m[1]
    flat = "".join(lines)
    for rx in _APPLICANT[1:]:
        m = rx.search(flat)
        if m:
            return re.sub(r"^(?:申请执行人|申请人)+", "", m[1])
    return None


def is_enforcement(disposition: str | None) -> bool:
    """A ruling on an application to enforce an administrative decision (准予/不准予强制执行)."""
    return bool(disposition and _ENFORCEMENT.search(disposition))


# ---------------------------------------------------------------- all fields


def extract_fields(pages: list[str], doc_type: DocType, jurisdiction: Jurisdiction | None = None,
                   received_on: date | None = None) -> Fields:
    """All fields of one document (pages of that document only); `received_on`: the day its mail
    arrived (bounds the decision date, see signature.decision_date)."""
    lines = normalize_lines(pages)
    doubts: dict[str, str] = {}
    years = [h.value.year for h in find_dates("\n".join(lines))]
    number_hits = _hits(lines, max(years) if years else None, jurisdiction)
    own, cited, first_instance = _own_and_cited(number_hits, doc_type)
    printed = next((h.raw for h in number_hits if h.number == own), None)
    report = doc_type is DocType.other and case_report_marker(lines) is not None
    if report:
        own, printed, _why = case_report_number(lines, jurisdiction)
        cited = tuple(h.number for h in number_hits if h.number != own)
    if doc_type in (DocType.judgment, DocType.ruling):
        signed = decision_date(lines, int(own[1:5]) if own and own[1:5].isdigit() else None,
                               received_on=received_on)
        if signed.value is None and signed.doubt == "no date found in the signature block":
            signed = narrated_decision_date(lines)
        doc_date = signed.value
        if signed.doubt:
            doubts["decision_date"] = signed.doubt
        # Real texts carry titles that their operative part contradicts (行政判决书 … 裁定如下): the kind of
        # decision is then for a person, not the title's word.
        said = {"判决如下": DocType.judgment, "裁定如下": DocType.ruling}
        operative = {kind for phrase, kind in said.items() if phrase in "".join(lines)}
        if operative and doc_type not in operative:
            doubts["decision_type"] = f"titled {doc_type.value}, but its operative part reads as a " \
                                      f"{'/'.join(sorted(k.value for k in operative))}"
    elif report or (doc_type is DocType.other and narrates_decision(lines)):
        # A case report's date (or that of an unidentified text retelling a decision, 于…判决：) is that
        # of the decision it reports, as it prints it, or none; its other dates are earlier instances'
        # and the contested act's.
        doc_date, doubt = case_report_date(lines, own, jurisdiction)
        if doubt:
            doubts["decision_date"] = doubt
    else:
        doc_date = _doc_date(lines, doc_type)
        own_year = int(own[1:5]) if own and own[1:5].isdigit() else None
        if doc_type is DocType.notice_to_respond:
            closing = notice_date(lines, own_year)
            if closing.value is not None or any(CLOSING.search(ln) for ln in lines):
                # The date sits after the closing lines (承办人 …): when it is unreadable there, a date of
                # the body (the filing, the contested act) must not stand in for it.
                if closing.doubt and closing.value != doc_date:
                    doubts["notice_date"] = closing.doubt
                doc_date = closing.value
            if doc_date is None:
                doubts["notice_date"] = "no date found at the end of the notice"
            elif own_year is not None and not own_year <= doc_date.year <= own_year + 1:
                # A notice is issued when the case is numbered: another year is a misread digit.
                doubts["notice_date"] = f"notice date read as {doc_date.isoformat()}, not the case number's year"
                doc_date = None
        elif doc_type is DocType.summons:
            # Its own date (the day its 5 working days run from) is under the seal after the signers; the
            # hearing time above them is no date of the summons. Unread, it waits for a closer read.
            closing = notice_date(lines, own_year, SIGNERS)
            # No check asks a person for it, so a repaired reading is not used: no date accuses no one.
            doc_date = closing.value if closing.doubt is None else None
            if closing.doubt:
                doubts["doc_date"] = closing.doubt
    parties = _parties(lines, doc_type)
    if parties.doubt:
        doubts["plaintiffs"] = parties.doubt
    court = read_court(lines, own, jurisdiction)
    if court.doubt:
        doubts["court"] = court.doubt
    cause = _cause(lines, parties.defendant)
    category = category_of_label(cause) if cause else None
    if category is None:
        category = category_of("".join(lines))
    hearing_at, place = (None, None)
    if doc_type in (DocType.summons, DocType.appearance_record):
        if own:
            years.append(int(own[1:5]))
        hearing_at, place = _hearing(lines, doc_type, max(years) if years else None)
        latest = min(d for d in (hearing_at.date() if hearing_at else None, received_on) if d) \
            if hearing_at or received_on else None
        if doc_type is DocType.summons and doc_date and latest and doc_date > latest:
            # A summons is issued before its hearing and before its mail: a later date is a misread one.
            doubts["doc_date"] = f"summons dated {doc_date.isoformat()}, after its hearing or its mail"
            doc_date = None
    head = _Head()
    if doc_type in (DocType.appearance_record, DocType.judgment, DocType.ruling):
        head = _head(lines, doc_type)
    if head.doubt:
        doubts["head_present"] = head.doubt
    if head.role_doubt:
        doubts["head_role"] = head.role_doubt
    head = _name_checked(head)
    if head.name_doubt:
        doubts["head_name"] = head.name_doubt
    disposition = Disposition(None, None)
    defendant = parties.defendant
    if doc_type in (DocType.judgment, DocType.ruling):
        disposition = read_outcome(lines, doc_type)
        if disposition.doubt:
            doubts["outcome"] = disposition.doubt
        elif disposition.outcome is None:
            doubts["outcome"] = (
                f"disposition wording not recognised: {disposition.sentence[:60]!r}" if disposition.sentence
                else "no disposition (判决如下/裁定如下) found"
            )
        elif is_enforcement(disposition.sentence):
            # Enforcement review: a win or loss only for the body that applied, which the case compares.
            applicant = enforcement_applicant(lines)
            if applicant is None:
                doubts["outcome"] = "enforcement ruling whose applicant (申请执行人) could not be read"
            else:
                defendant = applicant
    return Fields(
        case_number=own,
        case_number_printed=printed,
        cited_case_numbers=cited,
        court=court.name,
        plaintiffs=parties.plaintiffs,
        defendant=defendant,
        third_parties=parties.third_parties,
        cause=cause,
        cause_category=category or ("other" if cause else None),
        doc_date=doc_date,
        hearing_at=hearing_at,
        hearing_place=place,
        head_present=head.present,
        head_principal=head.principal,
        head_name=head.name,
        head_title=head.title,
        absence_reason=head.reason,
        outcome=disposition.outcome,
        disposition=disposition.sentence,
        first_instance_case=first_instance,
        notice_served=_served_date(lines) if doc_type in (DocType.judgment, DocType.ruling) else None,
        doubts=doubts,
    )
