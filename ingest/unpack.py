"""MIME parts → content-addressed Attachments, ZIP archives expanded, every limit checked first.

Pure: archives are read from memory and nothing is written anywhere, so a
member's name can never become a path. Members are listed right after their
archive and carry its sha256 as `parent_sha256`.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import tnefparse

from ingest import images
from ingest.complete import pdf_cut_short
from ingest.sniff import DOCX, PDF, SUPPORTED, TNEF, UNKNOWN, ZIP, describe_unsupported, sniff
from ingest.types import Attachment, MimePart
from terms.errors import ErrorCode

_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".localized"})
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/tiff"})
_UTF8_NAME_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP: the UTF-8 name of a member stored with a legacy name


@dataclass(frozen=True)
class UnpackLimits:
    max_depth: int = 3  # archives inside archives: 1 = only top-level archives are opened
    max_members: int = 500  # per archive
    max_total_uncompressed: int = 500 * 1024 * 1024  # all archives of one message together
    max_ratio: float = 100.0  # uncompressed / compressed, per member and per archive
    max_member_size: int = 200 * 1024 * 1024
    max_image_pixels: int = 100_000_000  # per page or frame; 600 dpi A3 is ~70 Mpx
    max_image_frames: int = 1000


@dataclass
class _Budget:
    remaining: int
    notes: list[str] = field(default_factory=list)


def unpack(parts: Sequence[MimePart], limits: UnpackLimits) -> list[Attachment]:
    """One Attachment per part, each archive followed by its members (depth-first)."""
    budget = _Budget(remaining=limits.max_total_uncompressed)
    out: list[Attachment] = []
    for part in parts:
        if part.incomplete:
            # Whatever still opens is not the file the agency sent: nothing of it is filed.
            kind = sniff(part.data, part.content_type, part.filename)
            error = f"The file arrived incomplete: {part.incomplete}. Ask the sender to send it again."
            out.append(Attachment(filename=part.filename, content_type=kind, data=part.data,
                                  sha256=hashlib.sha256(part.data).hexdigest(),
                                  error_code=ErrorCode.truncated_file, error=error))
            continue
        try:
            _add(out, part.filename, part.content_type, part.data, None, None, 1, limits, budget)
        except Exception as exc:  # a bug here must cost one attachment, not the message
            out.append(
                Attachment(
                    filename=part.filename,
                    content_type=UNKNOWN,
                    data=part.data,
                    sha256=hashlib.sha256(part.data).hexdigest(),
                    error_code=ErrorCode.internal,
                    error=f"Unpacking failed unexpectedly ({type(exc).__name__}: {exc}); report this file.",
                )
            )
    return out


def _add(
    out: list[Attachment],
    filename: str,
    declared: str,
    data: bytes,
    parent: str | None,
    archive_path: str | None,
    depth: int,
    limits: UnpackLimits,
    budget: _Budget,
) -> None:
    sha = hashlib.sha256(data).hexdigest()
    kind = sniff(data, declared, filename)

    def record(code: ErrorCode | None = None, message: str | None = None) -> None:
        out.append(
            Attachment(
                filename=filename,
                content_type=kind,
                data=data,
                sha256=sha,
                parent_sha256=parent,
                error_code=code,
                error=message,
                archive_path=archive_path,
            )
        )

    if not data:
        record(ErrorCode.empty_file, "The file is empty (0 bytes): ask the sender to attach it again.")
        return
    if kind == UNKNOWN or kind not in SUPPORTED:
        what = describe_unsupported(data) or f"not a PDF, image, Word (.docx) or ZIP file (declared {declared})"
        record(ErrorCode.unknown_type, f"Unsupported file type: {what}. Ask the sender for a PDF or scan.")
        return
    if kind in _IMAGE_TYPES:
        code, message = _check_image(data, kind, limits)
        record(code, message)
        return
    if kind == DOCX:
        bomb = _docx_bomb(data, limits, budget)
        if bomb:
            record(ErrorCode.zip_bomb, f"The Word file is a ZIP inside: {bomb}")
            return
    if kind == PDF and pdf_cut_short(data):
        record(ErrorCode.truncated_file,
               "The PDF ends before its end-of-file marker (cut short in transit); ask the sender to send it again.")
        return
    if kind not in (ZIP, TNEF):
        record()
        return
    if depth > limits.max_depth:
        record(
            ErrorCode.zip_bomb,
            f"Archive nested more than {limits.max_depth} levels deep; not opened. Ask for the files unzipped.",
        )
        return
    index = len(out)
    record()
    members: list[tuple[str, str, bytes, str]] = []
    reader = _read_zip if kind == ZIP else _read_tnef
    problem = reader(data, limits, budget, members)
    if problem is not None:
        code, message = problem
        out[index] = replace(out[index], error_code=code, error=message)
        if code == ErrorCode.zip_bomb or not members:
            return  # nothing from a bomb is trusted
    for name, member_path, member_data, member_declared in members:
        _add(out, name, member_declared, member_data, sha, member_path, depth + 1, limits, budget)


def _check_image(data: bytes, kind: str, limits: UnpackLimits) -> tuple[ErrorCode | None, str | None]:
    try:
        header = images.read_header(data, kind, max_frames=limits.max_image_frames)
    except images.ImageTooLarge:
        return ErrorCode.image_bomb, "Image dimensions are implausibly large (decompression bomb); not processed."
    except images.ImageHeaderError as exc:
        return ErrorCode.corrupt_image, f"The image is damaged or cut short ({exc}); ask the sender to send it again."
    if header.frames > limits.max_image_frames:
        return ErrorCode.image_bomb, f"The image has more than {limits.max_image_frames} pages; not processed."
    if header.largest_frame_pixels > limits.max_image_pixels:
        return (
            ErrorCode.image_bomb,
            f"Image of {header.largest_frame_pixels:,} pixels exceeds the limit of {limits.max_image_pixels:,}; "
            "not processed. Ask for a smaller scan.",
        )
    return None, None


# --- ZIP -------------------------------------------------------------------------


def _read_zip(
    data: bytes, limits: UnpackLimits, budget: _Budget, members: list[tuple[str, str, bytes, str]]
) -> tuple[ErrorCode, str] | None:
    """Fill `members` (display name, path in archive, bytes, declared type); return an error if any."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises many types on damaged archives (struct.error, UnicodeDecodeError...)
        return ErrorCode.corrupt_zip, f"The ZIP archive is damaged and cannot be opened ({exc}); ask for it again."
    with zf:
        try:
            infos = zf.infolist()
        except Exception as exc:
            return ErrorCode.corrupt_zip, f"The ZIP directory is unreadable ({exc}); ask for the archive again."
        files = [i for i in infos if not i.is_dir() and not _is_junk(i.filename)]
        bomb = _bomb_reason(files, len(data), limits, budget)
        if bomb:
            return ErrorCode.zip_bomb, bomb
        budget.remaining -= sum(i.file_size for i in files)
        unreadable: list[str] = []
        for info in files:
            path = _member_name(info)
            name = _display_name(path)
            if info.flag_bits & _ENCRYPTED_FLAG:
                unreadable.append(f"{name} (password-protected)")
                continue
            try:
                content = _read_member(zf, info, limits.max_member_size)
            except Exception as e:  # bad CRC, unsupported compression, truncated data...
                unreadable.append(f"{name} ({type(e).__name__}: {e})")
                continue
            members.append((name, path, content, "application/octet-stream"))
    if unreadable:
        return (
            ErrorCode.corrupt_zip,
            "Some files in the ZIP archive could not be read: " + "; ".join(unreadable[:10]) + ". Ask for them again.",
        )
    return None


