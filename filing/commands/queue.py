"""`filing queue`: the review queue from the terminal (list, show, and every decision)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cases import review
from cases.checks import check_views, open_check_count, open_checks
from cases.corrections import resolve_check
from cases.facts import FactValueError
from filing.commands.core import app_from
from filing.commands.tables import review_table
from filing.config import load_settings
from filing.web.templating import evidence_label
from store import models as m
from terms.labels import MATCH_LABELS
from terms.labels import formal_doc_label as doc_label

queue = typer.Typer(no_args_is_help=False, help="Review queue: documents waiting for a person.")
out = Console()


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("USER") or "cli"


DocArg = Annotated[int, typer.Argument(metavar="DOC_ID", hidden=True)]
CaseArg = Annotated[int, typer.Argument(metavar="CASE_ID", hidden=True)]
PageArg = Annotated[int, typer.Argument(metavar="PAGE", hidden=True)]
OtherArg = Annotated[int, typer.Argument(metavar="OTHER_ID", hidden=True)]
TypeArg = Annotated[str, typer.Argument(metavar="TYPE", hidden=True)]
ActorOpt = Annotated[str | None, typer.Option("--as", metavar="NAME", help="who decides (default: $USER)")]


@queue.callback(invoke_without_command=True)
def list_items(ctx: typer.Context) -> None:
    """List pending items, oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    app = app_from(ctx)
    out.print(review_table(app))
    with app.uow() as uow:
        waiting = open_check_count(uow.session)
    if waiting:
        out.print(f"另有待核实事实 {waiting} 项：filing queue checks")


@queue.command("show")
def show(ctx: typer.Context, document_id: DocArg) -> None:
    """Show document DOC_ID (first column of `filing queue`) with its ranked candidate cases and their evidence."""
    app = app_from(ctx)
    with app.uow() as uow:
        it = review.get_item(uow.session, document_id)
    out.print(
        f"文书 {it.document_id}：{it.filename} 第{it.pages[0]}-{it.pages[1]}页，类型 {doc_label(it.doc_type)}"
        f"（把握 {it.type_confidence:.2f}），案号 {it.case_number or '未读到'}，"
        f"状态 {MATCH_LABELS.get(it.status, it.status)}",
        markup=False, highlight=False, soft_wrap=True,
    )
    out.print(f"邮件：{it.subject}（{it.agency or '—'}）", markup=False, highlight=False, soft_wrap=True)
    if not it.candidates:
        out.print("  没有候选案件：可用 filing queue new-case 新建案件", markup=False, highlight=False, soft_wrap=True)
    elif it.question:
        out.print(f"待判断：{it.question}", markup=False, highlight=False, soft_wrap=True)
    for i, c in enumerate(it.candidates, start=1):
        evidence = "；".join(evidence_label(e) for e in c.evidence)
        out.print(f"  {i}. 案件 {c.case_id} {c.case_number or '—'} 匹配度 {c.score:.2f}：{evidence}",
                  markup=False, highlight=False, soft_wrap=True)


def _decide(ctx: typer.Context, fn: object, *args: object) -> None:
    app = app_from(ctx)
    with app.uow() as uow:
        result = fn(uow.session, *args)  # type: ignore[operator]
        uow.commit()
    if isinstance(result, m.Case):
        out.print(f"完成：案件 {result.id} {result.case_number or ''}", markup=False, highlight=False, soft_wrap=True)
    elif isinstance(result, m.Document):
        out.print(f"完成：文书 {result.id}", markup=False, highlight=False, soft_wrap=True)
    else:
        out.print("完成")


@queue.command("confirm")
def confirm(
    ctx: typer.Context,
    document_id: DocArg,
    case_id: Annotated[int | None, typer.Option("--case", metavar="CASE_ID", help="case id")] = None,
    actor: ActorOpt = None,
) -> None:
    """File document DOC_ID to its suggested case when it is confident (or to --case CASE_ID)."""
    threshold = load_settings((ctx.obj or {}).get("config")).matching.default_threshold
    _decide(ctx, review.confirm, document_id, _actor(actor), case_id, threshold)


