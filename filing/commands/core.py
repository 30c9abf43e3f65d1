"""init, import, export, demo: the commands that run the main job."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from filing.bootstrap import App, bootstrap
from filing.config import load_settings
from filing.export import build_export
from filing.pipeline import process, receive
from filing.service import missing_for_cases
from store import models as m
from store.migrate import upgrade
from store.registry import load_registry, read_registry

console = Console(stderr=True)


def app_from(ctx: typer.Context) -> App:
    path = (ctx.obj or {}).get("config")
    return bootstrap(load_settings(path))


def init_app(app: App, agencies: Path | None = None) -> str:
    upgrade(app.engine)
    path = agencies or app.settings.agencies.registry
    with app.uow() as uow:
        report = load_registry(uow.session, read_registry(path))
        uow.commit()
    return (
        f"database ready; agencies: {report.added} added, {report.updated} updated, "
        f"{report.addresses} addresses ({path})"
    )


def expand_paths(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*.eml") if x.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise typer.BadParameter(f"no such file or folder: {p}")
    return files


def import_files(app: App, files: list[Path], quiet: bool = False) -> list[tuple[Path, int, str, bool]]:
    """File .eml files through the same pipeline as IMAP polling. Returns (path, row id, status, new)."""
    results: list[tuple[Path, int, str, bool]] = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("导入邮件", total=len(files), current="")
        for path in files:
            progress.update(task, current=path.name)
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            rec = receive(app, path.read_bytes(), received_at=mtime, source="import", delivery=str(path.resolve()))
            status = process(app, rec.message_row_id, on_step=partial(_show_step, progress, task, path.name))
            results.append((path, rec.message_row_id, status, rec.created))
            progress.advance(task)
    return results


def _show_step(progress: Progress, task: TaskID, name: str, step: str) -> None:
    progress.update(task, current=f"{name}: {step}")


def register(cli: typer.Typer) -> None:
    @cli.command("init")
    def init_cmd(
        ctx: typer.Context,
        agencies: Annotated[Path | None, typer.Option(help="agency registry YAML (default: agencies.registry)")] = None,
    ) -> None:
        """Create or upgrade the database and load the agency registry."""
        typer.echo(init_app(app_from(ctx), agencies))

    @cli.command("import")
    def import_cmd(
        ctx: typer.Context, paths: Annotated[list[Path], typer.Argument(help=".eml files or folders")]
    ) -> None:
        """File .eml files or folders of them (re-importing files nothing twice)."""
        app = app_from(ctx)
        results = import_files(app, expand_paths(paths))
        _summary(results)
        if any(status == "failed" for *_x, status, _n in results):
            raise typer.Exit(1)

    @cli.command("reprocess")
    def reprocess_cmd(
        ctx: typer.Context,
        ids: Annotated[list[int], typer.Argument(help="message row ids (see `filing export`)")],
        ocr: Annotated[bool, typer.Option("--ocr", help="read the pages again (OCR) instead of the stored text")]
        = False,
    ) -> None:
        """Read, classify and file messages again; facts a person set or confirmed are kept."""
        from filing.pipeline import reprocess

        app = app_from(ctx)
        for mid in ids:
            typer.echo(f"邮件 {mid}：{reprocess(app, mid, from_ocr=ocr)}")

    @cli.command("export")
    def export_cmd(
        ctx: typer.Context,
        format: Annotated[str, typer.Option("--format", help="json")] = "json",
        as_of: Annotated[str | None, typer.Option("--as-of", help="date for the missing-document lists")] = None,
    ) -> None:
        """Everything the system decided, on stdout."""
        if format != "json":
            raise typer.BadParameter("only --format json is supported")
        app = app_from(ctx)
        day = date.fromisoformat(as_of) if as_of else app.settings.today()
        with app.uow() as uow:
            data = build_export(uow.session, day, lambda s, c, d: missing_for_cases(app, s, c, d))
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    @cli.command("demo")
    def demo_cmd(ctx: typer.Context) -> None:
        """Set up the database, file the demo mailbox that ships with the project, print what was filed."""
        app = app_from(ctx)
        # The demo mail is unauthenticated sample mail: file it as `senders.unauthenticated: file` would.
        senders = app.settings.senders.model_copy(update={"unauthenticated": "file"})
        app.settings = app.settings.model_copy(update={"senders": senders})
        typer.echo(init_app(app))
        files = expand_paths([app.settings.mailbox.local_folder])
        results = import_files(app, files)
        _summary(results)
        _cases_table(app)
        _outbox_table(app)


def _summary(results: list[tuple[Path, int, str, bool]]) -> None:
    table = Table(title="导入结果")
    for col in ("文件", "状态", "新收"):
        table.add_column(col)
    for path, _rid, status, new in results:
        table.add_row(path.name, status, "是" if new else "否（已收过）")
    Console().print(table)


def _cases_table(app: App) -> None:
    table = Table(title="案件")
    table.add_column("案号", no_wrap=True)
    for col in ("单位", "原告", "已收文书", "结果"):
        table.add_column(col)
    with app.uow() as uow:
        for case in uow.session.scalars(select(m.Case).order_by(m.Case.id)):
            types = sorted({d.doc_type for d in case.documents})
            table.add_row(
                case.case_number or "—",
                case.agency.short_name if case.agency else "—",
                "、".join(case.plaintiffs or []) or "—",
                ", ".join(types),
                case.outcome,
            )
    Console().print(table)


def _outbox_table(app: App) -> None:
    table = Table(title="待发邮件（回执与提醒）")
    for col in ("类型", "收件人", "主题", "状态"):
        table.add_column(col)
    with app.uow() as uow:
        for row in uow.session.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)):
            table.add_row(row.kind, row.to_addr, row.subject, row.status)
    Console().print(table)
