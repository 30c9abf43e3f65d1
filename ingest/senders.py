"""Who sent it: the agency registry, display-name spoofing, Authentication-Results and DKIM.

From is attacker-controlled. The address comes from the parser's `policy.default`
header object (exactly one mailbox, lowercased). Only the topmost
Authentication-Results header is believed, and only when it carries one of our
authserv-ids: our border MTA adds it above everything the sender wrote, and must
strip incoming headers with our id (RFC 8601 §5; README, deployment). A header
with our id further down was written by someone else. DKIM, where configured, is
verified with dkimpy and must be aligned with the From domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import authres
import dkim

from ingest.types import SenderCheck, SenderStatus, Submission

DnsFunc = Callable[..., bytes | None]

# Suffixes under which unrelated organisations register (a small stand-in for the
# Public Suffix List, enough that d=com.cn never "aligns" with every .com.cn sender).
_PUBLIC_SUFFIXES = frozenset(
    """com net org edu gov mil int info biz cn hk tw mo jp kr uk de fr ru io co me
    com.cn net.cn org.cn gov.cn edu.cn ac.cn mil.cn
    ah.cn bj.cn cq.cn fj.cn gd.cn gs.cn gx.cn gz.cn ha.cn hb.cn he.cn hi.cn hk.cn hl.cn hn.cn jl.cn js.cn
    jx.cn ln.cn mo.cn nm.cn nx.cn qh.cn sc.cn sd.cn sh.cn sn.cn sx.cn tj.cn tw.cn xj.cn xz.cn yn.cn zj.cn
    com.hk net.hk org.hk gov.hk edu.hk com.tw net.tw org.tw gov.tw co.uk org.uk co.jp ne.jp or.jp co.kr""".split()
)
# Characters that end a place name: "济南市公安局" names another city's police, not ours.
_PLACE_SUFFIX = ("市", "省", "县", "区", "州", "盟", "旗")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str  # full name, e.g. 滕州市自然资源局
    short_name: str | None = None  # e.g. 自然资源局


@dataclass(frozen=True)
class SenderRegistry:
    """Registered sender addresses (lowercase) → agency code, plus the agencies' names."""

    addresses: Mapping[str, str]
    agencies: tuple[Agency, ...] = ()
    # Contact emails of an agency's registered litigation staff (应诉人员报备): known senders of that agency.
    roster_addresses: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Compared lowercased, whatever the caller stored; a registered address wins over a roster contact.
        addresses = {k.strip().lower(): v for k, v in self.addresses.items()}
        roster = {k.strip().lower(): v for k, v in self.roster_addresses.items()}
        object.__setattr__(self, "addresses", addresses)
        object.__setattr__(self, "roster_addresses", {k: v for k, v in roster.items() if k not in addresses})

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> SenderRegistry:
        """Build from agency records as in agencies.yaml: name, short_name, code, addresses."""
        addresses: dict[str, str] = {}
        agencies: list[Agency] = []
        for rec in records:
            code = str(rec["code"])
            agencies.append(Agency(code=code, name=str(rec["name"]), short_name=rec.get("short_name") or None))
            for addr in rec.get("addresses") or ():
                addresses[str(addr)] = code
        return cls(addresses=addresses, agencies=tuple(agencies))

    def agency_for(self, address: str | None) -> str | None:
        if not address:
            return None
        key = address.lower()
        return self.addresses.get(key) or self.roster_addresses.get(key)

    def is_roster_contact(self, address: str | None) -> bool:
        return bool(address) and str(address).lower() in self.roster_addresses


@dataclass(frozen=True)
class SenderPolicy:
    authserv_ids: tuple[str, ...] = ()  # our receiving MTA's authserv-id(s); empty: trust no header
    verify_dkim: bool = False
    dnsfunc: DnsFunc | None = field(default=None, compare=False)  # None: dkimpy's resolver
    dns_timeout: int = 5
    # Registered but unauthenticated mail (many scanners send without DKIM): with
    # require_authentication it is held as unregistered (quarantined); with
    # hold_for_review it is read, but none of its documents is filed without a person;
    # with neither it is filed with a warning in the evidence.
    require_authentication: bool = False
    hold_for_review: bool = False


# Evidence line that makes the match step send every document of the message to review.
HELD_FOR_REVIEW = "sender not authenticated: every document waits for review"


