"""Who is at the other end: forwarded headers are believed only from configured proxies.

Uvicorn's own proxy-header handling is off (`filing web` and `filing serve` alike); this is the one
place that reads X-Forwarded-For and X-Forwarded-Proto, and only when the direct peer is one of
`web.trusted_proxies`. Anyone else could write them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """IP addresses or CIDR ranges; raises ValueError naming a bad entry."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as e:
            raise ValueError(f"{value!r} is not an IP address or network") from e
    return tuple(out)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(request: Request, proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer's, or, behind trusted proxies, the nearest untrusted hop in
    X-Forwarded-For (read right to left, so addresses the client wrote itself are never reached)."""
    peer = request.client.host if request.client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for v in request.headers.getlist("x-forwarded-for") for h in v.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: fall back to what we know
    return hops[0] if hops else peer


def via_https(request: Request, proxies: tuple[Network, ...]) -> bool:
    """The browser's connection is TLS: ours directly, or a trusted proxy's X-Forwarded-Proto says so."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    if proxies and _trusted(peer, proxies):
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False
