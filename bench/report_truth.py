"""Quarterly report vs. the figures the bureau could know, counted by hand from the sample corpus's truth.json
(a fact counts in a period only if the document showing it arrived by the period's end); cases the report
lists under 待核实 (a fact waiting for a person) are left out of the comparison and counted in `wait`.

    .venv/bin/python bench/report_truth.py                       # fast path: a DB filled from truth.json
    .venv/bin/python bench/report_truth.py --config CONFIG.yaml  # also: the DB a real `filing import` made

Prints, per quarter and for the year, the report's totals next to the truth's and every differing
figure (agency, figure, the cases each side counted), plus the time to build each report.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from filing.bootstrap import App, bootstrap  # noqa: E402
from filing.config import Settings, load_settings  # noqa: E402
from filing.report.build import build_report  # noqa: E402
from filing.report.types import Period  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from tests.support.report_truth import compare, expected_figures, load_truth, seed_from_truth  # noqa: E402

AS_OF = date(2026, 12, 31)
PERIODS = [Period.quarter(f"2026Q{q}") for q in range(1, 5)] + [Period.between(date(2026, 1, 1), AS_OF)]


def fast_path_app(tmp: Path) -> App:
    url = f"sqlite:///{tmp / 'truth.db'}"
    upgrade(create_engine(url))
    app = bootstrap(Settings.model_validate({"database": {"url": url}, "storage": {"path": str(tmp / "blobs")}}))
    with app.uow() as uow:
        seed_from_truth(uow.session, load_truth())
        uow.commit()
    return app


def run(name: str, app: App) -> int:
    truth = load_truth()
    print(f"\n== {name}")
    print(f"{'period':24} {'new':>4} {'concl':>5} {'hear':>4} {'appear':>6} {'rate':>7} {'lost':>4} {'base':>4} "
          f"{'loss%':>7} {'late':>4} {'miss':>4} {'wait':>4}  truth(rate/loss%)  diffs  ms")
    total_diffs = 0
    for period in PERIODS:
        t0 = time.perf_counter()
        report = build_report(app, period, AS_OF)
        ms = (time.perf_counter() - t0) * 1000
        exp = expected_figures(truth, period.start, period.end, AS_OF)
        waiting = frozenset(u.case_number or "" for u in report.unverified)
        diffs = compare(report, exp, check_missing=period.end == AS_OF, waiting=waiting)
        total_diffs += len(diffs)
        t = report.total
        print(f"{period.key:24} {t.new_cases.value:>4} {t.concluded.value:>5} {t.hearings.value:>4} "
              f"{t.appeared.value:>6} {t.appearance_rate.display:>7} {t.lost.value:>4} {t.loss_base.value:>4} "
              f"{t.loss_rate.display:>7} {t.late_filings.value:>4} {t.missing_documents.value:>4} {len(waiting):>4}  "
              f"{exp.rate(None, 'appeared', 'hearings'):>7}/{exp.rate(None, 'lost', 'loss_base'):<7}  "
              f"{len(diffs):>5}  {ms:.0f}")
        for d in diffs:
            print("    ", d)
    return total_diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, help="config of a database filled by `filing import` of the sample")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        diffs = run("fast path (DB filled from truth.json)", fast_path_app(Path(tmp)))
    if args.config:
        diffs_pipeline = run(f"pipeline DB ({args.config})", bootstrap(load_settings(args.config)))
        print(f"\npipeline differences: {diffs_pipeline} (OCR/extraction errors show up here)")
    print(f"fast-path differences: {diffs}")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