def check_sender(sub: Submission, registry: SenderRegistry, policy: SenderPolicy) -> SenderCheck:
    """Decide registered / unregistered / spoofed and say why."""
    evidence: list[str] = []
    address = sub.from_address if sub.from_count == 1 else None
    agency = registry.agency_for(address)
    from_domain = address.rsplit("@", 1)[-1] if address and "@" in address else None

    if sub.from_count == 1 and address is None:
        evidence.append("the From mailbox is malformed: no usable address")
    elif sub.from_count != 1 or address is None:
        evidence.append(f"From holds {sub.from_count} mailboxes ({', '.join(sub.from_addresses) or 'none'}), not one")
        smuggled = [a for a in sub.from_addresses if registry.agency_for(a)]
        if smuggled:
            evidence.append(f"a registered address is among them: {', '.join(smuggled)}")
            return SenderCheck(SenderStatus.spoofed, None, tuple(evidence), authenticated=False)
    elif agency and registry.is_roster_contact(address):
        evidence.append(f"address {address} is a litigation staff contact of agency {agency}")
    elif agency:
        evidence.append(f"address {address} is registered to agency {agency}")
    else:
        evidence.append(f"address {address} is not registered")

    claimed = _claimed_agencies(sub.from_display, registry)
    if claimed:
        evidence.append(f"display name {sub.from_display!r} claims agency {', '.join(claimed)}")

    auth_pass, auth_fail = _authentication_results(sub, policy, from_domain, evidence)
    if policy.verify_dkim:
        dkim_pass, dkim_fail = _verify_dkim(sub, policy, from_domain, evidence)
        auth_pass = auth_pass or dkim_pass
        auth_fail = auth_fail or dkim_fail

    if auth_fail:
        return SenderCheck(SenderStatus.spoofed, agency, tuple(evidence), authenticated=False)
    if agency is None:
        if claimed and address is not None:
            evidence.append("display name claims one of our agencies from an unregistered address")
            return SenderCheck(SenderStatus.spoofed, None, tuple(evidence), authenticated=auth_pass)
        return SenderCheck(SenderStatus.unregistered, None, tuple(evidence), authenticated=auth_pass)
    if not auth_pass:
        evidence.append("not authenticated (no passing DKIM or trusted Authentication-Results)")
        if policy.require_authentication:
            evidence.append("policy requires authentication: held")
            return SenderCheck(SenderStatus.unregistered, agency, tuple(evidence), authenticated=False)
        if policy.hold_for_review:
            evidence.append(HELD_FOR_REVIEW)
    return SenderCheck(SenderStatus.registered, agency, tuple(evidence), authenticated=auth_pass)


# --- display name ------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _claimed_agencies(display: str, registry: SenderRegistry) -> list[str]:
    shown = _norm(display)
    if not shown:
        return []
    claimed: list[str] = []
    for agency in registry.agencies:
        if _norm(agency.name) in shown or _claims_short_name(shown, agency):
            claimed.append(agency.code)
    # A display name that is itself a registered address: "176823509@qq.com" <x@evil>.
    for addr, code in [*registry.addresses.items(), *registry.roster_addresses.items()]:
        if addr in shown and code not in claimed:
            claimed.append(code)
    return claimed


def _claims_short_name(shown: str, agency: Agency) -> bool:
    if not agency.short_name:
        return False
    short = _norm(agency.short_name)
    full = _norm(agency.name)
    own_prefix = full[: -len(short)] if full.endswith(short) else ""
    start = shown.find(short)
    while start != -1:
        before = shown[:start]
        # "济南市公安局" is another city's agency; "滕州市公安局" or "公安局王伟" is ours.
        if not before.endswith(_PLACE_SUFFIX) or (own_prefix and before.endswith(own_prefix)):
            return True
        start = shown.find(short, start + 1)
    return False


# --- Authentication-Results ----------------------------------------------------------


def _authserv_id(value: str) -> str:
    head = value.split(";", 1)[0].strip()
    return re.split(r"[\s(]", head, maxsplit=1)[0].lower() if head else ""


