"""An agency's reply naming the head who will appear at a hearing (有庭必出): "出庭负责人：张三 副局长".

Only the reply's own text counts: quoted lines and the quoted original below a reply header are cut
first, so our reminder's wording never reads as the agency's answer. A reply that says the head cannot
appear, or names nobody (待定), names no plan.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:原始邮件|Original Message|Forwarded message|转发的邮件)|"
    r"(?:发件人|From)[:：]|在.{0,60}写道[:：]?$|On .{0,120} wrote:$|_{5,})",
    re.IGNORECASE,
)
_HAN_NAME = r"[\u4e00-\u9fff]{2,4}?"
_TITLE = (r"(?:党组书记|党委书记|(?:常务)?副?(?:局长|主任|镇长|乡长|市长|县长|区长|厅长|部长|处长|所长|书记|主席|院长"
          r"|站长|队长|行长|署长|总经理|经理|校长|社长)|主要负责人|分管负责人|负责人)")
_LABEL = r"(?:拟?出庭(?:应诉)?负责人|拟出庭人员|出庭人员|出庭人|负责人)"
_SEP = r"[\s,，、;；/（(]*"
# "出庭负责人：张三 副局长" / "出庭负责人：副局长张三" / "由张三副局长出庭应诉".
_LABELLED = re.compile(rf"{_LABEL}(?:为|是)?[:：]\s*(?:(?P<t1>{_TITLE}){_SEP})?(?P<name>{_HAN_NAME})"
                       rf"(?:{_SEP}(?:职务[:：]?\s*)?(?P<t2>{_TITLE}))?(?=$|[\s,，。；;、）)同])")
_SENTENCE = re.compile(rf"(?:由|拟由|安排|确定)(?:我单位|本单位|我局)?(?:(?P<t1>{_TITLE})\s*)?(?P<name>{_HAN_NAME})"
                       rf"\s*(?:同志)?\s*(?:[（(]?(?P<t2>{_TITLE})[）)]?)?\s*(?:同志)?(?:出庭|到庭|出席庭审|参加庭审)")
_DECLINED = re.compile(r"(?:无法|不能|未能|不能够|难以)(?:按时)?出庭|(?:待定|另行报送|另行告知|暂未确定)")
_NOT_NAMES = frozenset({"姓名", "待定", "本人", "我局", "单位", "负责", "同志", "出庭"})


@dataclass(frozen=True)
class PlannedHead:
    name: str
    title: str | None
    line: str  # the reply's line that names them, kept as evidence


def own_text(body: str) -> str:
    """The reply's own words: quoted lines dropped, everything from a quoted-original header on cut."""
    out: list[str] = []
    for raw in (body or "").splitlines():
        line = raw.strip()
        if line.startswith(">"):
            continue
        if _QUOTE_START.search(line):
            break
        out.append(line)
    return "\n".join(out)


def parse_head_plan(body: str) -> PlannedHead | None:
    """The head a reply names for the hearing, or None (nothing named, declined, or only quoted)."""
    for original in own_text(body).splitlines():
        line = unicodedata.normalize("NFKC", original).strip()
        if not line:
            continue
        for rx in (_LABELLED, _SENTENCE):
            found = rx.search(line)
            if not found:
                continue
            name = found["name"]
            title = found["t1"] or found["t2"]
            if name in _NOT_NAMES or _DECLINED.search(line[found.start():]):
                continue
            if title and name.endswith(title[:1]) and len(name) > 2:
                name = name[:-1]  # a lazy name that swallowed the title's first character
            return PlannedHead(name, title, original.strip()[:200])
    return None
