"""Readers that walk many cases in batches (`filing export`, the case list's download) read the review queue
once, not once per batch (batches x waiting documents grew with the square of the store, issue 23), and
give each case the missing documents the rules give it alone. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.review import search_cases
from filing import service
from filing.adapters import notify_settings, work_calendar
from filing.bootstrap import App, bootstrap
from filing.config import Settings
from filing.service import MissingRules, missing_for_cases
from filing.web import queries
from filing.web.case_list import CaseFilter, all_filtered, list_page
from filing.web.queries import case_rows
from notify.reminders import load_case_snapshots, not_waiting, waiting_by_agency, waiting_types
from store import models as m
from terms.rules import compute_missing
from tests.integration.test_matching import D, message, session
from tests.integration.test_statement_counts import AS_OF, grow
from tests.integration.test_web_security import login
from tests.support.webdata import REVIEWER, WebData

__all__ = ["session"]


def app_of(db_url: str, tmp_path: Path) -> App:
    settings = {"database": {"url": db_url}, "storage": {"path": str(tmp_path / "blobs")}}
    return bootstrap(Settings.model_validate(settings))


def queue_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every read of the review queue by the missing-document service, counted."""
    calls: list[int] = []
    real = service.waiting_by_agency

    def counted(*a: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(service, "waiting_by_agency", counted)
    return calls


def seeded(s: Session) -> list[m.Case]:
    """Cases with a waiting defense each (no number: it may be any of the agency's cases), and one waiting
    summons that carries a case's number (it holds that case's summons only)."""
    grow(s, 7)
    cases = list(s.scalars(select(m.Case).order_by(m.Case.id)))
    numbered = message(s, [[D("summons", cases[2].case_number)]])
    numbered.status = "filed"
    for att in numbered.attachments:
        for d in att.documents:
            d.match_status, d.case_id = "review", None
    s.commit()
    return cases


def test_missing_rules_read_the_queue_once_and_agree_with_the_plain_walk(
    session: Session, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = seeded(session)
    app = app_of(db_url, tmp_path)
    day = date(2026, 12, 31)
    # What the rules give, walking every waiting document of the agency for each case (the old way).
    ns = notify_settings(app.settings)
    snaps = load_case_snapshots(session, cases, ns)
    waiting = waiting_by_agency(session, ns)
    rules_say = {c.id: compute_missing(snaps[c.id], day, work_calendar(app.settings), ns.rules) for c in cases}
    want = {c.id: not_waiting(rules_say[c.id], waiting_types(waiting.get(c.agency_id or -1, []), c.id,
                                                              c.case_number, day))
            for c in cases}
    assert any(want.values())
    assert any(rules_say[c.id] != want[c.id] for c in cases)  # the queue holds some
    reads = queue_reads(monkeypatch)
    rules = MissingRules(app)
    batched: dict[int, list[str]] = {}
    for i in range(0, len(cases), 2):
        batched.update(rules(session, cases[i : i + 2], day))
    assert batched == want
    assert len(reads) == 1
    alone = {c.id: missing_for_cases(app, session, [c], day)[c.id] for c in cases}
    assert alone == want
    app.engine.dispose()


class CountedMissing:
    """The web's missing-document rules (per case, or a list at once), counting the list calls."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.lists = 0

    def __call__(self, s: Session, case: m.Case, day: date) -> list[str]:
        return missing_for_cases(self.app, s, [case], day)[case.id]

    def many(self, s: Session, cases: Sequence[m.Case], day: date) -> Mapping[int, list[str]]:
        self.lists += 1
        return missing_for_cases(self.app, s, cases, day)


def test_the_download_reads_missing_lists_once_whatever_its_length(
    session: Session, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(session)
    app = app_of(db_url, tmp_path)
    cases = all_filtered(session, CaseFilter(), AS_OF, CountedMissing(app), search_cases)
    want = case_rows(session, cases, AS_OF, CountedMissing(app))
    monkeypatch.setattr(queries, "ROWS_CHUNK", 2)  # many chunks of documents: the same rows
    missing = CountedMissing(app)
    reads = queue_reads(monkeypatch)
    assert case_rows(session, cases, AS_OF, missing) == want
    assert missing.lists == 1 and len(reads) == 1
    # The missing filter too: the rules run once over every case the query selected.
    missing = CountedMissing(app)
    found = list_page(session, CaseFilter(missing="yes"), AS_OF, missing, search_cases)
    assert missing.lists == 1 and found.total == sum(1 for r in want if r.missing)
    app.engine.dispose()


def test_the_csv_download_reads_the_queue_once(web_api: FastAPI, web_data: WebData,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /cases/export.csv: every case once, the review queue read once however many chunks its rows take."""
    client = TestClient(web_api, base_url="http://127.0.0.1")
    login(client, REVIEWER)
    whole = client.get("/cases/export.csv")
    assert whole.status_code == 200
    monkeypatch.setattr(queries, "ROWS_CHUNK", 1)
    reads = queue_reads(monkeypatch)
    chunked = client.get("/cases/export.csv")
    assert chunked.content == whole.content and len(reads) == 1
    with web_data.app.uow() as uow:
        n = uow.session.scalar(select(func.count()).select_from(m.Case))
    assert n and len(whole.content.decode("utf-8-sig").splitlines()) == n + 1  # the header, a row per case
