"""`filing report`: the quarterly report (季度通报) as XLSX, HTML or JSON."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from filing.commands.core import app_from
from filing.report.build import build_report
from filing.report.html import render_html
from filing.report.jsonout import report_data
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes

console = Console(stderr=True)
FORMATS = ("xlsx", "html", "json")


def period_from(quarter: str | None, start: str | None, end: str | None, today: date) -> Period:
    """--quarter, or --from/--to (either may be combined with --quarter to narrow it)."""
    try:
        if quarter:
            q = Period.quarter(quarter)
            if start or end:
                return Period.between(date.fromisoformat(start) if start else q.start,
                                      date.fromisoformat(end) if end else q.end)
            return q
        if start and end:
            return Period.between(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError as e:
        raise typer.BadParameter(str(e)) from e
    if start or end:
        raise typer.BadParameter("give both --from and --to, or --quarter")
    return Period.of_quarter(today.year, (today.month - 1) // 3 + 1)


def register(cli: typer.Typer) -> None:
    @cli.command("report")
    def report_cmd(
        ctx: typer.Context,
        quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q3 (default: this quarter)")] = None,
        start: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
        end: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
        format: Annotated[str, typer.Option("--format", help="xlsx | html | json")] = "xlsx",
        output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write ('-': stdout)")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="judge the data as of (default: today)")] = None,
    ) -> None:
        """The quarterly report: appearance rate, loss rate, late and missing filings per agency."""
        if format not in FORMATS:
            raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
        app = app_from(ctx)
        today = app.settings.today()
        period = period_from(quarter, start, end, today)
        try:
            day = date.fromisoformat(as_of) if as_of else today
        except ValueError as e:
            raise typer.BadParameter(f"--as-of: {e}") from e
        with console.status(f"统计 {period.label} …"):
            report = build_report(app, period, day)
        if format == "xlsx":
            payload = workbook_bytes(report)
        elif format == "html":
            payload = render_html(report, standalone=True).encode("utf-8")
        else:
            payload = (json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if output is not None and str(output) == "-":
            sys.stdout.buffer.write(payload)
            return
        if output is None:
            safe = period.key.replace("..", "_")
            output = Path(f"report-{safe}.{format}")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(payload)
        t = report.total
        console.print(
            f"{period.label}：新收 {t.new_cases.value}，审结 {t.concluded.value}，开庭 {t.hearings.value}，"
            f"出庭应诉率 {t.appearance_rate.display}，败诉率 {t.loss_rate.display}，"
            f"逾期报备 {t.late_filings.value}，缺报文书 {t.missing_documents.value}，"
            f"待核实 {t.waiting.value} → {output}"
        )
