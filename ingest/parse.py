"""Raw RFC 822 bytes → a typed Submission. Pure, and never raises.

mail-parser builds the MIME tree (guarding against recursion bombs) and lists
defects; we walk the tree ourselves because filenames need their raw 8-bit
bytes back and GB charset labels must be decoded as gb18030. The From address
comes from a `policy.default` header object, never from `email.utils.parseaddr`
(CVE-2023-27043).
"""

from __future__ import annotations

import email
import email.utils
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser

import mailparser

from ingest import images
from ingest.charsets import decode_8bit, decode_bytes, decode_header_text, has_surrogates, normalize_charset, relabel_gb
from ingest.complete import transfer_problem
from ingest.htmltext import html_to_text, meta_charset
from ingest.sniff import sniff
from ingest.types import MimePart, Submission

MAX_PARTS = 2000  # leaves walked per message; more is a MIME bomb, not a filing
MAX_DEPTH = 60  # multipart/message nesting
MAX_BODY_CHARS = 1_000_000
MAX_NAME_CHARS = 255
MAX_HEADER_FIELDS = 1000  # per part
MAX_HEADER_CHARS = 16 * 1024  # per header field, folded lines included
MAX_FROM_CHARS = 4096  # a real From is a name and an address

# An inline image is kept only if it could be a scanned page or photo of one:
# signatures, logos and emoji are small.
INLINE_MIN_SIDE = 500
INLINE_MIN_PIXELS = 400_000
INLINE_MIN_BYTES_UNKNOWN_SIZE = 100_000

_SIGNATURE_TYPES = frozenset(
    {
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
        "application/pgp-keys",
    }
)
_MSG_ID = re.compile(r"<[^<>\s]+>")
# Control characters, and the bidi controls that make "报告\u202efdp.exe" display as "报告exe.pdf".
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Defects policy.default reports about display names, not about the address itself.
_BENIGN_ADDRESS_DEFECTS = ("encoded word", "encoded-word", "non-ascii", "non-printable")


def parse_message(raw: bytes) -> Submission:
    """Parse one message; whatever goes wrong is recorded in `defects`, never raised."""
    state = _State()
    try:
        return _parse(raw, state)
    except Exception as exc:  # the last line of defence: one bad message must not stop the poller
        state.defect(f"parser failed: {type(exc).__name__}: {exc}")
        return _fallback(raw, state)


@dataclass
class _State:
    defects: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    parts: list[MimePart] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    leaves: int = 0

    def defect(self, text: str) -> None:
        if len(self.defects) < 200 and text not in self.defects:
            self.defects.append(text[:500])


def _parse(raw: bytes, state: _State) -> Submission:
    tree = _build_tree(raw, state)
    headers: Message = tree if tree is not None else _header_block(raw, state)
    if tree is not None:
        _walk(tree, state)
    return _submission(raw, headers, state)


def _fallback(raw: bytes, state: _State) -> Submission:
    try:
        headers = _header_block(raw, state)
        return _submission(raw, headers, state)
    except Exception as exc:
        state.defect(f"headers unreadable: {type(exc).__name__}: {exc}")
    return Submission(
        message_id=None,
        from_address=None,
        from_display="",
        from_count=0,
        subject="",
        date=None,
        in_reply_to=None,
        references=(),
        body_text="",
        parts=tuple(state.parts),
        defects=tuple(state.defects),
        skipped=tuple(state.skipped),
        raw=raw,
    )