def _authentication_results(
    sub: Submission, policy: SenderPolicy, from_domain: str | None, evidence: list[str]
) -> tuple[bool, bool]:
    """(pass, fail) from the topmost Authentication-Results header, when it carries our authserv-id."""
    ours = {a.lower() for a in policy.authserv_ids}
    headers = sub.authentication_results
    trusted = headers[0] if headers and ours and _authserv_id(headers[0]) in ours else None
    ignored = len(headers) - (1 if trusted else 0)
    if ignored:
        evidence.append(f"ignored {ignored} Authentication-Results header(s) not topmost with our authserv-id")
    forged = sum(1 for v in headers[1:] if ours and _authserv_id(v) in ours)
    if forged:
        # Our MTA should have removed these (RFC 8601 §5): someone else wrote them.
        evidence.append(f"{forged} lower Authentication-Results header(s) claim our authserv-id: not trusted")
    if trusted is None:
        return False, False
    try:
        header = authres.AuthenticationResultsHeader.parse_value(trusted)
    except Exception as exc:  # authres raises its own SyntaxError and friends
        evidence.append(f"trusted Authentication-Results unparseable ({type(exc).__name__}): treated as absent")
        return False, False
    results: dict[str, list[Any]] = {}
    for result in header.results:
        results.setdefault(str(result.method).lower(), []).append(result)
    summary = ", ".join(f"{m}={'/'.join(str(r.result) for r in rs)}" for m, rs in results.items())
    evidence.append(f"Authentication-Results from {header.authserv_id}: {summary or 'none'}")

    fail = False
    for method in ("spf", "dkim", "dmarc"):
        verdicts = [str(r.result).lower() for r in results.get(method, [])]
        if method == "dkim" and "pass" in verdicts:
            continue  # one good signature is enough; others may be broken by forwarding
        if "fail" in verdicts:
            evidence.append(f"{method}=fail in our Authentication-Results")
            fail = True
    passed = False
    if any(str(r.result).lower() == "pass" for r in results.get("dmarc", [])):
        passed = True
    for r in results.get("dkim", []):
        domain = _prop(r, "header", "d") or _prop(r, "header", "i")
        if str(r.result).lower() == "pass" and domain and _aligned(domain.lstrip("@").split("@")[-1], from_domain):
            passed = True
    for r in results.get("spf", []):
        domain = _prop(r, "smtp", "mailfrom")
        if str(r.result).lower() == "pass" and domain and _aligned(domain.split("@")[-1], from_domain):
            passed = True
    if passed and not fail:
        evidence.append("authenticated by our Authentication-Results (aligned with From)")
    return passed and not fail, fail


def _prop(result: Any, ptype: str, name: str) -> str | None:
    for p in getattr(result, "properties", None) or ():
        if str(p.type).lower() == ptype and str(p.name).lower() == name and p.value:
            return str(p.value).lower()
    return None


def _aligned(domain: str, from_domain: str | None) -> bool:
    """Relaxed DMARC alignment: same organisational domain (approximated without the full PSL)."""
    if not from_domain:
        return False
    a, b = domain.lower().strip(".").strip(), from_domain.lower().strip(".")
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return longer.endswith("." + shorter) and shorter not in _PUBLIC_SUFFIXES and "." in shorter


# --- DKIM ----------------------------------------------------------------------------


def _verify_dkim(
    sub: Submission, policy: SenderPolicy, from_domain: str | None, evidence: list[str]
) -> tuple[bool, bool]:
    """(pass, fail): pass when a signature verifies and is aligned; fail when signatures
    exist and none is both valid and aligned (key lookup problems are neither)."""
    if not sub.raw:
        evidence.append("DKIM not checked: raw message not available")
        return False, False
    try:
        return _verify_signatures(sub.raw, policy, from_domain, evidence)
    except Exception as exc:  # dkimpy on a hostile message: neither proof nor disproof
        evidence.append(f"DKIM check could not run ({type(exc).__name__}: {exc})")
        return False, False


def _verify_signatures(
    raw: bytes, policy: SenderPolicy, from_domain: str | None, evidence: list[str]
) -> tuple[bool, bool]:
    signer = dkim.DKIM(raw, timeout=policy.dns_timeout)
    count = sum(1 for name, _ in signer.headers if name.lower() == b"dkim-signature")
    if count == 0:
        evidence.append("no DKIM signature")
        return False, False
    dnsfunc: Any = policy.dnsfunc or dkim.dnsplug.get_txt
    failed = 0
    for idx in range(min(count, 5)):
        try:
            prep = signer.verify_headerprep(idx)
            if not prep:
                continue
            sig = prep[0]
            domain = sig[b"d"].decode("ascii", "replace").lower()
            selector = sig[b"s"].decode("ascii", "replace")
        except Exception as exc:
            evidence.append(f"DKIM signature {idx + 1} malformed: {exc}")
            failed += 1
            continue
        try:
            dkim.load_pk_from_dns(f"{selector}._domainkey.{domain}.".encode(), dnsfunc, timeout=policy.dns_timeout)
        except Exception as exc:
            evidence.append(f"DKIM key for d={domain} s={selector} unavailable ({type(exc).__name__}): not counted")
            continue
        try:
            ok = bool(signer.verify(idx=idx, dnsfunc=dnsfunc))
        except Exception as exc:
            evidence.append(f"DKIM signature d={domain} invalid: {exc}")
            failed += 1
            continue
        if not ok:
            evidence.append(f"DKIM signature d={domain} does not verify")
            failed += 1
        elif not _aligned(domain, from_domain):
            evidence.append(f"DKIM signature d={domain} verifies but is not aligned with From domain {from_domain}")
            failed += 1
        else:
            evidence.append(f"DKIM signature d={domain} verifies and is aligned with From")
            return True, False
    return False, failed > 0
