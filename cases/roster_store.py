"""The litigation staff roster in the store: add, edit, remove and import entries, each audited.

Contact emails are sender addresses (filing.adapters.sender_registry), so one email belongs to one agency:
an address registered to another agency, or on another agency's roster, is refused with the reason.
Errors are ValueError with a Chinese message for the person who typed or imported the entry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.roster import RosterPerson
from store import models as m

EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "负责人"})
_NO = frozenset({"", "否", "n", "no", "false", "0", "×"})


@dataclass(frozen=True)
class RosterRow:
    """One entry as typed or imported, not yet checked."""

    agency: str  # code, full name or short name (imports); empty when the caller knows the agency
    name: str
    post: str = ""
    qualification: str = ""
    phone: str = ""
    email: str = ""
    is_head: str | bool = ""


def parse_head_flag(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"“是否负责人”应填 是 或 否，收到“{value}”")


def entry_state(e: m.RosterEntry) -> dict[str, object]:
    return {"agency_id": e.agency_id, "name": e.name, "post": e.post, "qualification": e.qualification,
            "phone": e.phone, "email": e.email, "is_head": e.is_head}


def roster_people(s: Session, agency_id: int | None) -> list[RosterPerson]:
    if agency_id is None:
        return []
    rows = s.scalars(select(m.RosterEntry).where(m.RosterEntry.agency_id == agency_id).order_by(m.RosterEntry.id))
    return [RosterPerson(e.id, e.name, e.post, e.is_head) for e in rows]


def resolve_agency(s: Session, ref: str) -> m.Agency:
    text = ref.strip()
    if not text:
        raise ValueError("缺少单位")
    agencies = list(s.scalars(select(m.Agency)))
    for key in ("code", "name", "short_name"):
        found = [a for a in agencies if getattr(a, key) and (getattr(a, key) == text or
                                                            (key == "code" and a.code == text.lower()))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(f"单位“{text}”对应多个单位，请填写单位全称或代码")
    raise ValueError(f"单位“{text}”未登记")


def _clean(row: RosterRow) -> tuple[str, str, str, str, str | None, bool]:
    name = re.sub(r"\s+", "", row.name or "")
    if not name:
        raise ValueError("缺少姓名")
    if len(name) > 64:
        raise ValueError(f"姓名过长：{name[:20]}…")
    email = (row.email or "").strip().lower() or None
    if email and not EMAIL_RE.match(email):
        raise ValueError(f"邮箱格式不正确：{row.email}")
    post, qual, phone = ((x or "").strip() for x in (row.post, row.qualification, row.phone))
    if len(post) > 64 or len(qual) > 100 or len(phone) > 64:
        raise ValueError("职务、法律职业资格或联系电话过长")
    return name, post, qual, phone, email, parse_head_flag(row.is_head)


def _check_email(s: Session, agency_id: int, email: str | None, entry_id: int | None) -> None:
    if not email:
        return
    owner = s.scalar(select(m.AgencyAddress).where(m.AgencyAddress.address == email))
    if owner is not None and owner.agency_id != agency_id:
        raise ValueError(f"邮箱 {email} 已登记为其他单位（{owner.agency.name}）的报送邮箱")
    other = s.scalar(select(m.RosterEntry).where(m.RosterEntry.email == email, m.RosterEntry.agency_id != agency_id))
    if other is not None and other.id != entry_id:
        raise ValueError(f"邮箱 {email} 已是其他单位（{other.agency.name}）应诉人员 {other.name} 的联系邮箱")


def save_entry(s: Session, agency: m.Agency, row: RosterRow, actor: str,
               entry: m.RosterEntry | None = None) -> tuple[m.RosterEntry, str]:
    """Add (entry None: or update the agency's entry of that name) or edit one entry; returns it and
    what happened: added | updated | unchanged."""
    name, post, qual, phone, email, head = _clean(row)
    if entry is None:
        entry = s.scalar(select(m.RosterEntry).where(m.RosterEntry.agency_id == agency.id,
                                                      m.RosterEntry.name == name))
    clash = s.scalar(select(m.RosterEntry).where(m.RosterEntry.agency_id == agency.id, m.RosterEntry.name == name))
    if entry is not None and clash is not None and clash.id != entry.id:
        raise ValueError(f"{agency.name}已有名为{name}的应诉人员")
    _check_email(s, agency.id, email, entry.id if entry else None)
    if entry is None:
        entry = m.RosterEntry(agency_id=agency.id, name=name, post=post, qualification=qual, phone=phone,
                              email=email, is_head=head)
        s.add(entry)
        s.flush()
        s.add(m.AuditEntry(actor=actor, action="roster.add", object_type="roster_entry", object_id=entry.id,
                           before=None, after=entry_state(entry)))
        return entry, "added"
    before = entry_state(entry)
    entry.agency_id, entry.name, entry.post, entry.qualification = agency.id, name, post, qual
    entry.phone, entry.email, entry.is_head = phone, email, head
    after = entry_state(entry)
    if after == before:
        return entry, "unchanged"
    s.flush()
    s.add(m.AuditEntry(actor=actor, action="roster.edit", object_type="roster_entry", object_id=entry.id,
                       before=before, after=after))
    return entry, "updated"


def remove_entry(s: Session, entry: m.RosterEntry, actor: str) -> None:
    s.add(m.AuditEntry(actor=actor, action="roster.remove", object_type="roster_entry", object_id=entry.id,
                       before=entry_state(entry), after=None))
    s.delete(entry)
    s.flush()


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # Chinese, one per bad row: "第3行：…"
    agency_ids: set[int] = field(default_factory=set)  # agencies whose roster changed


def import_rows(s: Session, rows: Iterable[tuple[int, RosterRow]], actor: str) -> ImportReport:
    """Import rows (numbered as in the sheet): good rows are saved, each bad row is named with its reason."""
    report = ImportReport()
    seen: dict[tuple[int, str], int] = {}
    for number, row in rows:
        try:
            agency = resolve_agency(s, row.agency)
            key = (agency.id, re.sub(r"\s+", "", row.name or ""))
            if key in seen:
                raise ValueError(f"与第{seen[key]}行重复（同一单位同名人员）")
            # Every check of save_entry comes before it writes: a bad row leaves nothing behind.
            _entry, what = save_entry(s, agency, row, actor)
            seen[key] = number
        except ValueError as e:
            report.errors.append(f"第{number}行：{e}")
            continue
        setattr(report, what, getattr(report, what) + 1)
        if what != "unchanged":
            report.agency_ids.add(agency.id)
    return report


def roster_rows(s: Session, agency_ids: Sequence[int] | None = None) -> list[tuple[m.RosterEntry, m.Agency]]:
    stmt = (select(m.RosterEntry, m.Agency).join(m.Agency, m.RosterEntry.agency_id == m.Agency.id)
            .order_by(m.Agency.name, m.RosterEntry.id))
    if agency_ids is not None:
        stmt = stmt.where(m.RosterEntry.agency_id.in_(list(agency_ids)))
    return [(e, a) for e, a in s.execute(stmt).all()]


def roster_sender_addresses(s: Session) -> dict[str, str]:
    """Roster contact email → agency code, for emails on exactly one agency's roster."""
    owners: dict[str, set[str]] = defaultdict(set)
    stmt = (select(m.RosterEntry.email, m.Agency.code).join(m.Agency, m.RosterEntry.agency_id == m.Agency.id)
            .where(m.RosterEntry.email.is_not(None), m.Agency.active))
    for email, code in s.execute(stmt).all():
        if email:
            owners[email.lower()].add(code)
    return {addr: next(iter(codes)) for addr, codes in owners.items() if len(codes) == 1}
