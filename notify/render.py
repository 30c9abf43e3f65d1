"""Jinja2 rendering of email bodies and construction of the MIME message.

Templates get a view-model dataclass as `v`; StrictUndefined turns a typo into an error
instead of a silently empty sentence. HTML templates are autoescaped (agency-supplied
subjects and OCR'd text end up in them). Header values are stripped of CR/LF and other
control characters before they reach `EmailMessage`, which then RFC 2047-encodes any
Chinese in UTF-8.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notify.views import RenderedEmail, cn_date, cn_date_weekday, cn_datetime
from terms.labels import formal_doc_label

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)


def clean_header(value: str, max_len: int = 200) -> str:
    """One line, no control characters, bounded length: safe to put in any header."""
    one_line = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    return one_line[:max_len].rstrip()


def reply_subject(original: str, fallback: str) -> str:
    """`Re: <original>` without stacking prefixes; a fallback for an empty subject."""
    base = _REPLY_PREFIX.sub("", clean_header(original)).strip()
    return clean_header(f"Re: {base or fallback}")


def stable_message_id(prefix: str, key: str, domain: str) -> str:
    """A Message-ID derived from a stable key, so retries and re-runs carry the same one."""
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return f"<{prefix}-{digest}@{domain}>"


def receipt_message_id(original_message_id: str, domain: str) -> str:
    """`<receipt-{sha1(mid without <>)[:16]}@{domain}>` — replies to a receipt can be traced back."""
    bare = original_message_id.strip().strip("<>").strip()
    return stable_message_id("receipt", bare, domain)


@cache
def _environment(templates_dir: str) -> Environment:
    """One environment per template folder: each message's receipt would otherwise compile its templates
    again (a third of a second). Jinja still reloads a template whose file changed."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = cn_date
    env.filters["cn_date_weekday"] = cn_date_weekday
    env.filters["cn_datetime"] = cn_datetime
    env.filters["doc_label"] = formal_doc_label
    return env


class EmailRenderer:
    """Renders `<name>.txt.j2` and `<name>.html.j2` from templates/email with a view-model."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self.env = _environment(str(templates_dir or DEFAULT_TEMPLATES))

    def render(self, name: str, subject: str, view: Any) -> RenderedEmail:
        text = self.env.get_template(f"{name}.txt.j2").render(v=view)
        html = self.env.get_template(f"{name}.html.j2").render(v=view, subject=subject)
        return RenderedEmail(subject=clean_header(subject), text=text, html=html)


@dataclass(frozen=True)
class OutgoingEmail:
    """Everything needed to build the wire message; built from an outbox row at send time."""

    from_addr: str
    from_name: str
    to_addr: str
    subject: str
    message_id: str
    text: str
    html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    date: datetime | None = None
    reply_to: str | None = None


def _address(addr: str, name: str = "") -> Address:
    addr = clean_header(addr, 320)
    local, _, domain = addr.rpartition("@")
    if not local or not domain:
        raise ValueError(f"not an email address: {addr!r}")
    return Address(display_name=clean_header(name, 100), username=local, domain=domain)


def build_message(mail: OutgoingEmail) -> EmailMessage:
    """A MIME message: text/plain + text/html alternatives, UTF-8, base64 bodies (no 8BITMIME needed)."""
    msg = EmailMessage(policy=policy.default)
    msg["From"] = _address(mail.from_addr, mail.from_name)
    msg["To"] = _address(mail.to_addr)
    if mail.reply_to:
        msg["Reply-To"] = _address(mail.reply_to)
    msg["Subject"] = clean_header(mail.subject)
    msg["Message-ID"] = clean_header(mail.message_id, 300)
    if mail.date is not None:
        msg["Date"] = format_datetime(mail.date)
    if mail.in_reply_to:
        msg["In-Reply-To"] = clean_header(mail.in_reply_to, 998)
    refs = [clean_header(r, 998) for r in mail.references if r and r.strip()]
    if refs:
        msg["References"] = " ".join(refs)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders must not answer us
    msg.set_content(mail.text, subtype="plain", charset="utf-8", cte="base64")
    if mail.html:
        msg.add_alternative(mail.html, subtype="html", charset="utf-8", cte="base64")
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """Wire form with CRLF line ends."""
    return msg.as_bytes(policy=policy.SMTP)
