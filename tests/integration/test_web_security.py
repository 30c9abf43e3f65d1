"""The web UI's security properties over real HTTP (Starlette TestClient) on an imported database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from filing.web.sessions import COOKIE
from filing.web.templating import TEMPLATES_DIR, make_env
from store import models as m
from tests.support.webdata import ADMIN, PASSWORD, REVIEWER, XSS, WebData

PAGES = ["/", "/queue", "/queue/1", "/cases", "/cases/1", "/agencies", "/agencies/1", "/quarantine",
         "/files/attachment/1", "/files/page/1/preview.png", "/files/message/1.eml", "/reports",
         "/reports/assessment"]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def login(client: TestClient, name: str = ADMIN, password: str = PASSWORD) -> str:
    """Log in through the form; return the CSRF token of the new session."""
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"name": name, "password": password, "next": "/queue", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/queue").text)


@pytest.fixture
def client(web_api: FastAPI) -> TestClient:
    return TestClient(web_api, base_url="http://127.0.0.1")


def audit_count(data: WebData, action: str) -> int:
    with data.app.uow() as uow:
        q = select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action == action)
        return uow.session.scalar(q) or 0


@pytest.mark.parametrize("path", PAGES)
def test_every_page_redirects_to_login_without_a_session(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_login_page_is_public_and_the_session_cookie_is_locked_down(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200 and "工作人员登录" in r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_security_headers_on_pages(client: TestClient) -> None:
    login(client)
    r = client.get("/queue")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"


def test_wrong_password_is_refused_and_failures_are_rate_limited(client: TestClient, web_data: WebData) -> None:
    token = csrf_of(client.get("/login").text)
    codes = [client.post("/login", data={"name": REVIEWER, "password": "wrong password", "csrf_token": token},
                         follow_redirects=False).status_code for _ in range(5)]
    assert codes[:3] == [401] * 3 and codes[3:] == [429, 429]
    # Waiting means waiting: the right password is not even checked during the delay.
    r = client.post("/login", data={"name": REVIEWER, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 429 and "次数过多" in r.text and int(r.headers["retry-after"]) >= 1
    assert audit_count(web_data, "login_failed") == 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _post_login(c: TestClient, name: str, password: str) -> int:
    token = csrf_of(c.get("/login").text)
    return c.post("/login", data={"name": name, "password": password, "csrf_token": token},
                  follow_redirects=False).status_code


def _throttled_app(web_data: WebData, clock: FakeClock, proxies: list[str] | None = None) -> FastAPI:
    from filing.web.app import create_app
    from filing.web.throttle import LoginThrottle, ThrottlePolicy
    from tests.support.webdata import cheap_hasher

    if proxies is not None:
        web = web_data.app.settings.web.model_copy(update={"trusted_proxies": proxies})
        web_data.app.settings = web_data.app.settings.model_copy(update={"web": web})
    return create_app(web_data.app, hasher=cheap_hasher(), throttle=LoginThrottle(ThrottlePolicy(), clock))


def test_a_stranger_cannot_lock_the_admin_out(web_data: WebData) -> None:
    clock = FakeClock()
    api = _throttled_app(web_data, clock)
    owner_device = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.7", 5000))
    assert _post_login(owner_device, ADMIN, PASSWORD) == 303  # the admin has used this browser before
    attacker = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.66", 5000))
    codes = []
    for _ in range(30):  # guessing for hours, waiting out every delay
        codes.append(_post_login(attacker, ADMIN, "guess"))
        clock.now += 60
    assert codes[:3] == [401] * 3 and codes.count(401) < 15  # half his tries were not even checked
    token = csrf_of(attacker.get("/login").text)
    r = attacker.post("/login", data={"name": ADMIN, "password": PASSWORD, "csrf_token": token},
                      follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 60  # his own delay grew past a minute
    clock.now += int(r.headers["retry-after"])
    assert _post_login(attacker, ADMIN, "guess") == 401  # he has just failed again
    # The admin's known browser gets in at once; a new browser after at most the account's one-minute cap.
    fresh = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.8", 5000))
    assert _post_login(fresh, ADMIN, PASSWORD) == 429
    owner_device.cookies.delete(COOKIE)
    assert _post_login(owner_device, ADMIN, PASSWORD) == 303
    clock.now += 61
    assert _post_login(fresh, ADMIN, PASSWORD) == 303


def test_forwarded_for_from_an_untrusted_peer_is_ignored(web_data: WebData) -> None:
    clock = FakeClock()
    api = _throttled_app(web_data, clock, proxies=["10.0.0.1"])
    direct = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.66", 5000))
    # A fresh made-up X-Forwarded-For on every try: the limit still follows the real peer.
    codes = []
    for i in range(5):
        token = csrf_of(direct.get("/login").text)
        codes.append(direct.post("/login", data={"name": REVIEWER, "password": "x", "csrf_token": token},
                                 headers={"X-Forwarded-For": f"192.0.2.{i}"}, follow_redirects=False).status_code)
    assert codes == [401, 401, 401, 429, 429]
    with web_data.app.uow() as uow:
        clients = [a.after["client"] for a in uow.session.scalars(
            select(m.AuditEntry).where(m.AuditEntry.action == "login_failed"))]
    assert clients == ["10.0.0.66"] * 3
    # Behind the configured proxy the client is the address it forwarded (the last one it added).
    proxy = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.1", 5000))
    token = csrf_of(proxy.get("/login").text)
    r = proxy.post("/login", data={"name": ADMIN, "password": "x", "csrf_token": token},
                   headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.4"}, follow_redirects=False)
    assert r.status_code == 401
    with web_data.app.uow() as uow:
        last = uow.session.scalars(select(m.AuditEntry.after).where(m.AuditEntry.action == "login_failed")
                                   .order_by(m.AuditEntry.id.desc())).first()
    assert last is not None and last["client"] == "198.51.100.4"


def test_cookies_are_secure_behind_a_tls_proxy_only_when_it_is_trusted(web_data: WebData) -> None:
    api = _throttled_app(web_data, FakeClock(), proxies=["10.0.0.1"])
    behind = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.1", 5000))
    assert "Secure" in behind.get("/login", headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    stranger = TestClient(api, base_url="http://127.0.0.1", client=("10.0.0.66", 5000))
    assert "Secure" not in stranger.get("/login", headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]


def test_login_rotates_the_session_and_logout_revokes_it(client: TestClient, web_data: WebData) -> None:
    before = csrf_of(client.get("/login").text)
    after = login(client)
    assert after != before
    old_cookie = client.cookies.get(COOKIE)
    assert client.get("/queue", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": after}, follow_redirects=False)
    assert client.get("/queue", follow_redirects=False).status_code == 303
    # A copy of the logged-in cookie is worthless after logout.
    client.cookies.clear()
    client.cookies.set(COOKIE, old_cookie or "")
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert audit_count(web_data, "login") == 1 and audit_count(web_data, "logout") == 1


def test_a_logged_out_session_stays_revoked_after_a_restart(web_data: WebData) -> None:
    from filing.web.app import create_app
    from tests.support.webdata import cheap_hasher

    first = TestClient(create_app(web_data.app, hasher=cheap_hasher()), base_url="http://127.0.0.1")
    token = login(first)
    copied = first.cookies.get(COOKIE)
    first.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    # A new process (nothing in memory) on the same database and secret: the copy still opens nothing.
    restarted = TestClient(create_app(web_data.app, hasher=cheap_hasher()), base_url="http://127.0.0.1")
    restarted.cookies.set(COOKIE, copied or "")
    r = restarted.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # While a session nobody ended keeps working across the restart.
    other = TestClient(create_app(web_data.app, hasher=cheap_hasher()), base_url="http://127.0.0.1")
    login(other, REVIEWER)
    again = TestClient(create_app(web_data.app, hasher=cheap_hasher()), base_url="http://127.0.0.1")
    again.cookies.set(COOKIE, other.cookies.get(COOKIE) or "")
    assert again.get("/queue", follow_redirects=False).status_code == 200


def test_absurd_ids_and_queries_are_refused_not_crashed(client: TestClient) -> None:
    login(client)
    assert client.get(f"/cases/{2**63}", follow_redirects=False).status_code == 404
    assert client.get("/queue/99999999999999999999999", follow_redirects=False).status_code == 404
    assert client.get("/cases", params={"q": "案" * 3000}, follow_redirects=False).status_code == 400
    # % and _ in a search are letters, not wildcards that match every case.
    everything = client.get("/cases").text.count("/cases/")
    assert everything > 0 and client.get("/cases", params={"q": "%"}).text.count("/cases/") < everything


def test_a_forged_session_cookie_is_ignored(client: TestClient) -> None:
    login(client)
    value = client.cookies.get(COOKIE) or ""
    client.cookies.clear()
    client.cookies.set(COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_post_without_or_with_a_wrong_csrf_token_is_refused(client: TestClient, web_data: WebData) -> None:
    token = login(client)
    for data in ({}, {"csrf_token": "not-the-token"}, {"csrf_token": token + "x"}):
        r = client.post("/queue/4/confirm", data=data, follow_redirects=False)
        assert r.status_code == 403, data
        assert "CSRF" in r.text
    # A cross-site Origin is refused even with the right token.
    r = client.post("/queue/4/confirm", data={"csrf_token": token}, headers={"Origin": "http://evil.example"},
                    follow_redirects=False)
    assert r.status_code == 403
    with web_data.app.uow() as uow:
        assert uow.session.get(m.Document, 4).match_status == "review"  # type: ignore[union-attr]
    assert audit_count(web_data, "confirm") == 0
    r = client.post("/queue/4/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with web_data.app.uow() as uow:
        doc = uow.session.get(m.Document, 4)
        assert doc is not None and doc.match_status == "confirmed"
        entry = uow.session.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "confirm"))
        assert entry is not None and entry.actor == ADMIN and entry.object_id == 4


def test_the_login_form_itself_needs_the_csrf_token(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"name": ADMIN, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403


def test_autoescape_is_on_and_no_template_marks_text_safe() -> None:
    env = make_env()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x=XSS) == "&lt;script&gt;window.__xss=1&lt;/script&gt;"
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, path.name
        assert "<script>" not in text and " style=" not in text and " on" + "click" not in text, path.name


def test_hostile_subject_filename_and_text_are_escaped(client: TestClient) -> None:
    login(client)
    for path in ("/queue/5", "/queue", "/quarantine"):
        html = client.get(path).text
        assert XSS not in html, path
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, path


def test_files_are_downloads_with_safe_headers(client: TestClient, web_data: WebData) -> None:
    login(client)
    with web_data.app.uow() as uow:
        hostile = uow.session.scalar(select(m.Attachment.id).where(m.Attachment.filename.startswith(XSS)))
    r = client.get(f"/files/attachment/{hostile}")  # the PDF whose name carries a <script>
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "<" not in disposition
    assert "filename*=UTF-8''%3Cscript%3E" in disposition
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    raw = client.get("/files/message/5.eml")
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"].startswith("attachment;")
    png = client.get("/files/page/1/preview.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert png.headers["content-disposition"].startswith("inline;")


def test_reviewers_cannot_edit_agencies_or_release_mail(client: TestClient, web_data: WebData) -> None:
    token = login(client, REVIEWER)
    r = client.post("/agencies/1", data={"csrf_token": token, "name": "改名", "addresses": ""}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/quarantine/5/discard", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403
    with web_data.app.uow() as uow:
        assert uow.session.get(m.Agency, 1).name != "改名"  # type: ignore[union-attr]
        assert uow.session.get(m.Message, 5).status == "quarantined"  # type: ignore[union-attr]


def test_admin_edits_an_agency_with_an_audit_row(client: TestClient, web_data: WebData) -> None:
    token = login(client, ADMIN)
    r = client.post("/agencies/1", data={"csrf_token": token, "name": "滕州市示例管理局", "short_name": "示例局",
                                         "addresses": "demo-shili@agency.example.invalid\nNew@Agency.Example.Invalid",
                                         "active": "on"}, follow_redirects=False)
    assert r.status_code == 303
    with web_data.app.uow() as uow:
        agency = uow.session.get(m.Agency, 1)
        assert agency is not None and agency.short_name == "示例局"
        assert [a.address for a in agency.addresses] == ["demo-shili@agency.example.invalid",
                                                         "new@agency.example.invalid"]
        entry = uow.session.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "agency.edit"))
        assert entry is not None and entry.actor == ADMIN and entry.before["short_name"] == "示例管理局"
    bad = client.post("/agencies/1", data={"csrf_token": token, "name": "x", "addresses": "not-an-address"})
    assert "不是有效的邮箱地址" in bad.text


def test_https_only_marks_the_cookie_secure(web_data: WebData) -> None:
    from filing.web.app import create_app

    web = web_data.app.settings.web.model_copy(update={"https_only": True})
    web_data.app.settings = web_data.app.settings.model_copy(update={"web": web})
    c = TestClient(create_app(web_data.app), base_url="https://127.0.0.1")
    assert "Secure" in c.get("/login").headers["set-cookie"]


def test_a_bug_answers_500_with_headers_and_no_traceback(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from filing.web.routes import cases

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    login(client)
    monkeypatch.setattr(cases, "list_page", broken)
    r = client.get("/cases")
    assert r.status_code == 500 and "服务器内部错误" in r.text
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_an_idle_session_expires(client: TestClient, web_api: FastAPI) -> None:
    from dataclasses import replace

    login(client)
    codec = web_api.state.web.codec
    data = codec.loads(client.cookies.get(COOKIE))
    assert data is not None and data.logged_in
    stale = replace(data, seen=data.seen - codec.idle_seconds - 5)
    client.cookies.set(COOKIE, codec.dumps(stale))
    r = client.get("/cases", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/cases"
    assert "登录已过期" in client.get(r.headers["location"]).text
