"""The cases list's filters, sorting and paging run in the query, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.review import search_cases
from filing.web.case_list import CaseFilter, list_page
from store import models as m
from tests.integration.test_matching import session

__all__ = ["session"]
TODAY = date(2026, 4, 1)


def _cases(s: Session) -> dict[str, m.Case]:
    zrj = s.scalar(select(m.Agency.id).where(m.Agency.code == "zrj"))
    gaj = s.scalar(select(m.Agency.id).where(m.Agency.code == "gaj"))
    out = {}
    for i in range(1, 61):
        c = m.Case(case_number=f"（2026）鲁0481行初{i}号", case_type="行初" if i % 10 else "行终",
                   agency_id=zrj if i % 2 else gaj, plaintiffs=[f"原告{i}"], third_parties=[],
                   outcome="agency_won" if i % 3 == 0 else "pending")
        s.add(c)
        out[str(i)] = c
    out["3"].hearing_at = datetime(2026, 4, 5, 9, 0)  # in 4 days
    out["4"].notice_date = date(2026, 3, 20)  # defense due 04-04, none filed
    out["5"].notice_date = date(2026, 2, 1)  # defense long overdue
    s.flush()
    return out


def page(s: Session, rules: object = None, **kw: str) -> tuple[list[str], int, int]:
    found = list_page(s, CaseFilter.parse(**kw), TODAY, rules, search_cases)  # type: ignore[arg-type]
    return [c.case_number or "" for c in found.cases], found.total, found.pages


def test_paging_reaches_every_case(session: Session) -> None:
    _cases(session)
    first, total, pages = page(session)
    assert total == 60 and pages == 2 and len(first) == 50 and first[0].endswith("行初60号")
    second, _, _ = page(session, page="2")
    assert len(second) == 10 and not set(first) & set(second)
    assert page(session, page="99")[0] == second  # past the end: the last page


def test_filters_and_sorting(session: Session) -> None:
    cases = _cases(session)
    zrj = cases["1"].agency_id
    numbers, total, _ = page(session, agency=str(zrj), outcome="agency_won")
    assert total == 10 and all(int(n.split("行")[1][1:-1]) % 6 == 3 for n in numbers)
    assert page(session, instance="行终")[1] == 6
    soon, _, _ = page(session, deadline="7")
    assert sorted(soon) == sorted([cases["3"].case_number, cases["4"].case_number])
    assert page(session, deadline="overdue")[0] == [cases["5"].case_number]
    hearing_first = page(session, sort="hearing")[0]
    assert hearing_first[0] == cases["3"].case_number
    oldest = page(session, desc="1")[0]
    assert oldest[0].endswith("行初1号")
    assert page(session, q="原告17")[0] == [cases["17"].case_number]


def test_missing_filter_pages_after_the_rules(session: Session) -> None:
    cases = _cases(session)
    odd = {c.id for k, c in cases.items() if int(k) % 2}

    def missing(_s: Session, c: m.Case, _d: date) -> list[str]:
        return ["defense"] if c.id in odd else []

    numbers, total, pages = page(session, rules=missing, missing="yes")
    assert total == 30 and pages == 1 and all(int(n.split("行")[1][1:-1]) % 2 for n in numbers)
    assert page(session, rules=missing, missing="no")[1] == 30


def test_links_keep_the_filter() -> None:
    f = CaseFilter.parse(q="张三", agency="3", sort="hearing", desc="1", page="2")
    assert f.params(page=3) == "q=%E5%BC%A0%E4%B8%89&agency=3&sort=hearing&desc=1&page=3"
    assert CaseFilter.parse(agency="x", outcome="nonsense", page="-1") == CaseFilter()
