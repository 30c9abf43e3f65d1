"""`filing rectification` and `filing compliance`: the follow-up of lost cases from the terminal."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from cases.compliance import record_performed, set_compliance, sync_compliance
from cases.corrections import resolve_case_number
from cases.facts import FactValueError
from cases.rectification import confirm_rectification, reopen_rectification, set_rectification
from filing.adapters import compliance_rules, work_calendar
from filing.bootstrap import App
from filing.commands.common import UserError, local_today, parse_day
from filing.commands.core import app_from
from filing.followup_views import compliance_views, rectification_views
from terms.errors import FilingError
from terms.labels import RECTIFICATION_STATUS_LABELS

rect_cli = typer.Typer(no_args_is_help=False, help="Rectification (整改) of lost cases.")
comp_cli = typer.Typer(no_args_is_help=False, help="Compliance (履行) with effective judgments the agency lost.")
out = Console()

CaseArg = Annotated[str, typer.Argument(metavar="CASE", help="case id or case number (案号)")]
ActorOpt = Annotated[str | None, typer.Option("--as", metavar="NAME", help="who records it (default: $USER)")]
DayOpt = Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="the day it was done (default: today)")]


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("USER") or "cli"


def _case_id(s: Session, text: str) -> int:
    t = text.strip().lstrip("#")
    if t.isdigit():
        return int(t)
    try:
        found = resolve_case_number(s, t)
    except FactValueError as e:
        raise UserError(str(e)) from None
    if found is None:
        raise UserError("请给出案件编号或案号")
    return found


@contextmanager
def _on_case(app: App, case: str) -> Iterator[tuple[Session, int]]:
    """A unit of work on case CASE: committed when the body ends, a refused change as a one-line error."""
    with app.uow() as uow:
        case_id = _case_id(uow.session, case)
        try:
            yield uow.session, case_id
        except (FactValueError, FilingError) as e:
            raise UserError(getattr(e, "message", str(e))) from None
        uow.commit()


def _print(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


@rect_cli.callback(invoke_without_command=True)
def rect_list(ctx: typer.Context) -> None:
    """Lost cases and their rectification: what was asked, by when, the agency's report, done."""
    if ctx.invoked_subcommand is not None:
        return
    app = app_from(ctx)
    with app.uow() as uow:
        rows = rectification_views(uow.session)
    table = Table(title=f"败诉案件整改 {len(rows)} 件")
    for col in ("案件", "案号", "单位", "状态", "整改要求", "期限", "整改报告", "完成日期"):
        table.add_column(col)
    for v in rows:
        table.add_row(str(v.case_id), v.case_number or "—", v.agency or "—", v.status_label, v.requirement or "—",
                      _day(v.due_date), f"文书 {v.report_document_id}" if v.report_document_id else "—",
                      _day(v.done_on))
    out.print(table)


@rect_cli.command("set")
def rect_set(
    ctx: typer.Context, case: CaseArg,
    ask: Annotated[str, typer.Option("--ask", metavar="TEXT", help="what the agency is asked to rectify")],
    due: Annotated[str, typer.Option("--due", metavar="YYYY-MM-DD", help="by when")],
    reason: Annotated[str, typer.Option("--reason", help="note kept in the audit")] = "",
    actor: ActorOpt = None,
) -> None:
    """Ask the agency of lost case CASE to rectify (or change what was asked); it is reminded on working days."""
    day = parse_day(due, "--due")
    with _on_case(app_from(ctx), case) as (session, case_id):
        set_rectification(session, case_id, ask, day, _actor(actor), reason)
    _print(f"已布置整改：案件 {case_id}，期限 {day.isoformat()}")


@rect_cli.command("done")
def rect_done(ctx: typer.Context, case: CaseArg, on: DayOpt = None,
              note: Annotated[str, typer.Option("--note", help="how it was checked")] = "",
              actor: ActorOpt = None) -> None:
    """Confirm the rectification of case CASE done (reminders stop)."""
    app = app_from(ctx)
    day = parse_day(on, "--on") if on else local_today(app)
    with _on_case(app, case) as (session, case_id):
        confirm_rectification(session, case_id, _actor(actor), day, note)
    _print(f"已确认整改完成：案件 {case_id}，{day.isoformat()}")


