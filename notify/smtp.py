"""The only module that speaks SMTP. Translates smtplib's outcomes into three of our own.

What matters for "never twice" is *when* a failure happened:
- before the end-of-data dot was written, the server cannot have taken the message:
  a 4xx or a network error is safe to retry (`SmtpTransientError`);
- a 5xx refusal is final for that message (`SmtpPermanentError`);
- after the dot, with no final reply (timeout, reset), the server may have queued it:
  `SmtpUncertainError` — the caller must not resend blindly.
Connecting or authenticating failing means no message was tried at all
(`SmtpUnavailableError`, a transient error for the whole batch).

The DATA phase is driven by hand (DATA, payload, final reply) instead of `sendmail()`,
because smtplib reports a lost connection the same way in every phase.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from terms.errors import ErrorCode, FilingError


class SmtpError(FilingError):
    def __init__(self, message: str, reply_code: int | None = None) -> None:
        super().__init__(ErrorCode.smtp, message)
        self.reply_code = reply_code


class SmtpTransientError(SmtpError):
    """Not delivered; retry later (4xx, or the connection failed before the message was complete)."""


class SmtpUnavailableError(SmtpTransientError):
    """Could not connect, negotiate TLS or log in: nothing was attempted; stop this batch."""


class SmtpPermanentError(SmtpError):
    """The server refused this message for good (5xx)."""


class SmtpUncertainError(SmtpError):
    """The whole message was transmitted but no final reply came: it may have been delivered."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    security: Literal["none", "starttls", "tls"] = "none"
    user: str = ""
    password: str = ""
    timeout_s: float = 30.0
    from_address: str = "filing@example.invalid"  # envelope sender and From header
    from_name: str = "滕州市司法局"
    ca_file: str | None = None  # a private CA (tests, an internal relay); None: the system store
    local_hostname: str | None = None
    # Sender policy (notify.outbox).
    max_attempts: int = 8
    backoff_base_s: float = 60.0
    backoff_cap_s: float = 3600.0
    lease_s: float = 300.0  # a row left in 'sending' longer than this was interrupted


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file)


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data_payload(message: bytes) -> bytes:
    """RFC 5321 §4.5.2: CRLF line ends, leading dots doubled, terminated by CRLF.CRLF."""
    body = re.sub(rb"\r\n|\r|\n", b"\r\n", message)
    body = _LEADING_DOT.sub(b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _refusal(stage: str, code: int, reply: bytes | str) -> SmtpError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    message = f"{stage} refused: {code} {text}".strip()
    if 400 <= code < 500:
        return SmtpTransientError(message, code)
    return SmtpPermanentError(message, code)


class SmtpMailer:
    """One SMTP session: `with SmtpMailer(settings) as m: m.send(...)`. Connects on enter, not in __init__."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        self.connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._smtp is not None

    def connect(self) -> None:
        s = self.settings
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, local_hostname=s.local_hostname, timeout=s.timeout_s, context=_tls_context(s)
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, local_hostname=s.local_hostname, timeout=s.timeout_s)
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=_tls_context(s))
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as e:
            raise SmtpUnavailableError(
                f"SMTP login to {s.host}:{s.port} as {s.user!r} failed ({e.smtp_code}); check smtp.user/password",
                e.smtp_code,
            ) from e
        except smtplib.SMTPNotSupportedError as e:
            raise SmtpUnavailableError(
                f"{s.host}:{s.port} does not offer {'STARTTLS' if s.security == 'starttls' else 'AUTH'}: "
                "check smtp.security and smtp.port"
            ) from e
        except UnicodeError as e:  # smtplib's AUTH encodes credentials as ASCII
            raise SmtpUnavailableError(f"SMTP credentials must be ASCII ({e}); check smtp.user/password") from e
        except ssl.SSLError as e:
            raise SmtpUnavailableError(f"TLS with {s.host}:{s.port} failed: {e}; check smtp.security/ca_file") from e
        except (smtplib.SMTPException, OSError) as e:
            raise SmtpUnavailableError(f"cannot reach SMTP server {s.host}:{s.port}: {e}") from e
        self._smtp = smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _abort(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _reset(self) -> None:
        """After a refused transaction, RSET so the session can carry the next message."""
        assert self._smtp is not None
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._abort()

    def send(self, from_addr: str, to_addr: str, message: bytes) -> str:
        """Transmit one message; return the server's final reply text. Raises one of our SmtpErrors."""
        if self._smtp is None:
            self.connect()
        smtp = self._smtp
        assert smtp is not None
        payload = _data_payload(message)
        try:
            code, reply = smtp.mail(from_addr)
            if code != 250:
                self._reset()
                raise _refusal("MAIL FROM", code, reply)
            code, reply = smtp.rcpt(to_addr)
            if code not in (250, 251):
                self._reset()
                raise _refusal("RCPT TO", code, reply)
            code, reply = smtp.docmd("DATA")
            if code != 354:
                self._reset()
                raise _refusal("DATA", code, reply)
            smtp.send(payload)
        except (smtplib.SMTPException, OSError) as e:
            # The terminating dot was not (completely) written: the server cannot have accepted it.
            self._abort()
            raise SmtpTransientError(f"connection lost before the message was complete: {e}") from e
        try:
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as e:
            self._abort()
            raise SmtpUncertainError(f"no reply after the end of DATA ({e}); the server may have accepted it") from e
        if code != 250:
            raise _refusal("message", code, reply)
        return reply.decode("utf-8", "replace")
