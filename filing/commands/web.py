"""`filing web` serves the staff UI; `filing user add` creates staff accounts.

`filing web` imports uvicorn and the FastAPI app when it runs, so `filing user add` starts without them.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import func, select

from filing.commands.common import UserError
from filing.commands.core import app_from
from store import models as m
from store.users import ROLES, add_user
from store.users import UserError as PasswordRuleError

console = Console(stderr=True)
PASSWORD_ENV = "FILING_USER_PASSWORD"
ROLE_LABELS = {"reviewer": "审核员", "admin": "管理员"}


def register(cli: typer.Typer) -> None:
    @cli.command("web")
    def web_cmd(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(metavar="HOST",
            help="bind address (default: web.host, 127.0.0.1)")] = None,
        port: Annotated[int | None, typer.Option(metavar="PORT", help="port (default: web.port)")] = None,
    ) -> None:
        """Serve the staff web UI (review queue, cases, agencies, quarantine) with /healthz and /metrics."""
        import uvicorn

        from filing.serve import build_web

        app = app_from(ctx)
        h, p = host or app.settings.web.host, port or app.settings.web.port
        if not app.settings.web.secret_key:
            console.print("[yellow]未设置 web.secret_key（FILING_WEB__SECRET_KEY）："
                          "服务重启后所有人需重新登录[/yellow]")
        console.print(f"行政应诉案件备案网页：http://{h}:{p}/")
        uvicorn.run(build_web(app), host=h, port=p, log_level="info", proxy_headers=False)

    user_cli = typer.Typer(no_args_is_help=True, help="Staff accounts of the web UI.")
    cli.add_typer(user_cli, name="user")

    @user_cli.command("add")
    def user_add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(metavar="NAME", hidden=True)],
        role: Annotated[str, typer.Option(metavar="reviewer|admin", help="role")] = "reviewer",
    ) -> None:
        """Create the staff account NAME, or reset an existing account's password and role.

        The password comes from $FILING_USER_PASSWORD, else from a prompt (or one line of standard input).
        """
        if role not in ROLES:
            raise UserError(f"--role 须为 {'、'.join(ROLES)} 之一（reviewer：审核员，admin：管理员）")
        password = os.environ.get(PASSWORD_ENV) or _read_password()
        if not password:
            raise UserError(f"密码为空：请在提示处输入密码，或设置环境变量 {PASSWORD_ENV}")
        app = app_from(ctx)
        try:
            with app.uow() as uow:
                existed = uow.session.scalar(
                    select(m.User.id).where(func.lower(m.User.name) == name.strip().lower())) is not None
                user = add_user(uow.session, name, password, role, actor="cli")
                uow.commit()
        except PasswordRuleError as e:
            raise UserError(str(e)) from e
        done = "已更新账号" if existed else "已新建账号"
        console.print(f"{done} {user.name}（{ROLE_LABELS.get(user.role, user.role)}）", markup=False, highlight=False)


def _read_password() -> str:
    """From a prompt on a terminal (asked twice); from one line of standard input otherwise (a pipe)."""
    if sys.stdin.isatty():
        return str(typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码", default="",
                                show_default=False))
    return sys.stdin.readline().rstrip("\r\n")