@rect_cli.command("reopen")
def rect_reopen(ctx: typer.Context, case: CaseArg,
                reason: Annotated[str, typer.Option("--reason", help="why it is not done after all (audited)")],
                actor: ActorOpt = None) -> None:
    """Reopen a rectification of case CASE that was confirmed done (reminders resume if no report is on file)."""
    with _on_case(app_from(ctx), case) as (session, case_id):
        r = reopen_rectification(session, case_id, _actor(actor), reason)
        label = RECTIFICATION_STATUS_LABELS.get(r.status, r.status)
    _print(f"已重新打开整改：案件 {case_id}，现为“{label}”")


@comp_cli.callback(invoke_without_command=True)
def comp_list(ctx: typer.Context,
              overdue: Annotated[bool, typer.Option("--overdue", help="only those past their due date")] = False,
              as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD")] = None) -> None:
    """Effective judgments the agency lost: what they order, by when, performed or not."""
    if ctx.invoked_subcommand is not None:
        return
    app = app_from(ctx)
    day = parse_day(as_of, "--as-of") if as_of else local_today(app)
    with app.uow() as uow:
        rows = [v for v in compliance_views(uow.session, day) if v.overdue_days > 0 or not overdue]
    table = Table(title=f"生效裁判履行 {len(rows)} 件" + ("（逾期）" if overdue else ""))
    for col in ("案件", "案号", "单位", "生效日期", "裁判内容", "履行期限", "状态"):
        table.add_column(col)
    for v in rows:
        state = v.status_label + (f"，逾期{v.overdue_days}日" if v.overdue_days > 0 else "")
        table.add_row(str(v.case_id), v.case_number or "—", v.agency or "—", _day(v.effective_on),
                      v.order_text or "（未读出，请设定）", _day(v.due_date), state)
    out.print(table)


@comp_cli.command("sync")
def comp_sync(ctx: typer.Context,
              as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD")] = None) -> None:
    """Start tracking lost judgments that took effect (the daily reminder sweep does this too)."""
    app = app_from(ctx)
    day = parse_day(as_of, "--as-of") if as_of else local_today(app)
    with app.uow() as uow:
        rep = sync_compliance(uow.session, day, work_calendar(app.settings), compliance_rules(app.settings),
                              app.settings.calendar.timezone)
        uow.commit()
    _print(f"生效裁判：新增跟踪 {len(rep.opened)} 件，不再跟踪 {len(rep.voided)} 件，恢复跟踪 {len(rep.updated)} 件")


@comp_cli.command("set")
def comp_set(
    ctx: typer.Context, case: CaseArg,
    reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit)")],
    order: Annotated[str | None, typer.Option("--order", metavar="TEXT", help="what the decision orders")] = None,
    due: Annotated[str | None, typer.Option("--due", metavar="YYYY-MM-DD", help="perform by")] = None,
    effective: Annotated[str | None, typer.Option("--effective", metavar="YYYY-MM-DD",
                                                  help="the day it took effect")] = None,
    actor: ActorOpt = None,
) -> None:
    """Set what the effective decision of case CASE orders and by when (a person's value is kept)."""
    due_day = parse_day(due, "--due") if due else None
    eff_day = parse_day(effective, "--effective") if effective else None
    with _on_case(app_from(ctx), case) as (session, case_id):
        row = set_compliance(session, case_id, _actor(actor), reason, order_text=order, due_date=due_day,
                             effective_on=eff_day)
        _print(f"已设定：案件 {case_id}，履行期限 {_day(row.due_date)}")


@comp_cli.command("done")
def comp_done(ctx: typer.Context, case: CaseArg, on: DayOpt = None,
              note: Annotated[str, typer.Option("--note", help="how it was performed")] = "",
              actor: ActorOpt = None) -> None:
    """Record that the agency performed the effective decision of case CASE (reminders stop)."""
    app = app_from(ctx)
    day = parse_day(on, "--on") if on else local_today(app)
    with _on_case(app, case) as (session, case_id):
        record_performed(session, case_id, _actor(actor), day, note)
    _print(f"已记录履行完毕：案件 {case_id}，{day.isoformat()}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(rect_cli, name="rectification")
    cli.add_typer(comp_cli, name="compliance")

