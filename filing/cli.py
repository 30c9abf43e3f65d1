"""The `filing` command line. Each command group lives in filing/commands/; this file only wires them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from filing.commands import core, evaluate, queue, web
from filing.commands import report as report_cmd
from filing.commands import service as service_cmd
from terms.errors import FilingError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="行政应诉案件备案 — filing pipeline of a Justice Bureau."
)


@app.callback()
def _main(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="config file (default: $FILING_CONFIG or ./config.yaml)")
    ] = None,
) -> None:
    ctx.obj = {"config": config}


core.register(app)
evaluate.register(app)
queue.register(app)
web.register(app)
report_cmd.register(app)
service_cmd.register(app)


def main() -> None:
    # mail-parser warns about every MIME type it does not render; we handle those parts ourselves.
    logging.getLogger("mailparser").setLevel(logging.ERROR)
    try:
        app()
    except FilingError as e:
        typer.secho(f"error [{e.code}]: {e.message}", fg=typer.colors.RED, err=True)
        sys.exit(2)
