"""The IMAP adapter: the only module that imports imapclient.

It speaks in our terms (UIDs, sizes, raw bytes) and turns every library or socket
failure into `MailboxUnavailable` (worth retrying) or `MailboxRejected` (fix the
configuration). Every socket operation has a timeout, and a watchdog bounds each
command as a whole, so a server that drips one byte at a time cannot hang us either.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.imapclient import SocketTimeout
from imapclient.response_parser import parse_fetch_response

from terms.errors import ErrorCode, FilingError

log = logging.getLogger(__name__)

IDLE_REISSUE_S = 25 * 60  # RFC 2177: servers may end an IDLE after 30 minutes, so renew it well before
CLIENT_ID = {"name": "filing", "version": "0.1", "vendor": "Tengzhou Justice Bureau"}


@dataclass(frozen=True)
class MailboxSettings:
    """How to reach the filing mailbox (config.yaml section `mailbox`)."""

    host: str
    port: int = 993
    security: Literal["none", "starttls", "tls"] = "tls"
    user: str = ""
    password: str = field(default="", repr=False)
    oauth2_token: str = field(default="", repr=False)  # when set, XOAUTH2 replaces LOGIN
    folder: str = "INBOX"
    filed_folder: str = "Filed"
    after_filing: Literal["move", "flag"] = "move"
    flag: str = "$Filed"
    batch_size: int = 50  # messages per BODY.PEEK[] fetch
    batch_bytes: int = 32_000_000  # ... and at most this many (declared) bytes per fetch
    max_message_bytes: int = 50_000_000  # larger: quarantined without download
    timeout_s: float = 60.0  # connect and every socket read/write
    command_deadline_s: float = 600.0  # one whole command, however the bytes trickle in
    retries: int = 3  # further attempts after a dropped connection or timeout
    backoff_s: float = 2.0  # first retry delay, doubled each time
    tls_ca_file: str = ""  # extra CA bundle (self-signed test servers); empty: system store

    @property
    def account(self) -> str:
        """Stable ledger key for this mailbox (not the port: TLS and STARTTLS reach the same mail)."""
        return f"{self.user}@{self.host}"


class MailboxError(FilingError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.imap, message)


class MailboxUnavailable(MailboxError):
    """Network trouble: connection refused, dropped, reset or timed out. Retry later."""


class MailboxRejected(MailboxError):
    """The server said no (login, folder, command): retrying will not help, fix the settings."""


@dataclass(frozen=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True)
class ServerMessage:
    uid: int
    size: int
    internaldate: datetime | None


class ImapSession:
    """A logged-in connection. Create it with `open_mailbox`."""

    def __init__(self, client: IMAPClient, settings: MailboxSettings) -> None:
        self._client = client
        self._settings = settings
        self._known_folders: set[str] = set()

    @property
    def capabilities(self) -> tuple[str, ...]:
        with self._command("CAPABILITY"):
            return tuple(c.decode("ascii", "replace") for c in self._client.capabilities())

    def send_id(self) -> None:
        """IMAP ID (RFC 2971). NetEase refuses SELECT from clients that do not send it."""
        with self._command("ID"):
            try:
                self._client.id_(CLIENT_ID)
            except CapabilityError:
                log.info("server does not advertise ID; not sent")

    def select(self, folder: str) -> FolderStatus:
        with self._command(f"SELECT {folder}"):
            resp = self._client.select_folder(folder)
        if b"UIDVALIDITY" not in resp:
            raise MailboxRejected(f"server sent no UIDVALIDITY for {folder!r}: cannot poll it by UID safely")
        uidnext = resp.get(b"UIDNEXT")
        exists = int(resp.get(b"EXISTS", 1))  # EXISTS is mandatory; if missing, look rather than assume empty
        return FolderStatus(int(resp[b"UIDVALIDITY"]), int(uidnext) if uidnext else None, exists)

    def list_from(self, first_uid: int) -> list[ServerMessage]:
        """`UID FETCH first:* (RFC822.SIZE INTERNALDATE)`, as the server answers it.

        Beware: the answer includes the newest message even when its UID is below
        `first_uid` (RFC 3501 §6.4.8); the caller filters.
        """
        # imapclient's fetch() cannot send a `n:*` range, so go through imaplib's UID command.
        with self._command("UID FETCH sizes"):
            typ, data = self._client._imap.uid("FETCH", f"{first_uid}:*", "(UID RFC822.SIZE INTERNALDATE)")
            self._check(typ, data, "UID FETCH")
            parsed = parse_fetch_response([d for d in data if d is not None], False, True)
        out = []
        for uid, item in parsed.items():
            if b"RFC822.SIZE" not in item:
                continue  # an unsolicited FETCH (flag change by another client)
            when = item.get(b"INTERNALDATE")
            out.append(ServerMessage(int(uid), int(item[b"RFC822.SIZE"]), when if isinstance(when, datetime) else None))
        return sorted(out, key=lambda m: m.uid)

    def fetch_headers(self, uids: Sequence[int], max_bytes: int) -> dict[int, bytes]:
        """The first `max_bytes` of each header, without setting \\Seen."""
        if not uids:
            return {}
        with self._command("UID FETCH headers"):
            resp = self._client.fetch(list(uids), [f"BODY.PEEK[HEADER]<0.{max_bytes}>"])
        out = {}
        for uid, item in resp.items():
            for key, value in item.items():
                if key.startswith(b"BODY[HEADER]") and isinstance(value, bytes):
                    out[int(uid)] = value
        return out

    def fetch_raw(self, uids: Sequence[int]) -> dict[int, bytes]:
        """Whole messages by `BODY.PEEK[]` (plain BODY[] would mark them \\Seen)."""
        if not uids:
            return {}
        with self._command(f"UID FETCH {len(uids)} bodies"):
            resp = self._client.fetch(list(uids), ["BODY.PEEK[]"])
        return {int(uid): item[b"BODY[]"] for uid, item in resp.items() if isinstance(item.get(b"BODY[]"), bytes)}

    def move(self, uids: Sequence[int], folder: str) -> None:
        """UID MOVE where offered; else COPY + \\Deleted + UID EXPUNGE of exactly these UIDs."""
        if not uids:
            return
        self._ensure_folder(folder)
        with self._command(f"move {len(uids)} to {folder}"):
            if self._client.has_capability("MOVE"):
                self._client.move(list(uids), folder)
                return
            self._client.copy(list(uids), folder)
            self._client.add_flags(list(uids), [b"\\Deleted"], silent=True)
            if self._client.has_capability("UIDPLUS"):
                self._client.uid_expunge(list(uids))
            else:
                # A plain EXPUNGE would also remove mail other clients marked deleted: leave ours flagged.
                log.warning("server has neither MOVE nor UIDPLUS: copies left flagged \\Deleted in place")

    def add_flag(self, uids: Sequence[int], flag: str) -> None:
        if not uids:
            return
        with self._command(f"flag {len(uids)}"):
            self._client.add_flags(list(uids), [flag.encode("ascii")], silent=True)

    def idle_wait(self, folder: str, seconds: float, reissue_s: float) -> bool:
        """IMAP IDLE on `folder` for up to `seconds`; True once the server announces a new message."""
        self.select(folder)
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            with self._command("IDLE"):
                self._client.idle()
            news = self._idle_until(time.monotonic() + min(remaining, reissue_s))
            with self._command("DONE"):
                self._client.idle_done()
            if news:
                return True
        return False

    def _idle_until(self, end: float) -> bool:
        while (left := end - time.monotonic()) > 0:
            started = time.monotonic()
            with translate_errors("IDLE"):
                responses = self._client.idle_check(timeout=left)
            if any(isinstance(r, tuple) and len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                return True
            if not responses and time.monotonic() - started < left / 2:
                # idle_check swallows EOF and returns nothing at once: the server has gone.
                raise MailboxUnavailable("IDLE: connection closed by the server")
        return False

    def list_folders(self) -> list[str]:
        with self._command("LIST"):
            return [name for _flags, _sep, name in self._client.list_folders()]

    def close(self) -> None:
        """LOGOUT, or just drop the socket when the connection is already broken."""
        try:
            with self._command("LOGOUT"):
                self._client.logout()
        except MailboxError:
            self.abort()

    def abort(self) -> None:
        """Drop the connection without a goodbye (it is broken or stalled)."""
        with contextlib.suppress(OSError, IMAPClientError):
            self._client.shutdown()

    def _ensure_folder(self, folder: str) -> None:
        if folder in self._known_folders:
            return
        with self._command(f"CREATE {folder}"):
            if not self._client.folder_exists(folder):
                self._client.create_folder(folder)
                log.info("created folder %r", folder)
        self._known_folders.add(folder)

    @staticmethod
    def _check(typ: str, data: Any, what: str) -> None:
        if typ != "OK":
            raise MailboxRejected(f"{what} refused by server: {data!r}")

    @contextlib.contextmanager
    def _command(self, what: str) -> Iterator[None]:
        """Translate errors, and cut the socket if one command outlives its deadline."""
        fired = threading.Event()

        def cut() -> None:
            fired.set()
            with contextlib.suppress(OSError):
                self._client.socket().shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self._settings.command_deadline_s, cut)
        timer.daemon = True
        timer.start()
        try:
            with translate_errors(what):
                yield
        except MailboxUnavailable as e:
            if fired.is_set():
                raise MailboxUnavailable(
                    f"{what}: no complete answer within {self._settings.command_deadline_s:g}s, connection cut"
                ) from e
            raise
        finally:
            timer.cancel()


@contextlib.contextmanager
def translate_errors(what: str) -> Iterator[None]:
    try:
        yield
    except ssl.SSLCertVerificationError as e:
        raise MailboxRejected(
            f"{what}: TLS certificate not trusted ({e.verify_message}); fix the server certificate or set tls_ca_file"
        ) from e
    except (IMAPClientAbortError, OSError, EOFError) as e:  # OSError covers timeouts, resets and SSL errors
        raise MailboxUnavailable(f"{what}: connection failed: {e or type(e).__name__}") from e
    except LoginError as e:
        raise MailboxRejected(f"{what}: login refused ({e}); check mailbox user, password or token") from e
    except IMAPClientError as e:
        raise MailboxRejected(f"{what}: server refused: {e}") from e


def _ssl_context(settings: MailboxSettings) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if settings.tls_ca_file:
        ctx.load_verify_locations(settings.tls_ca_file)
    return ctx


def idle_wait(settings: MailboxSettings, seconds: float, reissue_s: float = IDLE_REISSUE_S) -> bool:
    """Block up to `seconds` in IMAP IDLE; True when new mail is announced, False on timeout.

    Only a hint to poll sooner: mail can arrive while no IDLE is running, so callers still poll
    by UID on a schedule. Raises MailboxUnavailable / MailboxRejected like any other command.
    """
    with open_mailbox(settings) as session:
        return session.idle_wait(settings.folder, seconds, reissue_s)


@contextlib.contextmanager
def open_mailbox(settings: MailboxSettings) -> Iterator[ImapSession]:
    """Connect, secure, log in and send ID; LOGOUT on exit."""
    timeout = SocketTimeout(connect=settings.timeout_s, read=settings.timeout_s)
    where = f"{settings.host}:{settings.port}"
    with translate_errors(f"connect to {where}"):
        client = IMAPClient(
            settings.host,
            settings.port,
            ssl=settings.security == "tls",
            ssl_context=_ssl_context(settings) if settings.security == "tls" else None,
            timeout=timeout,
        )
    client.normalise_times = False  # keep INTERNALDATE's time zone
    session = ImapSession(client, settings)
    try:
        with session._command("login"):
            if settings.security == "starttls":
                client.starttls(_ssl_context(settings))
            if settings.oauth2_token:
                client.oauth2_login(settings.user, settings.oauth2_token)
            else:
                client.login(settings.user, settings.password)
        session.send_id()
        yield session
    except MailboxUnavailable:
        session.abort()  # a LOGOUT would only wait out another timeout
        raise
    except BaseException:
        session.close()
        raise
    else:
        session.close()
