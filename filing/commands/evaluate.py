"""`filing eval --truth truth.json`: measure the decisions in the store against a corpus's truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from filing.commands.core import app_from
from filing.evaluate import EvalSection, evaluate_understanding, render
from filing.evaluate_facts import evaluate_facts
from filing.evaluate_matching import evaluate_matching
from filing.evaluate_notify import evaluate_notifications
from filing.export import build_export
from filing.service import missing_for_cases


def register(cli: typer.Typer) -> None:
    @cli.command("eval")
    def eval_cmd(
        ctx: typer.Context,
        truth: Annotated[Path, typer.Option("--truth", help="truth.json of an imported corpus")],
        as_of: Annotated[str | None, typer.Option("--as-of", help="default: the truth's expectations.as_of")] = None,
    ) -> None:
        """Print accuracy figures against the truth (after importing that corpus)."""
        app = app_from(ctx)
        data = json.loads(truth.read_text(encoding="utf-8"))
        day = date.fromisoformat(as_of or data.get("expectations", {}).get("as_of") or app.settings.today().isoformat())
        with app.uow() as uow:
            export = build_export(uow.session, day, lambda s, c, d: missing_for_cases(app, s, c, d))
        sections: list[EvalSection] = [
            evaluate_understanding(export, data),
            evaluate_facts(export, data),
            evaluate_matching(export, data),
            evaluate_notifications(export, data),
        ]
        typer.echo(render(sections))
