"""`filing roster` (litigation staff, 应诉人员报备) and `filing watch` (有庭必出: the coming hearings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cases.filing import recheck_roster
from cases.roster import ROLE_LABELS, RosterPerson, person_role
from cases.roster_store import import_rows, remove_entry, resolve_agency, roster_rows
from filing.adapters import work_calendar
from filing.commands.common import UserError, local_today, parse_day, write_output
from filing.commands.core import app_from
from filing.roster_xlsx import RosterSheetError, read_roster_xlsx, write_roster_xlsx
from filing.watch import upcoming_hearings, watch_window

roster = typer.Typer(no_args_is_help=False, help="Litigation staff roster per agency (应诉人员报备).")
out = Console()
err = Console(stderr=True)


@roster.callback(invoke_without_command=True)
def list_roster(ctx: typer.Context) -> None:
    """List the roster, agency by agency."""
    if ctx.invoked_subcommand is not None:
        return
    app = app_from(ctx)
    table = Table("单位", "姓名", "职务", "身份", "法律职业资格", "联系电话", "电子邮箱", title="应诉人员名单")
    with app.uow() as uow:
        rows = roster_rows(uow.session)
        for e, a in rows:
            role = person_role(RosterPerson(e.id, e.name, e.post, e.is_head))
            table.add_row(a.name, e.name, e.post or "—", ROLE_LABELS[role], e.qualification or "—",
                          e.phone or "—", e.email or "—")
    out.print(table if rows else "应诉人员名单为空：filing roster import 名单.xlsx")


@roster.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        metavar="FILE.xlsx", help="sheet with 单位、姓名、职务、法律职业资格、联系电话、电子邮箱、是否负责人")],
    actor: Annotated[str | None, typer.Option("--as", metavar="NAME", help="who imports (default: $USER)")] = None,
) -> None:
    """Import (add or update by agency and name) the roster from an XLSX sheet; each bad row is named."""
    if not file.is_file():
        raise UserError(f"找不到文件：{file}")
    try:
        rows = read_roster_xlsx(file.read_bytes())
    except RosterSheetError as e:
        raise UserError(f"{file}：{e}") from None
    app = app_from(ctx)
    with app.uow() as uow:
        report = import_rows(uow.session, rows, actor or os.environ.get("USER") or "cli")
        rechecked = recheck_roster(uow.session, report.agency_ids)
        uow.commit()
    for line in report.errors:
        err.print(f"错误：{line}", style="red", markup=False, highlight=False, soft_wrap=True)
    out.print(f"应诉人员名单导入：新增 {report.added} 人，更新 {report.updated} 人，未变 {report.unchanged} 人，"
              f"有误 {len(report.errors)} 行（{file}）；已按名单重新核对 {rechecked} 件案件的出庭情况",
              markup=False, highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(1)


@roster.command("export")
def export_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", metavar="FILE.xlsx", help="file to write")],
) -> None:
    """Write the roster as an XLSX sheet (the import's format)."""
    app = app_from(ctx)
    with app.uow() as uow:
        payload = write_roster_xlsx(roster_rows(uow.session))
        n = len(roster_rows(uow.session))
    write_output(output, payload)
    out.print(f"已导出应诉人员 {n} 人 → {output}", markup=False, highlight=False, soft_wrap=True)


@roster.command("remove")
def remove_cmd(
    ctx: typer.Context,
    agency: Annotated[str, typer.Argument(metavar="AGENCY", help="agency code, full or short name")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="the person's name as listed")],
    actor: Annotated[str | None, typer.Option("--as", metavar="NAME", help="who removes (default: $USER)")] = None,
) -> None:
    """Remove a person from an agency's roster (audited); its cases' appearances are judged again."""
    app = app_from(ctx)
    with app.uow() as uow:
        s = uow.session
        try:
            owner = resolve_agency(s, agency)
        except ValueError as e:
            raise UserError(str(e)) from None
        clean = "".join(name.split())
        entry = next((e for e, _a in roster_rows(s, [owner.id]) if e.name == clean), None)
        if entry is None:
            raise UserError(f"{owner.name}的应诉人员名单中没有{clean}")
        remove_entry(s, entry, actor or os.environ.get("USER") or "cli")
        rechecked = recheck_roster(s, [owner.id])
        uow.commit()
        label = owner.name
    out.print(f"已从{label}的应诉人员名单中删除{clean}；已按名单重新核对 {rechecked} 件案件的出庭情况",
              markup=False, highlight=False, soft_wrap=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(roster, name="roster")

    @cli.command("watch")
    def watch_cmd(
        ctx: typer.Context,
        as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
            help="the day to look ahead from (default: today)")] = None,
    ) -> None:
        """有庭必出: hearings of the next 10 working days and who is expected to appear."""
        app = app_from(ctx)
        today = parse_day(as_of, "--as-of") if as_of else local_today(app)
        calendar = work_calendar(app.settings)
        first, last = watch_window(today, calendar)
        with app.uow() as uow:
            rows = upcoming_hearings(uow.session, today, calendar)
        table = Table("开庭时间", "单位", "案号", "法院", "拟出庭负责人", "提醒",
                      title=f"有庭必出：{first} 至 {last} 的庭审（{len(rows)} 件）")
        for r in rows:
            who = f"{r.plan.name} {r.plan.title or ''}".strip() if r.plan else "—"
            table.add_row(f"{r.hearing_at:%Y-%m-%d %H:%M}", r.agency or "—", r.case_number or "—", r.court or "—",
                          who, r.warning or "")
        out.print(table)