def _build_tree(raw: bytes, state: _State) -> Message | None:
    """The compat32 MIME tree (raw 8-bit header bytes kept as surrogates), bounded, plus mail-parser's diagnosis."""
    try:
        tree = email.message_from_bytes(raw)
    except Exception as exc:  # RecursionError on absurd nesting, and anything else the stdlib trips on
        state.defect(f"MIME tree unreadable: {type(exc).__name__}: {exc}")
        return None
    leaves = _bound_headers(tree, state)
    if leaves > MAX_PARTS:
        state.defect(f"{leaves} MIME parts: mail-parser diagnosis skipped")
        return tree
    try:
        parsed = mailparser.MailParser(tree)
    except Exception as exc:  # RecursionError in its recursive walk, or anything it did not foresee
        state.defect(f"mail-parser: {type(exc).__name__}: {exc}")
        return tree
    for entry in parsed.defects or ():
        if isinstance(entry, dict):
            for where, items in entry.items():
                for item in items if isinstance(items, list) else [items]:
                    state.defect(f"{where}: {item}")
        else:
            state.defect(str(entry))
    return tree


def _bound_headers(root: Message, state: _State) -> int:
    """Cap header count and size on every part, in place; returns the number of leaf parts.

    Header parsers (the stdlib's parameter and address parsers, mail-parser's
    decoding) are quadratic in a header's length: a 1 MB Subject would take minutes.
    """
    leaves = 0
    stack: list[tuple[Message, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        items = list(node.raw_items())
        if len(items) > MAX_HEADER_FIELDS or any(len(str(v)) > MAX_HEADER_CHARS for _, v in items):
            kept = [(k, str(v)[:MAX_HEADER_CHARS]) for k, v in items[:MAX_HEADER_FIELDS]]
            state.defect(
                f"oversized header block ({len(items)} fields): cut to {MAX_HEADER_FIELDS} x {MAX_HEADER_CHARS}"
            )
            # Message has no public "replace all headers"; deleting name by name is
            # itself quadratic with thousands of distinct names.
            setattr(node, "_headers", kept)  # noqa: B010
        if node.is_multipart() and depth < MAX_DEPTH:
            children = node.get_payload()
            if isinstance(children, list):
                stack.extend((c, depth + 1) for c in children if isinstance(c, Message))
        else:
            leaves += 1
    return leaves


def _header_block(raw: bytes, state: _State) -> Message:
    end = _header_end(raw)
    state.defect("MIME structure unreadable: only the header block was parsed")
    headers = BytesHeaderParser().parsebytes(raw[:end])
    _bound_headers(headers, state)
    return headers


def _header_end(raw: bytes) -> int:
    found = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i != -1]
    return min(found) if found else len(raw)


# --- headers -----------------------------------------------------------------


def _raw_values(msg: Message, name: str) -> list[str]:
    """Header values as received: 8-bit bytes stay as surrogates for us to decode (get() would blank them)."""
    try:
        return [_unfold(str(v)) for k, v in msg.raw_items() if k.lower() == name]
    except Exception:
        return []


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", " ").replace("\n", " ")


def _submission(raw: bytes, msg: Message, state: _State) -> Submission:
    addresses, count, display = _from_mailboxes(msg, state)
    subject_values = _raw_values(msg, "subject")
    message_id = _first_msg_id(_raw_values(msg, "message-id"))
    in_reply_to = _first_msg_id(_raw_values(msg, "in-reply-to"))
    references = tuple(ref for v in _raw_values(msg, "references") for ref in _MSG_ID.findall(v))
    body = _body_text(state)
    return Submission(
        message_id=message_id,
        from_address=addresses[0] if count == 1 and len(addresses) == 1 else None,
        from_display=display,
        from_count=count,
        subject=_clean(decode_header_text(subject_values[0])) if subject_values else "",
        date=_date(_raw_values(msg, "date"), state),
        in_reply_to=in_reply_to,
        references=references,
        body_text=body,
        parts=tuple(state.parts),
        authentication_results=tuple(decode_8bit(v).strip() for v in _raw_values(msg, "authentication-results")),
        defects=tuple(state.defects),
        from_addresses=tuple(addresses),
        skipped=tuple(state.skipped),
        raw=raw,
    )


def _from_mailboxes(msg: Message, state: _State) -> tuple[list[str], int, str]:
    """Usable From mailboxes (lowercased addr-specs), how many mailboxes there were, first display name.

    A mailbox whose address part the parser had to repair counts but is not
    usable, so such a From can never match the registry.
    """
    values = _raw_values(msg, "from")
    if len(values) > 1:
        state.defect(f"{len(values)} From headers")
    usable: list[str] = []
    count = 0
    display = ""
    for value in values:
        if len(value) > MAX_FROM_CHARS:
            state.defect(f"From header of {len(value)} characters: not parsed")
            count += 2
            continue
        text = relabel_gb(decode_8bit(value))
        try:
            header = policy.default.header_factory("from", text)
            mailboxes = list(header.addresses)
            bad = [d for d in header.defects if not _benign_address_defect(d)]
        except Exception as exc:
            state.defect(f"From header unparseable: {type(exc).__name__}: {exc}")
            count += 2
            continue
        if bad:
            state.defect("From header malformed: " + "; ".join(str(d) for d in bad))
            count += max(2, len(mailboxes))
            continue
        squeezed = re.sub(r"\s+", "", text).lower()
        for mailbox in mailboxes:
            count += 1
            spec = mailbox.addr_spec
            # Belt and braces: both halves of the address must be in the header as written.
            if (
                not mailbox.username
                or not mailbox.domain
                or mailbox.username.lower() not in squeezed
                or mailbox.domain.lower() not in squeezed
            ):
                state.defect(f"From mailbox without a usable address: {spec!r}")
                continue
            usable.append(spec.lower())
            if not display:
                name = mailbox.display_name
                display = _clean(decode_header_text(name) if "=?" in name else name)
    return usable, count, display


def _benign_address_defect(defect: object) -> bool:
    """Defects about display names or obsolete-but-valid syntax ("Joe Q. Public"), not the address.

    Anything else (InvalidHeaderDefect: the parser had to guess where the address is)
    makes the From header unusable for sender checks.
    """
    if type(defect).__name__ == "ObsoleteHeaderDefect":
        return True
    return any(b in str(defect).lower() for b in _BENIGN_ADDRESS_DEFECTS)


def _first_msg_id(values: list[str]) -> str | None:
    for value in values:
        m = _MSG_ID.search(value)
        if m:
            return m.group(0)
        stripped = _clean(decode_8bit(value)).strip()
        if stripped:
            return stripped[:998]
    return None


def _date(values: list[str], state: _State) -> datetime | None:
    if not values:
        state.defect("no Date header")
        return None
    text = decode_8bit(values[0]).strip()
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except Exception:
        try:  # some Chinese webmail and scanners write "2026-02-05 14:52:19"
            parsed = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            state.defect(f"Date header unparseable: {text[:80]!r}")
            return None
        state.defect(f"Date header not in RFC 5322 form: {text[:80]!r}")
    if parsed.tzinfo is None:
        state.defect("Date header without a time zone: read as UTC")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


# --- MIME walk -----------------------------------------------------------------


def _walk(root: Message, state: _State) -> None:
    # Iterative: Message.walk() recurses and a deeply nested message would exhaust the stack.
    stack: list[tuple[Message, int, bool, bool]] = [(root, 0, False, False)]  # node, depth, forwarded, related
    while stack:
        node, depth, forwarded, related = stack.pop()
        if depth > MAX_DEPTH:
            state.defect(f"MIME nesting deeper than {MAX_DEPTH}: inner parts ignored")
            continue
        if node.is_multipart():
            children = node.get_payload()
            if not isinstance(children, list):
                continue
            inner_forwarded = forwarded or node.get_content_maintype() == "message"
            if node.get_content_maintype() == "message" and children:
                encoded = _encoded_message(node, children[0])
                if encoded is not None:
                    children = [encoded]
                _forwarded_header(children[0], state)
            for child in reversed(children):
                if isinstance(child, Message):
                    stack.append((child, depth + 1, inner_forwarded, node.get_content_type() == "multipart/related"))
            continue
        state.leaves += 1
        if state.leaves > MAX_PARTS:
            if state.leaves == MAX_PARTS + 1:
                state.defect(f"more than {MAX_PARTS} MIME parts: the rest ignored")
            continue
        try:
            for child in _leaf(node, state, related):
                stack.append((child, depth + 1, True, False))
        except Exception as exc:
            state.defect(f"MIME part {state.leaves} unreadable: {type(exc).__name__}: {exc}")


def _encoded_message(node: Message, inner: object) -> Message | None:
    """A message/rfc822 part sent base64 or quoted-printable (illegal, but common) parsed for real."""
    cte = str(node.get("content-transfer-encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable") or not isinstance(inner, Message) or inner.is_multipart():
        return None
    text = inner.get_payload()
    if not isinstance(text, str):
        return None
    carrier = Message()
    carrier["Content-Transfer-Encoding"] = cte
    carrier.set_payload(text)
    data = carrier.get_payload(decode=True)
    return email.message_from_bytes(data) if isinstance(data, bytes) and data else None


def _forwarded_header(inner: object, state: _State) -> None:
    if not isinstance(inner, Message):
        return
    lines = ["---------- Forwarded message ----------"]
    for name in ("from", "date", "subject"):
        values = _raw_values(inner, name)
        if values:
            lines.append(f"{name.capitalize()}: {_clean(decode_header_text(relabel_gb(values[0])))}")
    state.plain.append("\n".join(lines))
    state.html.append("\n".join(lines))


def _leaf(node: Message, state: _State, related: bool) -> Iterator[Message]:
    """Handle one non-multipart part; yields a message to walk when the part hides one."""
    ctype = node.get_content_type()
    disposition = _disposition(node)
    filename = _filename(node, state)
    data = _payload(node, state)
    incomplete = transfer_problem([type(d).__name__ for d in node.defects], _declared_size(node), len(data))

    if ctype in ("message/rfc822", "message/global") and data:
        # A forwarded message sent with a transfer encoding arrives unparsed.
        inner = email.message_from_bytes(data)
        _forwarded_header(inner, state)
        yield inner
        return
    if node.get_content_maintype() == "multipart":
        state.defect(f"{ctype} part without a usable boundary: read as text")
        _add_body(node, "text/plain", data, state)
        return
    if not filename and disposition != "attachment" and ctype in ("text/plain", "text/html"):
        _add_body(node, ctype, data, state)
        return
    if ctype in _SIGNATURE_TYPES:
        state.skipped.append(f"{filename or ctype}: a digital signature, not a document")
        return
    if not filename and disposition != "attachment" and node.get_content_maintype() in ("text", "message"):
        state.skipped.append(f"{ctype} part without a name: not an attachment")
        return

    name = filename or _generated_name(ctype, len(state.parts) + 1)
    has_cid = node.get("content-id") is not None
    inline = disposition == "inline" or (disposition is None and (has_cid or related))
    # Only images shown inside the mail (inline, referenced by Content-ID, in multipart/related)
    # may be decoration; an image sent as a plain part is an attachment whatever its size.
    if node.get_content_maintype() == "image" and inline:
        reason = _small_image_reason(data)
        if reason:
            state.skipped.append(f"inline image {name!r}: {reason}")
            return
    if incomplete:
        state.defect(f"attachment {name!r}: {incomplete}")
    state.parts.append(MimePart(filename=name, content_type=ctype, data=data, inline=inline, incomplete=incomplete))


def _declared_size(node: Message) -> int | None:
    """Content-Disposition's size parameter (RFC 2183), when it is a number."""
    value = _param(node, "content-disposition", "size")
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 16:
        return int(value.strip())
    return None


def _disposition(node: Message) -> str | None:
    try:
        value = node.get_content_disposition()
    except Exception:
        return None
    return value.lower() if isinstance(value, str) else None


def _payload(node: Message, state: _State) -> bytes:
    try:
        data = node.get_payload(decode=True)
    except Exception as exc:
        state.defect(f"transfer encoding unreadable: {type(exc).__name__}: {exc}")
        return b""
    for d in node.defects:
        state.defect(f"{node.get_content_type()}: {type(d).__name__}")
    return data if isinstance(data, bytes) else b""


def _add_body(node: Message, ctype: str, data: bytes, state: _State) -> None:
    charset = _param(node, "content-type", "charset")
    declared = charset if isinstance(charset, str) else None
    if ctype == "text/html" and not declared:
        declared = meta_charset(data)
    text, how = decode_bytes(data, declared)
    if declared and how != normalize_charset(declared):
        state.defect(f"{ctype} declared charset {declared!r} but was decoded as {how}")
    text = text[:MAX_BODY_CHARS]
    if ctype == "text/html":
        state.html.append(text)
    else:
        state.plain.append(text.replace("\r\n", "\n"))


def _body_text(state: _State) -> str:
    if any(p.strip() and not p.startswith("---------- Forwarded") for p in state.plain) or not state.html:
        chunks = state.plain
    else:
        chunks = [c if c.startswith("---------- Forwarded") else html_to_text(c) for c in state.html]
    return "\n\n".join(c.strip() for c in chunks if c.strip())[:MAX_BODY_CHARS]


def _small_image_reason(data: bytes) -> str | None:
    kind = sniff(data, "", "")
    size = images.dimensions(data, kind)
    if size is None:
        if len(data) < INLINE_MIN_BYTES_UNKNOWN_SIZE:
            return f"{len(data)} bytes and no readable size: too small to be a scanned page"
        return None
    width, height = size
    if min(width, height) < INLINE_MIN_SIDE or width * height < INLINE_MIN_PIXELS:
        return f"{width}x{height} pixels: too small to be a scanned page (logo or signature)"
    return None


def _generated_name(ctype: str, number: int) -> str:
    ext = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    return f"attachment-{number}{ext}"


# --- filenames -----------------------------------------------------------------


def _param(node: Message, header: str, key: str) -> str | tuple[str, str, str] | None:
    """A header parameter; an RFC 2231 `key*=` value wins over a plain fallback (RFC 6266 §4.3)."""
    try:
        raw = _raw_values(node, header)
        if raw and has_surrogates(raw[0]):
            # The stdlib would turn raw 8-bit bytes into U+FFFD: decode them first.
            holder = Message()
            holder[header] = decode_8bit(raw[0])
            node = holder
        params = node.get_params(None, header) or []
    except Exception:
        return None
    values = [v for k, v in params[1:] if isinstance(k, str) and k.lower() == key]
    for v in values:
        if isinstance(v, tuple) and len(v) == 3:
            return (str(v[0] or ""), str(v[1] or ""), str(v[2] or ""))
    plain = [v for v in values if isinstance(v, str)]
    return email.utils.unquote(plain[0]) if plain else None


def _filename(node: Message, state: _State) -> str:
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        value = _param(node, header, key)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: charset'lang'percent-decoded bytes as latin-1
            charset, _lang, text = value
            raw = bytes(ord(c) - 0xDC00 if "\udc80" <= c <= "\udcff" else ord(c) & 0xFF for c in text)
            name, how = decode_bytes(raw, charset or None)
            if charset and how != normalize_charset(charset):
                state.defect(f"filename declared {charset!r} but decoded as {how}")
            # Some clients put RFC 2047 words inside filename*= as well.
            if "=?" in name:
                name = decode_header_text(name)
        else:
            name = decode_header_text(value)
        name = _CONTROL.sub("", name).strip().strip('"').strip()
        if name:
            return name[:MAX_NAME_CHARS]
    return ""
