"""serve, worker, poll, remind: the commands that run the service.

Each command imports the service stack (APScheduler, FastAPI, uvicorn, the jobs) when it runs, so the
other commands of the CLI start without loading it.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from filing.commands.common import local_today, parse_day
from filing.commands.core import app_from
from filing.logging import configure_logging

console = Console(stderr=True)

LogLevel = Annotated[str, typer.Option("--log-level", metavar="DEBUG|INFO|WARNING", help="log level")]


def register(cli: typer.Typer) -> None:
    @cli.command("serve")
    def serve_cmd(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(metavar="HOST", help="web bind address (default: web.host)")] = None,
        port: Annotated[int | None, typer.Option(metavar="PORT", help="web port (default: web.port)")] = None,
        no_web: Annotated[bool, typer.Option("--no-web", help="scheduler and processing only")] = False,
        no_process: Annotated[bool, typer.Option("--no-process",
                                                 help="leave processing to `filing worker` (PostgreSQL)")] = False,
        log_level: LogLevel = "INFO",
    ) -> None:
        """Run everything in one process: web UI, mailbox polling, processing, outbox, reminders, reports.

        Stops cleanly on SIGTERM. Logs are JSON lines on stderr.
        """
        from filing.serve import serve

        configure_logging(log_level)
        serve(app_from(ctx), host=host, port=port, web=not no_web, process=not no_process)

    @cli.command("worker")
    def worker_cmd(
        ctx: typer.Context,
        once: Annotated[bool, typer.Option("--once", help="process what is pending, then exit")] = False,
        log_level: LogLevel = "INFO",
    ) -> None:
        """Process pending messages (OCR and the rest) alongside `serve`; run any number, on any machine,
        against the same PostgreSQL database and blob storage."""
        from filing.serve import work

        configure_logging(log_level)
        app = app_from(ctx)
        if app.engine.dialect.name == "sqlite":
            console.print("[yellow]SQLite：由一个进程完成全部处理，filing serve 已在处理；"
                          "增加处理进程需要 PostgreSQL。[/yellow]")
        done = work(app, once=once)
        if once:
            console.print(f"已处理邮件 {done} 封")

    @cli.command("poll")
    def poll_cmd(ctx: typer.Context) -> None:
        """Poll the mailbox once and file what arrived (the same work serve's scheduler does)."""
        from filing import jobs
        from filing.worker import StepRunner, worker_name

        app = app_from(ctx)
        if not app.settings.mailbox.host:
            raise typer.BadParameter("mailbox.host is not configured (config.yaml or FILING_MAILBOX__HOST)")
        with _progress() as progress:
            task = progress.add_task("收取邮件", total=None)
            report = jobs.poll_mailbox(app, lambda p: progress.update(task, total=p.total, completed=p.done))
            assert report is not None
            console.print(report.summary)
            runner = StepRunner(app, worker_name("poll"))
            pending = progress.add_task("处理邮件", total=None)
            done = 0
            while runner.run_one():
                done += 1
                progress.update(pending, completed=done)
            runner.close()
        console.print(f"已处理邮件 {done} 封")
        if not report.ok:
            console.print("[red]本次收信未完成：原因见上方；下次收信会安全地接着进行[/red]")
            raise typer.Exit(1)

    @cli.command("remind")
    def remind_cmd(
        ctx: typer.Context,
        as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
            help="the day to run the sweep for (YYYY-MM-DD)")] = None,
    ) -> None:
        """Run the reminder sweep for a day (only on working days), as serve does each morning."""
        from filing import jobs

        app = app_from(ctx)
        day = parse_day(as_of, "--as-of") if as_of else local_today(app)
        result = jobs.remind(app, day)
        console.print(f"{day}：非工作日，不发提醒" if result is None else f"{day}：新排入待发提醒 {result} 封")


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console)
