"""Pure parts of the web security: session codec expiry, login limiter, headers for downloads, labels."""

from __future__ import annotations

from dataclasses import replace

from filing.web.routes.auth import _safe_next
from filing.web.security import content_disposition
from filing.web.sessions import ABSOLUTE_HOURS, SessionCodec, new_session
from filing.web.templating import evidence_label
from filing.web.throttle import LoginThrottle, ThrottlePolicy


def test_session_round_trips_and_expires_when_idle() -> None:
    codec = SessionCodec("k" * 32, idle_minutes=30)
    s = new_session(user_id=7)
    raw = codec.dumps(s)
    assert codec.loads(raw, now=s.seen + 60) == s
    assert codec.loads(raw, now=s.seen + 30 * 60 + 1) is None


def test_session_ends_after_the_absolute_limit_even_when_active() -> None:
    codec = SessionCodec("k" * 32, idle_minutes=30)
    s = new_session(user_id=7)
    old = replace(s, issued=s.issued - ABSOLUTE_HOURS * 3600 - 5)
    assert codec.loads(codec.dumps(old), now=s.seen + 1) is None


def test_anonymous_sessions_do_not_idle_out_but_forgeries_fail() -> None:
    codec = SessionCodec("k" * 32, idle_minutes=1)
    s = new_session()
    raw = codec.dumps(s)
    assert codec.loads(raw, now=s.seen + 3600) == s
    assert SessionCodec("other-key", 30).loads(raw) is None
    assert codec.loads(raw[:-2] + "xx") is None
    assert codec.loads("") is None and codec.loads("garbage") is None


def test_new_sessions_have_fresh_ids_and_tokens() -> None:
    a, b = new_session(), new_session(1)
    assert a.sid != b.sid and a.csrf != b.csrf and len(a.csrf) >= 32


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_login_throttle_delays_grow_per_client_and_stay_capped_per_account() -> None:
    clock = _Clock()
    th = LoginThrottle(ThrottlePolicy(free=3, base_s=1, max_pair_s=900, max_account_s=60, forget_s=3600), clock)
    for _ in range(3):
        assert th.wait_seconds("admin", "10.0.0.66") == 0
        th.failed("admin", "10.0.0.66")
    assert th.wait_seconds("admin", "10.0.0.66") == 1  # the delay starts after the free failures
    for _ in range(20):  # the attacker keeps going, waiting out each delay
        clock.now += th.wait_seconds("admin", "10.0.0.66")
        th.failed("admin", "10.0.0.66")
    assert th.wait_seconds("admin", "10.0.0.66") == 900  # his own delay: 15 minutes
    # The owner from another address waits at most the account cap, and not at all from a known browser.
    assert 0 < th.wait_seconds("Admin", "10.0.0.7") <= 60
    assert th.wait_seconds("admin", "10.0.0.7", known_client=True) == 0
    clock.now += 60
    assert th.wait_seconds("admin", "10.0.0.7") == 0
    th.succeeded("admin", "10.0.0.7")
    assert th.wait_seconds("admin", "10.0.0.66") > 0  # the owner's success does not free the attacker
    clock.now += 3601
    assert th.wait_seconds("admin", "10.0.0.66") == 0  # forgotten an hour after the last failure


def test_login_throttle_slows_one_address_trying_many_accounts() -> None:
    clock = _Clock()
    th = LoginThrottle(ThrottlePolicy(address_free=10), clock)
    for i in range(10):
        assert th.wait_seconds(f"user{i}", "10.0.0.66") == 0
        th.failed(f"user{i}", "10.0.0.66")
    assert th.wait_seconds("someone-else", "10.0.0.66") > 0
    assert th.wait_seconds("someone-else", "10.0.0.67") == 0


def test_content_disposition_never_carries_raw_quotes_or_markup() -> None:
    h = content_disposition("attachment", '<script>"x";</script>答辩状.pdf')
    assert h.startswith('attachment; filename="')
    ascii_part = h.split("filename*=")[0]
    assert "<" not in h and '";' not in ascii_part.split('filename="', 1)[1][:-3]
    assert "filename*=UTF-8''%3Cscript%3E%22x%22%3B%3C%2Fscript%3E%E7%AD%94" in h


def test_only_local_paths_are_followed_after_login() -> None:
    assert _safe_next("/cases/3?q=1") == "/cases/3?q=1"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "", None):
        assert _safe_next(bad) == "/"


def test_matcher_evidence_reads_in_chinese_and_unknown_text_passes_through() -> None:
    assert evidence_label("own case number （2026）鲁0481行初9号") == "文书本身的案号 （2026）鲁0481行初9号"
    assert evidence_label("plaintiff similar (0.92)") == "原告姓名相似（0.92）"
    assert evidence_label("something new") == "something new"


def test_sender_evidence_reads_in_chinese() -> None:
    assert evidence_label("address a@b.example is not registered") == "发件地址 a@b.example 未登记"
    claim = "display name '滕州市示例管理局' claims agency slj"
    assert evidence_label(claim) == "发件人名称 '滕州市示例管理局' 自称单位 slj"


def test_times_show_in_china_time_and_wall_times_stay_as_printed() -> None:
    from datetime import UTC, datetime

    from filing.web.templating import local_time

    assert local_time(datetime(2026, 6, 30, 6, 30, tzinfo=UTC)) == "2026-06-30 14:30"
    assert local_time(datetime(2026, 6, 30, 14, 30)) == "2026-06-30 14:30"  # a hearing time as the court wrote it
