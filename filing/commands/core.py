"""init, import, export, demo: the commands that run the main job."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from filing.bootstrap import App, bootstrap
from filing.commands.common import UserError, local_today, parse_day
from filing.commands.tables import (
    STEP_LABELS,
    Imported,
    cases_table,
    import_table,
    outbox_table,
    review_table,
    show,
    status_text,
)
from filing.config import load_settings
from filing.export import write_export
from filing.pipeline import process, receive
from filing.service import MissingRules
from ingest.sniff import NotMail, not_mail
from store.migrate import upgrade
from store.registry import load_registry, read_registry
from terms.status import MessageStatus

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
        f"数据库已就绪；单位名录：新增 {report.added} 个，更新 {report.updated} 个，"
        f"登记邮箱 {report.addresses} 个（{path}）"
    )


def expand_paths(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(x for x in p.rglob("*.eml") if x.is_file())
            if not found:
                console.print(f"文件夹 {p} 中没有 .eml 邮件文件", style="yellow", markup=False, highlight=False,
                              soft_wrap=True)
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise UserError(f"找不到文件或文件夹：{p}")
    return files


def import_files(app: App, files: list[Path], quiet: bool = False) -> list[Imported]:
    """File .eml files through the same pipeline as IMAP polling."""
    results: list[Imported] = []
    if not files:
        return results
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
            results.append(Imported(path, rec.message_row_id, status, rec.created))
            with app.uow() as uow:
                result, _note = status_text(uow.session, rec.message_row_id)
            progress.update(task, current=f"{path.name}：{result}")
            progress.advance(task)
    return results


def _show_step(progress: Progress, task: TaskID, name: str, step: str) -> None:
    progress.update(task, current=f"{name}：{STEP_LABELS.get(step, step)}")


def register(cli: typer.Typer) -> None:
    @cli.command("init")
    def init_cmd(
        ctx: typer.Context,
        agencies: Annotated[Path | None, typer.Option(metavar="FILE",
            help="agency registry YAML (default: agencies.registry)")] = None,
    ) -> None:
        """Create or upgrade the database and load the agency registry."""
        typer.echo(init_app(app_from(ctx), agencies))

    @cli.command("import")
    def import_cmd(
        ctx: typer.Context, paths: Annotated[list[Path], typer.Argument(metavar="PATH", hidden=True)]
    ) -> None:
        """File each PATH: an .eml file, or a folder of them (importing a file again files nothing twice)."""
        app = app_from(ctx)
        files, rejected = mail_files(expand_paths(paths))
        results = import_files(app, files)
        if results:
            show(import_table(app, results))
        _report_rejected(rejected)
        if rejected or not files or any(r.status == MessageStatus.failed for r in results):
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
        format: Annotated[str, typer.Option("--format", metavar="json", help="output format")] = "json",
        as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
            help="date for the missing-document lists")] = None,
    ) -> None:
        """Everything the system decided, on stdout."""
        if format != "json":
            raise typer.BadParameter("only --format json is supported")
        app = app_from(ctx)
        day = parse_day(as_of, "--as-of") if as_of else local_today(app)
        with app.uow() as uow:
            write_export(uow.session, day, MissingRules(app), sys.stdout)
        sys.stdout.write("\n")

    @cli.command("demo")
    def demo_cmd(ctx: typer.Context) -> None:
        """Set up the database, file the demo mailbox that ships with the project, print what was filed."""
        app = app_from(ctx)
        # The demo mail is unauthenticated sample mail: file it as `senders.unauthenticated: file` would.
        senders = app.settings.senders.model_copy(update={"unauthenticated": "file"})
        app.settings = app.settings.model_copy(update={"senders": senders})
        typer.echo(init_app(app))
        files, rejected = mail_files(expand_paths([app.settings.mailbox.local_folder]))
        results = import_files(app, files)
        show(import_table(app, results), cases_table(app), review_table(app), outbox_table(app))
        _report_rejected(rejected)


NOT_MAIL_TEXT = {
    NotMail.empty: "文件为空",
    NotMail.pdf: "这是 PDF 文档，不是邮件",
    NotMail.image: "这是图片，不是邮件",
    NotMail.docx: "这是 Word 文档，不是邮件",
    NotMail.archive: "这是压缩包，不是邮件",
    NotMail.other_format: "这是其他格式的文件（如 Outlook .msg），不是邮件",
    NotMail.no_headers: "开头没有邮件头（From:、Subject: 等），不是邮件",
}


def mail_files(files: list[Path]) -> tuple[list[Path], list[tuple[Path, NotMail]]]:
    """Split the files to import into email messages and the rest (with why), before anything is stored."""
    mail: list[Path] = []
    rejected: list[tuple[Path, NotMail]] = []
    for path in files:
        with path.open("rb") as f:
            problem = not_mail(f.read(65536))
        if problem is None:
            mail.append(path)
        else:
            rejected.append((path, problem))
    return mail, rejected


def _report_rejected(rejected: list[tuple[Path, NotMail]]) -> None:
    for path, problem in rejected:
        text = f"未导入 {path}：{NOT_MAIL_TEXT[problem]}。只能导入 .eml 邮件文件（在邮件客户端中“另存为”）"
        console.print(text, style="red", markup=False, highlight=False, soft_wrap=True)