# --- TNEF (winmail.dat) ------------------------------------------------------------


def _read_tnef(
    data: bytes, limits: UnpackLimits, budget: _Budget, members: list[tuple[str, str, bytes, str]]
) -> tuple[ErrorCode, str] | None:
    """Outlook wraps the real attachments in winmail.dat: take them out as members, like a ZIP's."""
    try:
        parsed = tnefparse.TNEF(data, do_checksum=False)
    except Exception as exc:  # the decoder raises ValueError, IndexError, struct.error on damaged input
        return (ErrorCode.corrupt_tnef,
                f"The Outlook winmail.dat is damaged ({exc}); ask for the files as ordinary attachments.")
    found = [a for a in parsed.attachments if a.data]
    if len(found) > limits.max_members:
        return ErrorCode.zip_bomb, f"winmail.dat holds {len(found)} files, more than the limit of {limits.max_members}."
    total = sum(len(a.data) for a in found)
    if total > budget.remaining:
        return ErrorCode.zip_bomb, f"winmail.dat would unpack to {total:,} bytes, beyond the {budget.remaining:,} left."
    budget.remaining -= total
    for i, att in enumerate(found, start=1):
        name = _display_name(_tnef_name(att) or f"winmail-{i}")
        if _is_junk(name):
            continue
        if len(att.data) > limits.max_member_size:
            return ErrorCode.zip_bomb, f"winmail.dat member {name!r} is larger than {limits.max_member_size:,} bytes."
        members.append((name, name, bytes(att.data), "application/octet-stream"))
    if not members:
        return ErrorCode.corrupt_tnef, "The Outlook winmail.dat holds no attachment (only the message text)."
    return None


