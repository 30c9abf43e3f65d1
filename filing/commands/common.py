"""What every command shares: reading dates, writing files, and turning failures into one Chinese line."""

from __future__ import annotations

import errno
import re
from datetime import date
from pathlib import Path

import typer
from typer._click import exceptions as cx

from filing.bootstrap import App
from terms.errors import ErrorCode

# Errors the person at the terminal caused and can fix; shown without an internal code.
USER_ERRORS = frozenset({ErrorCode.config, ErrorCode.not_found, ErrorCode.invalid_request})

_ERRNO_TEXT = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "只读文件系统",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EEXIST: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EINVAL: "该位置不能写入文件",
}

_CLICK_PATTERNS = (
    (re.compile(r"No such command '(.+)'\."), "没有命令 {0}"),
    (re.compile(r"Missing command\."), "缺少命令"),
    (re.compile(r"Got unexpected extra argument\(s\) \((.*)\)"), "多余的参数：{0}"),
    (re.compile(r"Option '(.+)' requires an argument\."), "选项 {0} 需要一个值"),
)


def os_error_text(e: OSError) -> str:
    reason = _ERRNO_TEXT.get(e.errno or 0, e.strerror or str(e))
    where = f" {e.filename}" if e.filename else ""
    return f"无法访问{where}：{reason}"


def local_today(app: App) -> date:
    """Today in the bureau's timezone (calendar.timezone): the one "today" of every command and the service."""
    return app.settings.today()


def parse_day(value: str, option: str) -> date:
    """A YYYY-MM-DD date from the command line, or a one-line usage error naming the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"{option} 应为 YYYY-MM-DD 格式的日期（如 2026-11-30），收到 “{value}”") from None


def ensure_writable(path: Path) -> None:
    """Fail before the work, not after it: create missing folders and open the file once for writing."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as e:
        reason = "该位置不能新建文件" if e.errno == errno.ENOENT else _ERRNO_TEXT.get(e.errno or 0, e.strerror)
        raise UserError(f"无法写入 {path}：{reason}；请换一个输出路径（-o）") from None
    if not existed:
        path.unlink()


def write_output(path: Path, payload: bytes) -> Path:
    """Write a result file, creating missing folders; an impossible path is a user error, not a traceback."""
    ensure_writable(path)
    try:
        path.write_bytes(payload)
    except OSError as e:
        raise UserError(f"无法写入 {path}：{_ERRNO_TEXT.get(e.errno or 0, e.strerror)}") from None
    return path


class UserError(cx.ClickException):
    """A mistake in what was asked (a missing item, an impossible path): one line, exit code 2."""

    exit_code = 2


def click_error_text(e: typer.TyperException) -> str:
    """click's usage errors, said in Chinese where click's wording is English."""
    if isinstance(e, cx.MissingParameter):
        return f"缺少参数 {_hint(e)}"
    if isinstance(e, cx.NoSuchOption):
        return f"没有选项 {e.option_name}"
    if isinstance(e, cx.BadParameter):
        hint = _hint(e)
        message = "应为整数" if "valid integer" in e.message else e.message
        return f"{hint}：{message}" if hint else message
    text = e.format_message()
    for pattern, chinese in _CLICK_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return chinese.format(*found.groups())
    return text


def _hint(e: cx.BadParameter) -> str:
    if e.param_hint is not None:
        return e.param_hint if isinstance(e.param_hint, str) else " / ".join(e.param_hint)
    if e.param is not None and e.ctx is not None:
        return str(e.param.get_error_hint()).replace("'", "")
    return ""
