"""Every review-queue decision through the web forms: stored, audited, and the next item opens."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from store import models as m
from tests.integration.test_web_security import login
from tests.support.webdata import ADMIN, REVIEWER, WebData


def client_for(api: FastAPI, name: str = REVIEWER) -> tuple[TestClient, str]:
    c = TestClient(api, base_url="http://127.0.0.1")
    return c, login(c, name)


def audit(data: WebData) -> list[tuple[str, int | None, str]]:
    with data.app.uow() as uow:
        rows = uow.session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id))
        return [(a.action, a.object_id, a.actor) for a in rows]


def test_split_then_merge_pages(web_api: FastAPI, web_data: WebData) -> None:
    c, token = client_for(web_api)
    page = c.get("/queue/4").text
    assert "拆分" in page and "第 1–2 页" in page
    r = c.post("/queue/4/split", data={"csrf_token": token, "at_page": "2"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue/4"
    with web_data.app.uow() as uow:
        q = select(m.Document).where(m.Document.attachment_id == 4).order_by(m.Document.id)
        docs = uow.session.scalars(q).all()
        assert [(d.first_page, d.last_page) for d in docs] == [(1, 1), (2, 2)]
        new_id = docs[1].id
    assert "已在第 2 页前拆分" in c.get("/queue/4").text
    r = c.post("/queue/4/merge", data={"csrf_token": token, "other_id": str(new_id)}, follow_redirects=False)
    assert r.status_code == 303
    with web_data.app.uow() as uow:
        docs = uow.session.scalars(select(m.Document).where(m.Document.attachment_id == 4)).all()
        assert [(d.first_page, d.last_page) for d in docs] == [(1, 2)]
    actions = [a[:2] for a in audit(web_data)]
    assert ("split", 4) in actions and ("merge", 4) in actions


def test_change_type_then_not_litigation_opens_the_next_item(web_api: FastAPI, web_data: WebData) -> None:
    c, token = client_for(web_api)
    r = c.post("/queue/4/type", data={"csrf_token": token, "doc_type": "other"}, follow_redirects=False)
    assert r.headers["location"] == "/queue/4"  # still to be filed: stays open
    r = c.post("/queue/4/not-litigation", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == "/queue/5"
    with web_data.app.uow() as uow:
        d = uow.session.get(m.Document, 4)
        assert d is not None and d.doc_type == "other" and d.match_status == "not_litigation" and d.case_id is None
    assert ("change_type", 4, REVIEWER) in audit(web_data) and ("not_litigation", 4, REVIEWER) in audit(web_data)
    # An unknown type is refused with a message, not a crash.
    r = c.post("/queue/5/type", data={"csrf_token": token, "doc_type": "bogus"})
    assert r.status_code == 200 and "操作失败" in r.text


def test_create_a_case_from_a_document(web_api: FastAPI, web_data: WebData) -> None:
    c, token = client_for(web_api, ADMIN)
    bad = c.post("/queue/5/create-case", data={"csrf_token": token, "case_number": "不是案号"})
    assert "操作失败" in bad.text
    r = c.post("/queue/5/create-case", data={"csrf_token": token, "case_number": "（2026）鲁0481行初950号"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue/4"  # the remaining item
    with web_data.app.uow() as uow:
        case = uow.session.scalar(select(m.Case).where(m.Case.case_number == "（2026）鲁0481行初950号"))
        assert case is not None
        case_id = case.id
        d = uow.session.get(m.Document, 5)
        assert d is not None and d.case_id == case_id and d.match_status == "confirmed"
    assert ("create_case", case_id, ADMIN) in audit(web_data)
    page = c.get(f"/cases/{case_id}").text
    assert "（2026）鲁0481行初950号" in page and "起诉状" in page


def test_deciding_the_last_item_returns_to_the_empty_queue(web_api: FastAPI, web_data: WebData) -> None:
    c, token = client_for(web_api)
    r = c.post("/queue/4/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == "/queue/5"
    r = c.post("/queue/5/reassign", data={"csrf_token": token, "case_id": "2"}, follow_redirects=False)
    assert r.headers["location"] == "/queue"
    assert "队列已清空" in c.get("/queue").text
    filed = c.get("/queue/5").text
    assert "当前归入" in filed and "（2026）鲁0481行初902号" in filed
    timeline = c.get("/cases/2").text
    assert "改归本案（文书 5）" in timeline and f"操作人 {REVIEWER}" in timeline


def test_admin_discards_a_quarantined_message_and_adds_an_agency(web_api: FastAPI, web_data: WebData) -> None:
    c, token = client_for(web_api, ADMIN)
    r = c.post("/quarantine/5/discard", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "隔离区为空" in c.get("/quarantine").text
    r = c.post("/agencies", data={"csrf_token": token, "code": "zrj", "name": "滕州市自然资源局",
                                  "short_name": "自然资源局", "addresses": "zrj@agency.example.invalid"},
               follow_redirects=False)
    assert r.status_code == 303
    dup = c.post("/agencies", data={"csrf_token": token, "code": "zrj", "name": "重复"})
    assert "已存在" in dup.text
    taken = c.post("/agencies", data={"csrf_token": token, "code": "other", "name": "另一单位",
                                      "addresses": "zrj@agency.example.invalid"})
    assert "已登记在其他单位" in taken.text
    with web_data.app.uow() as uow:
        s = uow.session
        msg = s.get(m.Message, 5)
        assert msg is not None and msg.status == "discarded"
        agency = s.scalar(select(m.Agency).where(m.Agency.code == "zrj"))
        assert agency is not None and [a.address for a in agency.addresses] == ["zrj@agency.example.invalid"]
        agency_id = agency.id
        assert s.scalar(select(m.Agency).where(m.Agency.code == "other")) is None
    assert ("discard", 5, ADMIN) in audit(web_data) and ("agency.add", agency_id, ADMIN) in audit(web_data)


def test_unreadable_files_and_unfiled_messages_are_shown(web_api: FastAPI, web_data: WebData) -> None:
    c, _token = client_for(web_api)
    item = c.get("/queue/4").text  # the defense arrived with a damaged second file
    assert "扫描件.pdf" in item and "无法读取" in item
    problems = c.get("/quarantine").text
    assert "未能归档的邮件" in problems and "咨询：报备材料的格式" in problems and "无附件" in problems
    assert "请问答辩状需要盖章吗？" in problems