def _tnef_name(att: tnefparse.tnef.TNEFAttachment) -> str:
    """The long (Unicode) name if Outlook stored one, else the short name in UTF-8 or GBK."""
    try:
        name = att.long_filename()
    except UnicodeDecodeError:
        name = None
    if isinstance(name, bytes):
        name = name.decode("utf-16-le", "replace") if b"\x00" in name else name.decode("gb18030", "replace")
    if name:
        return str(name).strip("\x00")
    raw = att._name  # tnefparse decodes the short name as UTF-8 only; Chinese Outlook writes GBK
    if isinstance(raw, bytes):
        return raw.decode("gb18030", "replace").strip("\x00")
    return str(raw or "").strip("\x00")


def _docx_bomb(data: bytes, limits: UnpackLimits, budget: _Budget) -> str | None:
    """A .docx is a ZIP that python-docx inflates whole: the same limits as for any archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            files = [i for i in zf.infolist() if not i.is_dir()]
    except Exception:  # damaged: the extract step reports it as a corrupt Word file
        return None
    return _bomb_reason(files, len(data), limits, budget)


def _bomb_reason(files: list[zipfile.ZipInfo], archive_size: int, limits: UnpackLimits, budget: _Budget) -> str | None:
    if len(files) > limits.max_members:
        return f"ZIP archive holds {len(files)} files, more than the limit of {limits.max_members}; not unpacked."
    total = 0
    for info in files:
        if info.file_size > limits.max_member_size:
            return (
                f"ZIP member {_display_name(_member_name(info))!r} would unpack to {info.file_size:,} bytes, "
                f"more than the limit of {limits.max_member_size:,}; not unpacked."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > limits.max_ratio:
            return (
                f"ZIP member {_display_name(_member_name(info))!r} is compressed {ratio:,.0f}:1, "
                f"beyond the limit of {limits.max_ratio:,.0f}:1 (a zip bomb); not unpacked."
            )
        total += info.file_size
    if total > budget.remaining:
        return (
            f"ZIP archive would unpack to {total:,} bytes, beyond the {budget.remaining:,} bytes left "
            "for this message; not unpacked."
        )
    if total > 1024 * 1024 and total > limits.max_ratio * max(archive_size, 1):
        return (
            f"ZIP archive of {archive_size:,} bytes would unpack to {total:,} bytes, "
            f"beyond the {limits.max_ratio:,.0f}:1 ratio limit (a zip bomb); not unpacked."
        )
    return None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_size: int) -> bytes:
    # zipfile stops at the declared size and checks the CRC; the cap guards a lying header anyway.
    with zf.open(info) as fh:
        content = fh.read(min(info.file_size, max_size) + 1)
    if len(content) > info.file_size:
        raise ValueError("member is larger than its header declares")
    return content


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & _UTF8_NAME_FLAG:
        return info.filename
    unicode_path = _unicode_path_extra(info)
    if unicode_path:
        return unicode_path
    # zipfile decoded the legacy name as cp437; Chinese Windows wrote GBK.
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unicode_path_extra(info: zipfile.ZipInfo) -> str | None:
    extra = info.extra
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        if tag == _UNICODE_PATH_EXTRA and len(body) > 5 and body[0] == 1:
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + size
    return None


# Bidi controls reorder what is shown: "报告\u202efdp.exe" displays as "报告exe.pdf".
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _display_name(path: str) -> str:
    """The last path component, for display only: never joined to any directory."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and not "\x7f" <= ch <= "\x9f" and ch not in _BIDI).strip()
    return name[:255] or "unnamed"


def _is_junk(path: str) -> bool:
    parts = path.replace("\\", "/").lower().split("/")
    return "__macosx" in parts or parts[-1] in _JUNK_NAMES or parts[-1].startswith("._")
