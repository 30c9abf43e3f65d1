"""Signed cookie sessions: idle and absolute expiry, rotated on login, carrying the CSRF token.

The cookie holds only ids and timestamps, signed with the configured secret; the user's
role and active flag are read from the database on every request, so disabling a user
takes effect at once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field, replace

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "filing_session"
KNOWN_COOKIE = "filing_known"  # "this browser has logged in as X before": exempts it from account throttling
KNOWN_DAYS = 90
# However active a session is, it ends after this long and the user logs in again.
ABSOLUTE_HOURS = 12


@dataclass(frozen=True)
class SessionData:
    sid: str
    csrf: str
    user_id: int | None = None
    issued: float = field(default_factory=time.time)
    seen: float = field(default_factory=time.time)
    flash: str = ""

    @property
    def logged_in(self) -> bool:
        return self.user_id is not None


def new_session(user_id: int | None = None) -> SessionData:
    """A fresh session id and CSRF token; used for visitors and, again, right after login."""
    now = time.time()
    return SessionData(sid=secrets.token_urlsafe(24), csrf=secrets.token_urlsafe(32), user_id=user_id,
                       issued=now, seen=now)


class SessionCodec:
    def __init__(self, secret_key: str, idle_minutes: int) -> None:
        self._ser = URLSafeTimedSerializer(secret_key, salt="filing.web.session")
        self.idle_seconds = idle_minutes * 60

    def dumps(self, data: SessionData) -> str:
        return self._ser.dumps(
            {"sid": data.sid, "csrf": data.csrf, "uid": data.user_id, "iss": data.issued, "seen": data.seen,
             "flash": data.flash}
        )

    def loads(self, raw: str | None, now: float | None = None) -> SessionData | None:
        """The session in the cookie, or None if missing, forged, or expired."""
        if not raw:
            return None
        now = time.time() if now is None else now
        try:
            obj = self._ser.loads(raw, max_age=ABSOLUTE_HOURS * 3600)
        except BadSignature:
            return None
        if not isinstance(obj, dict):
            return None
        try:
            data = SessionData(sid=str(obj["sid"]), csrf=str(obj["csrf"]),
                               user_id=int(obj["uid"]) if obj.get("uid") is not None else None,
                               issued=float(obj["iss"]), seen=float(obj["seen"]), flash=str(obj.get("flash") or ""))
        except (KeyError, TypeError, ValueError):
            return None
        if data.logged_in and (now - data.seen > self.idle_seconds or now - data.issued > ABSOLUTE_HOURS * 3600):
            return None
        return data

    @staticmethod
    def touch(data: SessionData, now: float | None = None) -> SessionData:
        return replace(data, seen=time.time() if now is None else now)


class KnownClients:
    """A signed, long-lived cookie naming the accounts this browser has logged in to (at most 5)."""

    def __init__(self, secret_key: str) -> None:
        self._ser = URLSafeTimedSerializer(secret_key, salt="filing.web.known-client")

    def accounts(self, raw: str | None) -> list[str]:
        if not raw:
            return []
        try:
            obj = self._ser.loads(raw, max_age=KNOWN_DAYS * 86400)
        except BadSignature:
            return []
        return [str(a) for a in obj][:5] if isinstance(obj, list) else []

    def dumps(self, accounts: list[str], account: str) -> str:
        name = account.strip().lower()
        return self._ser.dumps([name, *[a for a in accounts if a != name]][:5])