@queue.command("reassign")
def reassign(ctx: typer.Context, document_id: DocArg, case_id: CaseArg, actor: ActorOpt = None) -> None:
    """File document DOC_ID to case CASE_ID instead."""
    _decide(ctx, review.reassign, document_id, case_id, _actor(actor))


@queue.command("new-case")
def new_case(
    ctx: typer.Context,
    document_id: DocArg,
    number: Annotated[str | None, typer.Option("--number", metavar="案号", help="case number if not read")] = None,
    actor: ActorOpt = None,
) -> None:
    """Create a case from document DOC_ID and file it there."""
    _decide(ctx, review.create_case, document_id, _actor(actor), number)


@queue.command("type")
def change_type(ctx: typer.Context, document_id: DocArg, doc_type: TypeArg, actor: ActorOpt = None) -> None:
    """Change the type of document DOC_ID to TYPE (complaint, notice_to_respond, defense, judgment, ruling, ...)."""
    _decide(ctx, review.change_type, document_id, doc_type, _actor(actor))


@queue.command("split")
def split(ctx: typer.Context, document_id: DocArg, at_page: PageArg, actor: ActorOpt = None) -> None:
    """Split document DOC_ID before page PAGE."""
    _decide(ctx, review.split_document, document_id, at_page, _actor(actor))


@queue.command("merge")
def merge(ctx: typer.Context, document_id: DocArg, other_id: OtherArg, actor: ActorOpt = None) -> None:
    """Merge document OTHER_ID (same file) into document DOC_ID."""
    _decide(ctx, review.merge_documents, document_id, other_id, _actor(actor))


@queue.command("not-litigation")
def not_litigation(ctx: typer.Context, document_id: DocArg, actor: ActorOpt = None) -> None:
    """Mark document DOC_ID as not litigation material."""
    _decide(ctx, review.mark_not_litigation, document_id, _actor(actor))


@queue.command("checks")
def checks(ctx: typer.Context) -> None:
    """Fact checks waiting for a person, oldest first."""
    app = app_from(ctx)
    with app.uow() as uow:
        views = check_views(uow.session, open_checks(uow.session))
    table = Table(title=f"待核实事实 {len(views)} 项")
    for col in ("核实", "案件", "单位", "项目", "问题", "读出的值", "来源（文书/页）"):
        table.add_column(col)
    for v in views:
        table.add_row(str(v.id), v.case_number or f"#{v.case_id}", v.agency or "—", v.fact_label,
                      f"{v.kind_label}：{v.reason}", v.read_text,
                      f"文书 {v.document_id} 第{v.page}页" if v.document_id else "—")
    out.print(table)


@queue.command("check")
def check(
    ctx: typer.Context,
    check_id: int,
    value: Annotated[str | None, typer.Argument(help="the value as printed on the page (omit with --confirm)")]
    = None,
    confirm_read: Annotated[bool, typer.Option("--confirm", help="accept the value that was read")] = False,
    reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit)")] = "",
    actor: ActorOpt = None,
) -> None:
    """Settle a fact check: enter the value from the page, or --confirm what was read. Without either,
    show the check and the text of the page where the fact should be."""
    app = app_from(ctx)
    with app.uow() as uow:
        s = uow.session
        if value is None and not confirm_read:
            chk = s.get(m.FactCheck, check_id)
            if chk is None:
                raise typer.BadParameter(f"核实事项 {check_id} 不存在")
            v = check_views(s, [chk])[0]
            where = f"案件 {v.case_number or v.case_id}（{v.agency or '—'}）"
            out.print(f"核实 {v.id}：{where}{v.fact_label}", markup=False)
            out.print(f"{v.kind_label}：{v.reason}；读出的值：{v.read_text}；现值：{v.current_text}", markup=False)
            if v.document_id:
                out.print(f"应在文书 {v.document_id}（{v.filename}）第 {v.page} 页：", markup=False)
                out.print(v.page_text, markup=False)
            return
        try:
            resolve_check(s, check_id, None if confirm_read else value, _actor(actor), reason)
            uow.commit()
        except FactValueError as e:
            raise typer.BadParameter(str(e)) from e
    out.print("ok")


def register(cli: typer.Typer) -> None:
    cli.add_typer(queue, name="queue")
