"""The web UI on PostgreSQL: the same pages and a decision, on a database filled by the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from filing.bootstrap import App, bootstrap
from filing.config import load_settings
from filing.web.app import create_app
from store import models as m
from store.users import cheap_hasher
from tests.integration.test_web_security import login
from tests.support.databases import drop_pg_database, make_pg_database
from tests.support.webdata import REVIEWER, XSS, build

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path: Path) -> Iterator[App]:
    name = make_pg_database()
    try:
        build(tmp_path, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        app = bootstrap(load_settings(tmp_path / "config.yaml", environ={}))
        yield app
        app.engine.dispose()
    finally:
        drop_pg_database(name)


def test_pages_and_a_decision_on_postgresql(pg_app: App) -> None:
    c = TestClient(create_app(pg_app, hasher=cheap_hasher()), base_url="http://127.0.0.1")
    token = login(c, REVIEWER)
    queue = c.get("/queue").text
    assert "2 件待处理" in queue and XSS not in queue
    assert "（2026）鲁0481行初901号" in c.get("/cases?q=王示例").text
    with pg_app.uow() as uow:
        first = uow.session.scalar(select(m.Document.id).where(m.Document.match_status == "review")
                                   .order_by(m.Document.id))
    r = c.post(f"/queue/{first}/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with pg_app.uow() as uow:
        doc = uow.session.get(m.Document, first)
        assert doc is not None and doc.match_status == "confirmed"
        case_id = doc.case_id
    assert "人工确认归档" in c.get(f"/cases/{case_id}").text
    for path in ("/agencies", "/agencies/1", "/quarantine"):
        assert c.get(path).status_code == 200, path
