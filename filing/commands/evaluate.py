"""`filing eval --truth truth.json`: measure the decisions in the store against a corpus's truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cases.suggest_store import probe_all
from filing.commands.common import UserError, local_today, parse_day
from filing.commands.core import app_from
from filing.evaluate import EvalSection, coverage, evaluate_understanding, render
from filing.evaluate_facts import evaluate_facts
from filing.evaluate_matching import evaluate_filing_by_form, evaluate_matching, evaluate_probes
from filing.evaluate_notify import evaluate_notifications
from filing.export import build_export, review_rankings
from filing.service import MissingRules


def register(cli: typer.Typer) -> None:
    @cli.command("eval")
    def eval_cmd(
        ctx: typer.Context,
        truth: Annotated[Path, typer.Option("--truth", metavar="FILE", help="truth.json of an imported corpus")],
        as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
            help="default: the truth's expectations.as_of")] = None,
    ) -> None:
        """Print accuracy figures against the truth (after importing that corpus)."""
        app = app_from(ctx)
        try:
            data = json.loads(truth.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise UserError(f"{truth} 不是有效的 truth.json：{e}") from e
        expected = as_of or data.get("expectations", {}).get("as_of")
        day = parse_day(expected, "--as-of") if expected else local_today(app)
        with app.uow() as uow:
            export = build_export(uow.session, day, MissingRules(app))
            probes = probe_all(uow.session, app.settings.matching.default_threshold)
            rankings = review_rankings(uow.session)
        found, total = coverage(export, data)
        if total and not found:
            raise UserError(f"这个数据库里没有 {truth} 中的任何一封邮件（共 {total} 封）：请先用 filing import "
                            f"导入该语料的邮件，或检查 --config 指向的数据库")
        if found < total:
            typer.secho(f"警告：{truth} 的 {total} 封邮件中只有 {found} 封在这个数据库里，缺少的按未处理计",
                        fg=typer.colors.YELLOW, err=True)
        sections: list[EvalSection] = [
            evaluate_understanding(export, data),
            evaluate_facts(export, data),
            evaluate_matching(export, data, app.settings.matching.default_threshold, rankings),
            evaluate_probes(export, data, probes),
            evaluate_filing_by_form(export, data),
            evaluate_notifications(export, data),
        ]
        typer.echo(render(sections))
