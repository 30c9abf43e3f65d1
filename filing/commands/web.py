"""`filing web` serves the staff UI; `filing user add` creates staff accounts.

`filing web` imports uvicorn and the FastAPI app when it runs, so `filing user add` starts without them.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from filing.commands.core import app_from
from store.users import ROLES, UserError, add_user

console = Console(stderr=True)
PASSWORD_ENV = "FILING_USER_PASSWORD"


def register(cli: typer.Typer) -> None:
    @cli.command("web")
    def web_cmd(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="bind address (default: web.host, 127.0.0.1)")] = None,
        port: Annotated[int | None, typer.Option(help="port (default: web.port)")] = None,
    ) -> None:
        """Serve the staff web UI (review queue, cases, agencies, quarantine)."""
        import uvicorn

        from filing.web.app import create_app

        app = app_from(ctx)
        h, p = host or app.settings.web.host, port or app.settings.web.port
        if not app.settings.web.secret_key:
            console.print("[yellow]web.secret_key is not set (FILING_WEB__SECRET_KEY): "
                          "everyone is logged out when the server restarts[/yellow]")
        console.print(f"行政应诉案件备案 web UI on http://{h}:{p}/")
        uvicorn.run(create_app(app), host=h, port=p, log_level="info", proxy_headers=False)

    user_cli = typer.Typer(no_args_is_help=True, help="Staff accounts of the web UI.")
    cli.add_typer(user_cli, name="user")

    @user_cli.command("add")
    def user_add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="login name")],
        role: Annotated[str, typer.Option(help="reviewer | admin")] = "reviewer",
    ) -> None:
        """Create a user, or reset an existing user's password and role.

        The password comes from $FILING_USER_PASSWORD, else from a prompt.
        """
        if role not in ROLES:
            raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
        password = os.environ.get(PASSWORD_ENV) or typer.prompt("密码 / password", hide_input=True,
                                                                confirmation_prompt=True)
        app = app_from(ctx)
        try:
            with app.uow() as uow:
                user = add_user(uow.session, name, password, role, actor="cli")
                uow.commit()
        except UserError as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(2) from e
        console.print(f"user {user.name} ({user.role}) saved")
