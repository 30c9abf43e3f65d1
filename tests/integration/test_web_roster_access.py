"""Who may do what on the roster and watch pages, over real HTTP (Starlette TestClient): pages need a
session, roster edits need an admin and a CSRF token, the calendar feed needs only its token and dies with
the user's account."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from store import models as m
from tests.integration.test_web_security import login
from tests.support.webdata import REVIEWER, WebData


@pytest.fixture
def client(web_api: FastAPI) -> TestClient:
    return TestClient(web_api, base_url="http://127.0.0.1")


@pytest.mark.parametrize("path", ["/roster", "/roster/export.xlsx", "/roster/1", "/watch"])
def test_pages_need_a_session(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_reviewer_reads_the_roster_but_cannot_change_it(client: TestClient, web_data: WebData) -> None:
    token = login(client, REVIEWER)
    page = client.get("/roster")
    assert page.status_code == 200 and "应诉人员名单" in page.text and 'id="roster-add"' not in page.text
    r = client.post("/roster", data={"agency_id": "1", "name": "张三", "csrf_token": token})
    assert r.status_code == 403 and "管理员" in r.text
    files = {"file": ("a.xlsx", b"PK", "application/octet-stream")}
    assert client.post("/roster-import", data={"csrf_token": token}, files=files).status_code == 403
    with web_data.app.uow() as uow:
        assert uow.session.scalar(select(m.RosterEntry)) is None
    # Without the CSRF token nothing changes either.
    assert client.post("/watch/feed", data={}).status_code == 403
    # A reviewer may record who will appear, and get a calendar feed.
    assert client.get("/watch").status_code == 200


def test_feed_needs_only_its_token_and_dies_with_the_account(client: TestClient, web_data: WebData) -> None:
    token = login(client, REVIEWER)
    page = client.post("/watch/feed", data={"csrf_token": token})
    assert page.status_code == 200
    found = re.search(r'id="feed-url" value="http://127\.0\.0\.1(/calendar/[^"]+\.ics)"', page.text)
    assert found, page.text
    anonymous = TestClient(client.app, base_url="http://127.0.0.1")
    r = anonymous.get(found.group(1))
    assert r.status_code == 200 and r.text.startswith("BEGIN:VCALENDAR")
    assert anonymous.get("/calendar/" + "x" * 43 + ".ics").status_code == 404
    with web_data.app.uow() as uow:
        user = uow.session.scalar(select(m.User).where(m.User.name == REVIEWER))
        assert user is not None
        user.active = False
        uow.commit()
    assert anonymous.get(found.group(1)).status_code == 404
