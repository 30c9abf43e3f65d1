"""check_sender: registry, spoofed display names, Authentication-Results and real DKIM signatures."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ingest.parse import parse_message
from ingest.senders import Agency, SenderPolicy, SenderRegistry, check_sender
from ingest.types import SenderStatus

REGISTRY = SenderRegistry.from_records(
    [
        {"code": "zrj", "name": "滕州市自然资源局", "short_name": "自然资源局", "addresses": ["176823509@qq.com"]},
        {"code": "gaj", "name": "滕州市公安局", "short_name": "公安局", "addresses": ["TZGAJ96@126.com"]},
        {"code": "szf", "name": "滕州市人民政府", "short_name": "市政府", "addresses": ["tzszf@zz.shandong.cn"]},
        {"code": "alice", "name": "Alice Agency", "short_name": None, "addresses": ["alice@example.org"]},
        {"code": "bob", "name": "Bob Agency", "short_name": None, "addresses": ["bob@example.org"]},
    ]
)
OURS = SenderPolicy(authserv_ids=("mx.tzsfj.example",))


def mail(from_header: str, *extra: str, body: str = "body\r\n") -> bytes:
    headers = [
        f"From: {from_header}",
        "To: filing@tzsfj.example",
        "Subject: test",
        "Date: Mon, 02 Mar 2026 09:00:00 +0800",
        "Message-ID: <t1@example>",
        *extra,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def check(raw: bytes, policy: SenderPolicy = OURS) -> tuple[SenderStatus, str | None, bool]:
    result = check_sender(parse_message(raw), REGISTRY, policy)
    assert result.evidence, "every decision must carry its evidence"
    return result.status, result.agency_code, result.authenticated


def test_registry_built_from_records_and_agency_objects() -> None:
    assert REGISTRY.agency_for("tzgaj96@126.com") == "gaj"  # stored mixed-case, compared lowercased
    direct = SenderRegistry(addresses={"A@B.CN": "x"}, agencies=(Agency("x", "某局"),))
    assert direct.agency_for("a@b.cn") == "x"


def test_registered_address_case_insensitive() -> None:
    assert check(mail("刘晓东 <176823509@QQ.com>")) == (SenderStatus.registered, "zrj", False)


def test_unregistered_address() -> None:
    assert check(mail("山东鲁南律师事务所 <lawyer@163.com>"))[0] == SenderStatus.unregistered


@pytest.mark.parametrize(
    "display",
    [
        "滕州市自然资源局",
        "=?gb2312?B?" + base64.b64encode("自然资源局 刘晓东".encode("gbk")).decode() + "?=",
        '"176823509@qq.com"',
    ],
)
def test_display_name_claiming_our_agency_from_unregistered_address_is_spoofed(display: str) -> None:
    status, code, _ = check(mail(f"{display} <176823509@zzshandong.com.cn>"))
    assert (status, code) == (SenderStatus.spoofed, None)


def test_another_citys_agency_is_not_a_claim() -> None:
    assert check(mail("济南市公安局 <jnga@example.cn>"))[0] == SenderStatus.unregistered
    assert check(mail("滕州市公安局 <jnga@example.cn>"))[0] == SenderStatus.spoofed


def test_parseaddr_trick_is_not_a_registered_address() -> None:
    # Python 3.11's email.utils.parseaddr reads this as alice (CVE-2023-27043); alice and bob are both registered.
    status, code, _ = check(mail("alice@example.org)<bob@example.org>"))
    assert status != SenderStatus.registered and code is None


@pytest.mark.parametrize("header", ["alice@example.org, carol@example.net", "carol@example.net, dave@example.net"])
def test_multiple_from_mailboxes_are_never_registered(header: str) -> None:
    status, code, _ = check(mail(header))
    assert status != SenderStatus.registered and code is None
    expected = SenderStatus.spoofed if "alice" in header else SenderStatus.unregistered
    assert status == expected


def test_two_from_headers_are_never_registered() -> None:
    raw = mail("alice@example.org", "From: carol@example.net")
    assert check(raw)[0] != SenderStatus.registered


def test_authentication_results_with_foreign_authserv_id_are_ignored() -> None:
    raw = mail(
        "176823509@qq.com",
        "Authentication-Results: attacker.example; dmarc=fail header.from=qq.com; spf=fail smtp.mailfrom=qq.com",
    )
    assert check(raw) == (SenderStatus.registered, "zrj", False)
    forged_pass = mail("176823509@qq.com", "Authentication-Results: attacker.example; dkim=pass header.d=qq.com")
    assert check(forged_pass)[2] is False


def test_our_authentication_results_fail_is_spoofed_and_pass_authenticates() -> None:
    fail = mail("176823509@qq.com", "Authentication-Results: mx.tzsfj.example; dmarc=fail header.from=qq.com")
    assert check(fail)[0] == SenderStatus.spoofed
    spf_fail = mail("176823509@qq.com", "Authentication-Results: mx.tzsfj.example; spf=fail smtp.mailfrom=qq.com")
    assert check(spf_fail)[0] == SenderStatus.spoofed
    ok = mail("176823509@qq.com", "Authentication-Results: mx.tzsfj.example; dkim=pass header.d=qq.com; spf=none")
    assert check(ok) == (SenderStatus.registered, "zrj", True)
    unaligned = mail("176823509@qq.com", "Authentication-Results: mx.tzsfj.example; dkim=pass header.d=evil.com.cn")
    assert check(unaligned) == (SenderStatus.registered, "zrj", False)


def test_only_the_topmost_header_with_our_id_counts() -> None:
    raw = mail(
        "176823509@qq.com",
        "Authentication-Results: mx.tzsfj.example; dkim=pass header.d=qq.com",
        "Authentication-Results: mx.tzsfj.example; dmarc=fail header.from=qq.com",  # planted below ours
    )
    assert check(raw) == (SenderStatus.registered, "zrj", True)


def test_a_header_with_our_id_below_another_is_never_trusted() -> None:
    # The sender wrote an Authentication-Results with our authserv-id; a relay's header sits on top.
    below_foreign = mail(
        "176823509@qq.com",
        "Authentication-Results: relay.example.org; none",
        "Authentication-Results: mx.tzsfj.example; dkim=pass header.d=qq.com; dmarc=pass header.from=qq.com",
    )
    assert check(below_foreign) == (SenderStatus.registered, "zrj", False)
    # Our MTA added its own (no pass) but did not strip the planted one below it.
    below_ours = mail(
        "176823509@qq.com",
        "Authentication-Results: mx.tzsfj.example; spf=none smtp.mailfrom=qq.com",
        "Authentication-Results: mx.tzsfj.example; dkim=pass header.d=qq.com; dmarc=pass header.from=qq.com",
    )
    result = check_sender(parse_message(below_ours), REGISTRY, OURS)
    assert not result.authenticated
    assert any("claim our authserv-id: not trusted" in e for e in result.evidence)


def test_hold_for_review_marks_unauthenticated_registered_mail() -> None:
    from ingest.senders import HELD_FOR_REVIEW

    held = SenderPolicy(authserv_ids=("mx.tzsfj.example",), hold_for_review=True)
    result = check_sender(parse_message(mail("176823509@qq.com")), REGISTRY, held)
    assert result.status == SenderStatus.registered and HELD_FOR_REVIEW in result.evidence
    ok = mail("176823509@qq.com", "Authentication-Results: mx.tzsfj.example; dkim=pass header.d=qq.com")
    result = check_sender(parse_message(ok), REGISTRY, held)
    assert result.authenticated and HELD_FOR_REVIEW not in result.evidence


def test_require_authentication_holds_unauthenticated_registered_mail() -> None:
    strict = SenderPolicy(authserv_ids=("mx.tzsfj.example",), require_authentication=True)
    status, code, _ = check(mail("176823509@qq.com"), strict)
    assert (status, code) == (SenderStatus.unregistered, "zrj")


# --- DKIM with a generated key and an injected resolver --------------------------------


@cache
def keypair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def dns(records: dict[bytes, bytes]) -> Callable[..., bytes | None]:
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name)

    return lookup


def signed(raw: bytes, domain: bytes, selector: bytes = b"s1") -> bytes:
    private, _ = keypair()
    signature = dkim.sign(raw, selector, domain, private, include_headers=[b"from", b"to", b"subject", b"date"])
    return signature + raw


def dkim_policy(domain: bytes, selector: bytes = b"s1") -> SenderPolicy:
    _, record = keypair()
    return SenderPolicy(verify_dkim=True, dnsfunc=dns({selector + b"._domainkey." + domain + b".": record}))


def test_dkim_valid_and_aligned_authenticates() -> None:
    raw = signed(mail("刘晓东 <176823509@qq.com>"), b"qq.com")
    assert check(raw, dkim_policy(b"qq.com")) == (SenderStatus.registered, "zrj", True)


def test_dkim_relaxed_alignment_with_parent_domain() -> None:
    raw = signed(mail("tzszf@zz.shandong.cn"), b"shandong.cn")
    assert check(raw, dkim_policy(b"shandong.cn")) == (SenderStatus.registered, "szf", True)


def test_dkim_tampered_body_is_spoofed() -> None:
    raw = signed(mail("176823509@qq.com", body="original\r\n"), b"qq.com").replace(b"original", b"tampered")
    status, _, authenticated = check(raw, dkim_policy(b"qq.com"))
    assert (status, authenticated) == (SenderStatus.spoofed, False)


def test_dkim_tampered_from_is_spoofed() -> None:
    raw = signed(mail("lawyer@qq.com"), b"qq.com").replace(b"From: lawyer@qq.com", b"From: 176823509@qq.com")
    assert check(raw, dkim_policy(b"qq.com"))[0] == SenderStatus.spoofed


def test_dkim_valid_but_not_aligned_is_spoofed() -> None:
    raw = signed(mail("176823509@qq.com"), b"evil.example")
    status, _, _ = check(raw, dkim_policy(b"evil.example"))
    assert status == SenderStatus.spoofed


def test_dkim_key_not_found_is_not_counted_either_way() -> None:
    raw = signed(mail("176823509@qq.com"), b"qq.com")
    missing = SenderPolicy(verify_dkim=True, dnsfunc=dns({}))
    assert check(raw, missing) == (SenderStatus.registered, "zrj", False)


def test_dkim_not_checked_unless_configured() -> None:
    raw = signed(mail("176823509@qq.com"), b"evil.example")
    assert check(raw, SenderPolicy(dnsfunc=dns({})))[0] == SenderStatus.registered


def test_unsigned_mail_with_dkim_configured_is_registered_unauthenticated() -> None:
    assert check(mail("176823509@qq.com"), dkim_policy(b"qq.com")) == (SenderStatus.registered, "zrj", False)


# --- litigation staff roster contacts (应诉人员报备) -------------------------------------

ROSTERED = SenderRegistry(
    addresses={"176823509@qq.com": "zrj"},
    agencies=(Agency("zrj", "滕州市自然资源局", "自然资源局"), Agency("gaj", "滕州市公安局", "公安局")),
    roster_addresses={"Staff.Li@163.com": "gaj", "176823509@qq.com": "gaj"},
)


def test_roster_contact_is_a_known_sender_of_its_agency() -> None:
    result = check_sender(parse_message(mail("李四 <staff.li@163.com>")), ROSTERED, OURS)
    assert (result.status, result.agency_code) == (SenderStatus.registered, "gaj")
    assert "address staff.li@163.com is a litigation staff contact of agency gaj" in result.evidence


def test_registered_address_wins_over_a_roster_contact() -> None:
    assert ROSTERED.agency_for("176823509@qq.com") == "zrj"
    assert not ROSTERED.is_roster_contact("176823509@qq.com")


def test_roster_contact_keeps_the_authentication_rules() -> None:
    strict = SenderPolicy(authserv_ids=("mx.tzsfj.example",), require_authentication=True)
    result = check_sender(parse_message(mail("staff.li@163.com")), ROSTERED, strict)
    assert (result.status, result.agency_code) == (SenderStatus.unregistered, "gaj")
    from ingest.senders import HELD_FOR_REVIEW

    held = SenderPolicy(authserv_ids=("mx.tzsfj.example",), hold_for_review=True)
    result = check_sender(parse_message(mail("staff.li@163.com")), ROSTERED, held)
    assert result.status == SenderStatus.registered and HELD_FOR_REVIEW in result.evidence
    failed = mail("staff.li@163.com", "Authentication-Results: mx.tzsfj.example; dmarc=fail header.from=163.com")
    assert check_sender(parse_message(failed), ROSTERED, OURS).status == SenderStatus.spoofed


def test_roster_contact_in_a_display_name_is_a_claim() -> None:
    result = check_sender(parse_message(mail('"staff.li@163.com" <x@evil.example>')), ROSTERED, OURS)
    assert result.status == SenderStatus.spoofed
