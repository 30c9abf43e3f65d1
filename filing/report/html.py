"""The report as an HTML page (templates/web/report.html): tables, drill-down, inline SVG charts, print CSS."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from filing.report.charts import agency_bars, trend_lines
from filing.report.columns import COLUMNS, EXTRA_FIGURES, header_groups
from filing.report.types import Report

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "web"
CSS_NAME = "report.css"
CSS_URL = "/reports/report.css"


@lru_cache(maxsize=8)
def _env(templates_dir: Path) -> Environment:
    """One environment per template folder: it keeps the compiled template, which took a fifth of a
    page's time to compile again on every request."""
    return Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def report_css(templates_dir: Path = TEMPLATES_DIR) -> str:
    return (templates_dir / CSS_NAME).read_text(encoding="utf-8")


def render_html(report: Report, *, standalone: bool = True, quarter: str = "",
                templates_dir: Path = TEMPLATES_DIR) -> str:
    """`standalone`: one self-contained file (CSS inlined) for `filing report --format html`;
    otherwise the page links its stylesheet, as the web UI's CSP forbids inline styles."""
    drill = [
        (i, row, [(c.key, (f"{c.group}·{c.header}" if c.group else c.header)) for c in COLUMNS if not c.is_rate]
         + list(EXTRA_FIGURES))
        for i, row in enumerate(report.rows)
    ]
    return _env(templates_dir).get_template("report.html").render(
        report=report,
        columns=COLUMNS,
        groups=header_groups(),
        drill=drill,
        bars=Markup(agency_bars(report.rows)),
        trend=Markup(trend_lines(report.trend)),
        css=Markup(report_css(templates_dir)) if standalone else None,
        css_url=CSS_URL,
        standalone=standalone,
        quarter=quarter or report.period.key,
    )
