"""The `filing` command line. Each command group lives in filing/commands/; this file only wires them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer._click import exceptions as cx

from filing.commands import core, evaluate, followup, queue, web
from filing.commands import report as report_cmd
from filing.commands import roster as roster_cmd
from filing.commands import service as service_cmd
from filing.commands.common import USER_ERRORS, click_error_text, os_error_text
from terms.errors import FilingError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="行政应诉案件备案 — filing pipeline of a Justice Bureau."
)


@app.callback()
def _main(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", metavar="FILE",
            help="config file (default: $FILING_CONFIG or ./config.yaml)")
    ] = None,
) -> None:
    ctx.obj = {"config": config}


core.register(app)
evaluate.register(app)
queue.register(app)
web.register(app)
report_cmd.register(app)
service_cmd.register(app)
followup.register(app)
roster_cmd.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run one command; every failure a user can cause ends in one Chinese line and an exit code, not a traceback."""
    # mail-parser warns about every MIME type it does not render; we handle those parts ourselves.
    logging.getLogger("mailparser").setLevel(logging.ERROR)
    try:
        rv = app(args=argv, prog_name="filing", standalone_mode=False)
    except typer.Abort:
        _error("已取消")
        return 1
    except cx.NoArgsIsHelpError as e:
        e.show()
        return 2
    except typer.TyperException as e:
        _error(f"{click_error_text(e)}{_usage_hint(e)}")
        return int(getattr(e, "exit_code", 1))
    except FilingError as e:
        _error(e.message if e.code in USER_ERRORS else f"[{e.code}] {e.message}")
        return 2
    except OSError as e:
        _error(os_error_text(e))
        return 1
    return rv if isinstance(rv, int) else 0


def _usage_hint(e: typer.TyperException) -> str:
    ctx = getattr(e, "ctx", None)
    if isinstance(e, cx.UsageError) and ctx is not None:
        return f"（用法见 {ctx.command_path} --help）"
    return ""


def _error(text: str) -> None:
    typer.secho(f"错误：{text}", fg=typer.colors.RED, err=True)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
