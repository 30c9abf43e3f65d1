"""Litigation staff (应诉人员报备) as evidence about who appeared: pure rules, no database.

An appearance record or judgment names a person and says whether a head (负责人) appeared and of which
rank; the agency's roster says who that person is. The roster fills a rank the document left open and
confirms one it stated; when the two disagree nothing is picked: the judgement carries the reason for a
fact check and the document's reading stays what it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from extract.understanding.vocab import PRINCIPAL_TITLES


class PersonRole(StrEnum):
    principal = "principal"  # 正职负责人
    deputy = "deputy"  # 副职负责人
    head = "head"  # 负责人, rank not told by the post
    staff = "staff"  # 工作人员
    unknown = "unknown"  # nothing tells


HEAD_ROLES = frozenset({PersonRole.principal, PersonRole.deputy, PersonRole.head})
ROLE_LABELS = {"principal": "正职负责人", "deputy": "副职负责人", "head": "负责人", "staff": "工作人员",
               "unknown": "身份不明"}


@dataclass(frozen=True)
class RosterPerson:
    id: int
    name: str
    post: str
    is_head: bool = False


def norm_name(name: str) -> str:
    """Names compared as printed: width folded, spaces OCR put between characters dropped."""
    return re.sub(r"[\s·•・]+", "", unicodedata.normalize("NFKC", name or ""))


def title_role(title: str | None) -> PersonRole:
    """What a post or title says about its holder: 副局长 a deputy, 局长 a principal, 科员 nothing."""
    t = norm_name(title or "")
    if not t:
        return PersonRole.unknown
    # 科长, 股长 and 室主任 head a section, not the agency; 副主任科员 is a civil-service grade.
    if re.search(r"(?:科|股|室|组)副?(?:长|主任)$", t) or "科员" in t:
        return PersonRole.staff
    if re.search(r"(?:副(?:局长|市长|县长|区长|镇长|乡长|主任|厅长|部长|处长|院长|主席|所长|队长|书记|署长|行长)"
                 r"|分管.*(?:领导|负责人)|副职)", t):
        return PersonRole.deputy
    if any(t.endswith(p) for p in PRINCIPAL_TITLES) or "正职" in t or t in ("负责人", "主要负责人"):
        return PersonRole.principal if t != "负责人" else PersonRole.head
    return PersonRole.unknown


def person_role(person: RosterPerson) -> PersonRole:
    """A roster entry's role: its post decides the rank; marked as head, an unranked post is still a head."""
    by_post = title_role(person.post)
    if by_post in (PersonRole.principal, PersonRole.deputy):
        return by_post
    if person.is_head:
        return PersonRole.head
    # Listed on the roster with a post that names no head rank: a staff member.
    return PersonRole.staff


def find_person(name: str | None, people: Iterable[RosterPerson]) -> RosterPerson | None:
    wanted = norm_name(name or "")
    if len(wanted) < 2:
        return None
    found = [p for p in people if norm_name(p.name) == wanted]
    return found[0] if len(found) == 1 else None


class Verdict(StrEnum):
    agrees = "agrees"  # the roster confirms what the document says
    fills = "fills"  # the document left the rank open; the roster tells it
    conflict = "conflict"  # the roster says otherwise: a person decides
    not_listed = "not_listed"  # the named person is not on the agency's roster


@dataclass(frozen=True)
class RosterJudgement:
    verdict: Verdict
    entry_id: int | None
    name: str
    post: str
    role: PersonRole
    reason: str  # Chinese, stored with the decision and shown to the reviewer
    fact: str | None = None  # the fact a conflict is about: head_present | head_role
    principal: bool | None = None  # the rank the roster fills (verdict fills)

    def as_json(self) -> dict[str, object]:
        return {"verdict": self.verdict.value, "entry_id": self.entry_id, "name": self.name, "post": self.post,
                "role": self.role.value, "reason": self.reason, "fact": self.fact, "principal": self.principal}


def judge_head(present: bool | None, principal: bool | None, name: str | None,
               people: Sequence[RosterPerson]) -> RosterJudgement | None:
    """The roster's word on a document's head appearance; None when the document names nobody who appeared
    or the agency has no roster."""
    if present is not True or not name or not people:
        return None
    person = find_person(name, people)
    if person is None:
        return RosterJudgement(Verdict.not_listed, None, name, "", PersonRole.unknown,
                               f"出庭负责人{name}不在本单位应诉人员名单中")
    role = person_role(person)
    listed = f"应诉人员名单：{person.name}，{person.post or '职务未填'}（{ROLE_LABELS[role]}）"
    if role == PersonRole.staff:
        return RosterJudgement(Verdict.conflict, person.id, person.name, person.post, role,
                               f"文书读作负责人出庭，但{listed}，请核实是否为负责人出庭", fact="head_present")
    read_rank = None if principal is None else (PersonRole.principal if principal else PersonRole.deputy)
    if role == PersonRole.head or read_rank == role:
        return RosterJudgement(Verdict.agrees, person.id, person.name, person.post, role, f"与{listed}相符")
    if read_rank is None:
        return RosterJudgement(Verdict.fills, person.id, person.name, person.post, role,
                               f"文书未写明正职/副职，按{listed}认定", principal=role == PersonRole.principal)
    said = "正职" if principal else "副职"
    return RosterJudgement(Verdict.conflict, person.id, person.name, person.post, role,
                           f"文书读作{said}负责人出庭，但{listed}，请核实", fact="head_role")


def plan_role(title: str | None, person: RosterPerson | None) -> PersonRole:
    """Who a planned appearance names: the roster decides when it lists the person, else the title."""
    if person is not None:
        return person_role(person)
    return title_role(title)
