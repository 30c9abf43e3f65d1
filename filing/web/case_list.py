"""The cases list: filters, sorting and paging in the query (LIMIT/OFFSET), one page of rows at a time.

Every filter but "missing documents" is a WHERE clause; the missing-document rules are Python (working
days, notice and hearing dates), so that filter runs over the ids the query selected, then pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from store import models as m
from terms.status import ACCEPTED_MATCHES, DocType, Outcome

PAGE_SIZE = 50
CHUNK = 500
# The statutory defense period after the notice to respond (行政诉讼法 第六十七条), as the list shows it.
DEFENSE_DAYS = 15

SORTS: dict[str, str] = {
    "new": "最新登记",
    "number": "案号",
    "agency": "单位",
    "hearing": "开庭时间",
    "notice": "应诉通知日期",
}
DEADLINES: dict[str, str] = {"7": "7 日内有期限", "30": "30 日内有期限", "overdue": "答辩期已过未报送答辩状"}
MISSING: dict[str, str] = {"yes": "缺少材料", "no": "材料齐全"}


@dataclass(frozen=True)
class CaseFilter:
    """What the list shows; parsed from the query string, turned back into links."""

    q: str = ""
    agency: int | None = None
    outcome: str = ""  # an Outcome value or ""
    instance: str = ""  # a case type such as 行初, 行终
    missing: str = ""  # yes | no | ""
    deadline: str = ""  # 7 | 30 | overdue | ""
    sort: str = "new"
    desc: bool = False
    page: int = 1

    @staticmethod
    def parse(q: str = "", agency: str = "", outcome: str = "", instance: str = "", missing: str = "",
              deadline: str = "", sort: str = "new", desc: str = "", page: str = "1") -> CaseFilter:
        """Lenient: an unknown value is ignored, not an error (a hand-edited link still opens)."""
        return CaseFilter(
            q=q.strip(),
            agency=int(agency) if agency.isdigit() else None,
            outcome=outcome if outcome in Outcome.__members__ else "",
            instance=instance.strip()[:8],
            missing=missing if missing in MISSING else "",
            deadline=deadline if deadline in DEADLINES else "",
            sort=sort if sort in SORTS else "new",
            desc=desc == "1",
            page=max(int(page), 1) if page.isdigit() else 1,
        )

    def params(self, **change: object) -> str:
        """The query string of this filter with some values changed (for page and sort links)."""
        f = replace(self, **change)  # type: ignore[arg-type]
        pairs = {
            "q": f.q, "agency": f.agency or "", "outcome": f.outcome, "instance": f.instance,
            "missing": f.missing, "deadline": f.deadline, "sort": "" if f.sort == "new" else f.sort,
            "desc": "1" if f.desc else "", "page": "" if f.page == 1 else f.page,
        }
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})

    @property
    def active(self) -> bool:
        return any((self.q, self.agency, self.outcome, self.instance, self.missing, self.deadline))


@dataclass(frozen=True)
class CasePage:
    cases: list[m.Case]
    total: int
    page: int
    pages: int


def _defense_filed() -> ColumnElement[bool]:
    return exists().where(
        m.Document.case_id == m.Case.id,
        m.Document.doc_type == DocType.defense,
        m.Document.match_status.in_(ACCEPTED_MATCHES),
    )


def _deadline_clause(kind: str, today: date) -> ColumnElement[bool]:
    defense_open = and_(m.Case.outcome == Outcome.pending, ~_defense_filed(), m.Case.notice_date.is_not(None))
    if kind == "overdue":
        return and_(defense_open, m.Case.notice_date < today - timedelta(days=DEFENSE_DAYS))
    days = int(kind)
    start, end = datetime.combine(today, time.min), datetime.combine(today + timedelta(days=days), time.max)
    # due = notice + 15 days within [today, today + N]  <=>  notice within [today - 15, today + N - 15].
    defense_due = and_(
        defense_open,
        m.Case.notice_date >= today - timedelta(days=DEFENSE_DAYS),
        m.Case.notice_date <= today + timedelta(days=days - DEFENSE_DAYS),
    )
    return or_(m.Case.hearing_at.between(start, end), defense_due)


def _order(stmt: Select[m.Case], f: CaseFilter) -> Select[m.Case]:
    def way(col: Any) -> Any:
        # NULLs (no number, no hearing) sort last either way: the is_(None) key comes first.
        return col.desc() if f.desc else col.asc()

    if f.sort == "number":
        stmt = stmt.order_by(m.Case.case_number.is_(None), way(m.Case.case_number))
    elif f.sort == "agency":
        agency_name = (
            select(func.coalesce(m.Agency.short_name, m.Agency.name)).where(m.Agency.id == m.Case.agency_id)
            .scalar_subquery()
        )
        stmt = stmt.order_by(agency_name.is_(None), way(agency_name))
    elif f.sort == "hearing":
        stmt = stmt.order_by(m.Case.hearing_at.is_(None), way(m.Case.hearing_at))
    elif f.sort == "notice":
        stmt = stmt.order_by(m.Case.notice_date.is_(None), way(m.Case.notice_date))
    else:  # new: the newest case first unless reversed
        return stmt.order_by(m.Case.id.asc() if f.desc else m.Case.id.desc())
    return stmt.order_by(m.Case.id.desc())


def filtered_query(f: CaseFilter, today: date, search_ids: list[int] | None) -> Select[m.Case]:
    stmt = select(m.Case)
    if search_ids is not None:
        stmt = stmt.where(m.Case.id.in_(search_ids))
    if f.agency is not None:
        stmt = stmt.where(m.Case.agency_id == f.agency)
    if f.outcome:
        stmt = stmt.where(m.Case.outcome == f.outcome)
    if f.instance:
        stmt = stmt.where(m.Case.case_type == f.instance)
    if f.deadline:
        stmt = stmt.where(_deadline_clause(f.deadline, today))
    return _order(stmt, f)


def list_page(
    s: Session,
    f: CaseFilter,
    today: date,
    missing: Callable[[Session, m.Case, date], list[str]] | None,
    search: Callable[[Session, str, int], list[m.Case]],
    page_size: int = PAGE_SIZE,
) -> CasePage:
    """One page of the filtered, sorted list and the number of cases in all."""
    search_ids = [c.id for c in search(s, f.q, 100_000)] if f.q else None
    stmt = filtered_query(f, today, search_ids)
    if f.missing and missing is not None:
        # The rules are Python: select ids in order, keep those that match, then page.
        kept = _with_missing(s, list(s.scalars(stmt)), today, missing, f.missing == "yes")
        total = len(kept)
        pages = max(1, -(-total // page_size))
        page = min(f.page, pages)
        return CasePage(kept[(page - 1) * page_size: page * page_size], total, page, pages)
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(f.page, pages)
    rows = list(s.scalars(stmt.limit(page_size).offset((page - 1) * page_size)))
    return CasePage(rows, total, page, pages)


EXPORT_LIMIT = 50_000  # rows in one CSV/XLSX download; far above any bureau's case count


def all_filtered(
    s: Session,
    f: CaseFilter,
    today: date,
    missing: Callable[[Session, m.Case, date], list[str]] | None,
    search: Callable[[Session, str, int], list[m.Case]],
) -> list[m.Case]:
    """Every case of the filtered, sorted list (all pages), for a download."""
    search_ids = [c.id for c in search(s, f.q, 100_000)] if f.q else None
    # Their agencies with them: the rows and the rules read each case's agency (a lazy load per case).
    cases = list(s.scalars(filtered_query(f, today, search_ids).limit(EXPORT_LIMIT)
                           .options(selectinload(m.Case.agency))))
    if f.missing and missing is not None:
        cases = _with_missing(s, cases, today, missing, f.missing == "yes")
    return cases


def _with_missing(s: Session, cases: list[m.Case], today: date,
                  missing: Callable[[Session, m.Case, date], list[str]], want: bool) -> list[m.Case]:
    """The cases that miss documents (`want`) or do not; the rules run for all the cases at once (their
    documents a chunk per query, the review queue read once) when `missing` offers that."""
    many = getattr(missing, "many", None)
    found = many(s, cases, today) if many is not None else {c.id: missing(s, c, today) for c in cases}
    return [c for c in cases if bool(found[c.id]) == want]


def agency_options(s: Session) -> list[tuple[int, str]]:
    return [(a.id, a.short_name or a.name) for a in s.scalars(select(m.Agency).order_by(m.Agency.name))]


def instance_options(s: Session) -> list[str]:
    return [t for t in s.scalars(select(m.Case.case_type).distinct().where(m.Case.case_type.is_not(None))) if t]
