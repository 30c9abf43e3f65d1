"""`filing report`: the quarterly report (季度通报) as XLSX, HTML or JSON."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from filing.commands.common import UserError, ensure_writable, local_today, parse_day, write_output
from filing.commands.core import app_from
from filing.report.build import build_report
from filing.report.html import render_html
from filing.report.jsonout import report_data
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes

console = Console(stderr=True)
FORMATS = ("xlsx", "html", "json")


def period_from(quarter: str | None, start: str | None, end: str | None, today: date,
                year: int | None = None) -> Period:
    """--quarter (a quarter, or a year such as 2026), --year, or --from/--to (either may narrow the others)."""
    if year is not None:
        if quarter:
            raise UserError("--quarter 与 --year 只能给一个")
        quarter = str(year)
    first = parse_day(start, "--from") if start else None
    last = parse_day(end, "--to") if end else None
    try:
        if quarter:
            try:
                q = Period.parse(quarter)
            except ValueError:
                raise UserError(f"--quarter 应为年份加季度（如 2026Q4）或年份（如 2026），收到 “{quarter}”") from None
            if first or last:
                return Period.between(first or q.start, last or q.end)
            return q
        if first and last:
            return Period.between(first, last)
    except ValueError:
        raise UserError(f"报告期有误：结束日 {last} 早于开始日 {first}") from None
    if first or last:
        raise UserError("请同时给出 --from 和 --to，或给出 --quarter（如 2026Q4）")
    return Period.of_quarter(today.year, (today.month - 1) // 3 + 1)


def register(cli: typer.Typer) -> None:
    @cli.command("report")
    def report_cmd(
        ctx: typer.Context,
        quarter: Annotated[str | None, typer.Option("--quarter", metavar="2026Q4",
            help="e.g. 2026Q3, or a whole year: 2026 (default: this quarter)")] = None,
        year: Annotated[int | None, typer.Option("--year", metavar="2026", help="the year view")] = None,
        start: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="first day, YYYY-MM-DD")] = None,
        end: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="last day, YYYY-MM-DD")] = None,
        format: Annotated[str, typer.Option("--format", metavar="xlsx|html|json", help="output format")] = "xlsx",
        output: Annotated[Path | None, typer.Option("-o", "--output", metavar="FILE",
            help="file to write ('-': stdout; default: reports/ beside storage.path, i.e. var/reports/)")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
            help="judge the data as of (default: today)")] = None,
    ) -> None:
        """The quarterly (or yearly) report: appearance rate, loss rate, late and missing filings per agency."""
        if format not in FORMATS:
            raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
        app = app_from(ctx)
        today = local_today(app)
        period = period_from(quarter, start, end, today, year)
        day = parse_day(as_of, "--as-of") if as_of else today
        if output is None:
            # Beside the service's own quarterly reports, not in whatever folder the command ran from.
            safe = period.key.replace("..", "_")
            output = app.var_dir / "reports" / f"report-{safe}.{format}"
        if str(output) != "-":
            ensure_writable(output)
        with console.status(f"统计 {period.label} …"):
            report = build_report(app, period, day)
        if format == "xlsx":
            payload = workbook_bytes(report)
        elif format == "html":
            payload = render_html(report, standalone=True).encode("utf-8")
        else:
            payload = (json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if str(output) == "-":
            sys.stdout.buffer.write(payload)
            return
        write_output(output, payload)
        t = report.total
        console.print(
            f"{period.label}：新收 {t.new_cases.value}，审结 {t.concluded.value}，开庭 {t.hearings.value}，"
            f"出庭应诉率 {t.appearance_rate.display}，败诉率 {t.loss_rate.display}，"
            f"逾期报备 {t.late_filings.value}，缺报文书 {t.missing_documents.value}，"
            f"待核实 {t.waiting.value} → {output}",
            soft_wrap=True,
        )
